import {DeviceClient} from './client.js'
import {runningSims, simConnector} from './select.js'

export interface DiscoveredDevice {
  deviceId: string | null
  kind: 'simulator' | 'serial'
  connectionPath: string
  /** The value to pass as --device to reach it. */
  device: string
  description: string
}

/** USB vendor/product IDs of the FTDI chips on MT3620 boards (FT4232H). */
const FTDI_VENDOR = '0403'
const MT3620_PRODUCTS = new Set(['6011'])

/**
 * Find attached devices: running simulators (by their daemon records, checked alive) and serial ports
 * of MT3620 boards (FTDI FT4232H) that answer the device API handshake.
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
  let ports: {path: string; vendorId?: string | undefined; productId?: string | undefined; manufacturer?: string | undefined}[] = []
  try {
    const {SerialPort} = await import('serialport')
    ports = await SerialPort.list()
  } catch {
    ports = [] // no udev in containers: list() rejects; PTYs are never listed anyway
  }
  for (const p of ports) {
    if (p.vendorId?.toLowerCase() !== FTDI_VENDOR || !MT3620_PRODUCTS.has(p.productId?.toLowerCase() ?? '')) continue
    if (!opts.probeSerial) {
      out.push({deviceId: null, kind: 'serial', connectionPath: p.path, device: p.path, description: p.manufacturer ?? 'FTDI serial port'})
      continue
    }
    try {
      const {openSerialConnector} = await import('./serial-connector.js')
      const {connector, close} = await openSerialConnector(p.path)
      try {
        const id = (await new DeviceClient(connector).securityState()).deviceIdentifier
        out.push({deviceId: id, kind: 'serial', connectionPath: p.path, device: p.path, description: p.manufacturer ?? 'MT3620 board'})
      } finally {
        await close()
      }
    } catch {
      // does not answer the handshake
    }
  }
  return out
}
