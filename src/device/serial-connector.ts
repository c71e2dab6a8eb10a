import {deviceCaForSerial} from './device-ca.js'
import type {Connector} from './http.js'
import {createSerialTransport} from './transport/index.js'

/**
 * Open a serial port and return a connector whose connections run HTTPS to 192.168.35.2:443 over SLIP + userspace
 * TCP, pinning the device's CA (device-ca.ts). Loaded only when a serial device is selected (select.ts imports this
 * module lazily: serialport is heavy).
 */
export async function openSerialConnector(home: string, path: string): Promise<{connector: Connector; close: () => Promise<void>}> {
  const t = await createSerialTransport(path, {ca: deviceCaForSerial(home, path)})
  return {connector: {kind: 'stream', createConnection: () => t.createConnection(), describe: `serial ${path}`}, close: () => t.close()}
}
