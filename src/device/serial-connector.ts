import {SphereError} from '../util/errors.js'
import type {Connector} from './http.js'

/** Open a serial port and return a connector whose connections run over SLIP + userspace TCP. */
export async function openSerialConnector(path: string): Promise<{connector: Connector; close: () => Promise<void>}> {
  const transportModule = './transport/index.js'
  const mod = (await import(transportModule).catch(() => undefined)) as
    | {createSerialTransport?: (p: string) => Promise<{createConnection(): import('node:stream').Duplex; close(): Promise<void>}>}
    | undefined
  if (!mod?.createSerialTransport) {
    throw new SphereError('SERIAL_UNAVAILABLE', 'The serial transport is not available in this build.')
  }
  const t = await mod.createSerialTransport(path)
  return {connector: {kind: 'stream', createConnection: () => t.createConnection(), describe: `serial ${path}`}, close: () => t.close()}
}
