/**
 * Which serial ports are an MT3620 board's service UART. Every Azure Sphere programming interface is an FTDI
 * FT4232H(Q) (USB VID 0403, PID 6011) whose EEPROM holds Microsoft's "MT3620 Standard Interface" configuration
 * (Azure/azure-sphere-hardware-designs, FTDI/MT3620_Standard_Interface.xml: product "MSFT MT3620 Std Interface",
 * serial numbers prefixed "AS"). Its four ports are A = SWD, B = service UART, C = recovery UART (+ reset and
 * recovery control), D = debug UART; the service UART is USB interface 1.
 *
 * How the port letter shows in serialport's `list()` output:
 *   Linux   pnpId `usb-<vendor>_<product>_<serial>-if01-port0` (udev's by-id name): interface 01
 *   Windows pnpId `FTDIBUS\VID_0403+PID_6011+<serial>B\0000`: the driver appends the port letter to the serial
 *   macOS   path  `/dev/cu.usbserial-<serial>B` (or tty.): the port letter after the serial
 * When none of these is there, the four ports of one chip (same serial number or USB location) are taken in path
 * order and the second is port B.
 */

/** The fields of serialport's PortInfo this needs (its list() output). */
export interface SerialPortInfo {
  path: string
  manufacturer?: string | undefined
  serialNumber?: string | undefined
  pnpId?: string | undefined
  locationId?: string | undefined
  productId?: string | undefined
  vendorId?: string | undefined
}

export const FTDI_VENDOR_ID = '0403'
/** FT4232H: the only chip the Azure Sphere tools accept as a programming interface. */
export const FT4232H_PRODUCT_ID = '6011'
/** USB interface number of port B, the service UART. */
export const SERVICE_UART_INTERFACE = 1

export interface ServiceUart {
  path: string
  /** The FTDI chip's serial number (Microsoft's EEPROM image: "AS..."), when the OS reports it. */
  serialNumber: string | undefined
  description: string
}

const isFt4232h = (p: SerialPortInfo): boolean =>
  p.vendorId?.toLowerCase() === FTDI_VENDOR_ID && p.productId?.toLowerCase() === FT4232H_PRODUCT_ID

/** The FTDI interface (0 = A ... 3 = D) a port is, when its list entry says; undefined when it does not. */
export function ftdiInterface(p: SerialPortInfo): number | undefined {
  const linux = /-if(\d{2})(?:-|$)/.exec(p.pnpId ?? '')
  if (linux) return Number(linux[1])
  const windows = /^FTDIBUS\\VID_0403\+PID_6011\+(.+)\\/i.exec(p.pnpId ?? '')
  if (windows) return letterIndex(windows[1]!.slice(-1))
  const serial = p.serialNumber
  const mac = /\/(?:cu|tty)\.usbserial-(.+)$/.exec(p.path)
  if (mac && serial && mac[1]!.length === serial.length + 1 && mac[1]!.startsWith(serial)) return letterIndex(mac[1]!.slice(-1))
  return undefined
}

function letterIndex(c: string): number | undefined {
  const i = 'ABCD'.indexOf(c.toUpperCase())
  return i < 0 ? undefined : i
}

/** The service UARTs among serialport's list() output: port B of every FT4232H. */
export function serviceUartPorts(ports: readonly SerialPortInfo[]): ServiceUart[] {
  const ftdi = ports.filter(isFt4232h)
  const out: SerialPortInfo[] = []
  const unknown = new Map<string, SerialPortInfo[]>()
  for (const p of ftdi) {
    const i = ftdiInterface(p)
    if (i === SERVICE_UART_INTERFACE) out.push(p)
    else if (i === undefined) {
      const chip = p.serialNumber ?? p.locationId ?? ''
      unknown.set(chip, [...(unknown.get(chip) ?? []), p])
    }
  }
  for (const [chip, group] of unknown) {
    // without interface numbers, only a whole chip (all four ports, one identity) can be told apart
    if (chip === '' || group.length !== 4) continue
    out.push([...group].sort((a, b) => a.path.localeCompare(b.path, 'en', {numeric: true}))[SERVICE_UART_INTERFACE]!)
  }
  return out
    .map((p) => ({
      path: p.path,
      serialNumber: p.serialNumber,
      description: `MT3620 service UART (${p.manufacturer ?? 'FTDI'} FT4232H${p.serialNumber ? ` ${p.serialNumber}` : ''}, port B)`,
    }))
    .sort((a, b) => a.path.localeCompare(b.path, 'en', {numeric: true}))
}
