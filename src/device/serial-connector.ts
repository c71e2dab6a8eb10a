import type {Connector} from './http.js'
import {createSerialTransport} from './transport/index.js'

/**
 * Open a serial port and return a connector whose connections run over SLIP + userspace TCP. Loaded only
 * when a serial device is selected (select.ts imports this module lazily: serialport is heavy).
 */
export async function openSerialConnector(path: string): Promise<{connector: Connector; close: () => Promise<void>}> {
  const t = await createSerialTransport(path)
  return {connector: {kind: 'stream', createConnection: () => t.createConnection(), describe: `serial ${path}`}, close: () => t.close()}
}
