import {DeviceClient} from './client.js'
import {serviceUartPorts, type SerialPortInfo} from './ftdi.js'
import {runningSims, simConnector} from './select.js'

export interface DiscoveredDevice {
  deviceId: string | null
  kind: 'simulator' | 'serial'
  connectionPath: string
  /** The value to pass as --device to reach it. */
  device: string
  description: string
}

/**
 * Find attached devices: running simulators (by their daemon records, checked alive) and serial ports
 * of MT3620 boards: port B (the service UART) of their FTDI FT4232H (ftdi.ts); with `probeSerial`, only the boards
 * that answer the device API over it (HTTPS on 192.168.35.2:443, the board's CA pinned).
 */
export async function discoverDevices(home: string, opts: {probeSerial?: boolean} = {}): Promise<DiscoveredDevice[]> {
  const out: DiscoveredDevice[] = []
  for (const info of runningSims(home)) {
    const client = new DeviceClient(simConnector(info))
    let deviceId: string | null = info.deviceId ?? null
    try {
      deviceId = (await client.securityState()).deviceIdentifier
    } catch {
      continue // not answering: not attached
    }
    out.push({deviceId, kind: 'simulator', connectionPath: info.socketPath, device: `sim:${info.name}`, description: `simulator '${info.name}'`})
  }
  let ports: SerialPortInfo[] = []
  try {
    const {SerialPort} = await import('serialport')
    ports = await SerialPort.list()
  } catch {
    ports = [] // no udev in containers: list() rejects; PTYs are never listed anyway
  }
  for (const p of serviceUartPorts(ports)) {
    if (!opts.probeSerial) {
      out.push({deviceId: null, kind: 'serial', connectionPath: p.path, device: p.path, description: p.description})
      continue
    }
    try {
      const {openSerialConnector} = await import('./serial-connector.js')
      const {connector, close} = await openSerialConnector(home, p.path)
      try {
        const id = (await new DeviceClient(connector).securityState()).deviceIdentifier
        out.push({deviceId: id, kind: 'serial', connectionPath: p.path, device: p.path, description: p.description})
      } finally {
        await close()
      }
    } catch {
      // does not answer the handshake
    }
  }
  return out
}
