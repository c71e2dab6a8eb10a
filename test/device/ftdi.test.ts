/**
 * Which listed serial ports are an MT3620 board's service UART (port B of its FT4232H). The unit's edge is
 * serialport's list() output: on Linux, serialport's own udevadm parser fed a recorded `udevadm info -e`; for Windows
 * and macOS, the PortInfo entries serialport reports there.
 */
import {describe, expect, test} from '@jest/globals'
import {EventEmitter} from 'node:events'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {linuxList} from '@serialport/bindings-cpp/dist/linux-list.js'
import {ftdiInterface, serviceUartPorts, type SerialPortInfo} from '../../src/device/ftdi.js'

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'serial', 'udevadm-info-mt3620-rdb.txt')

/** serialport's Linux list() with `udevadm info -e` answering from the fixture. */
function listFromUdevadm(text: string): Promise<SerialPortInfo[]> {
  const fakeSpawn = (() => {
    const child = new EventEmitter() as EventEmitter & {stdout: PassThrough}
    child.stdout = new PassThrough()
    setImmediate(() => {
      child.stdout.end(text)
      child.emit('close', 0)
    })
    return child
  }) as unknown as Parameters<typeof linuxList>[0]
  return linuxList(fakeSpawn)
}

describe('FTDI service UART discovery', () => {
  test('Linux: of the board\'s four ttyUSB ports only interface 01 (port B) is listed; other FTDI chips are not', async () => {
    const ports = await listFromUdevadm(readFileSync(fixture, 'utf8'))
    // serialport saw every USB serial port of the fixture
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyUSB2', '/dev/ttyUSB3', '/dev/ttyUSB4'])
    expect(ports.map(ftdiInterface)).toEqual([0, 1, 2, 3, 0])
    expect(serviceUartPorts(ports)).toEqual([
      {path: '/dev/ttyUSB1', serialNumber: 'AS1D2F7A', description: 'MT3620 service UART (Microsoft FT4232H AS1D2F7A, port B)'},
    ])
  })

  test('Windows: the port letter the FTDI driver appends to the serial number in the PNP ID', () => {
    const ports: SerialPortInfo[] = ['A', 'B', 'C', 'D'].map((l, i) => ({
      path: `COM${5 + i}`,
      manufacturer: 'FTDI',
      serialNumber: 'AS1D2F7A',
      pnpId: `FTDIBUS\\VID_0403+PID_6011+AS1D2F7A${l}\\0000`,
      vendorId: '0403',
      productId: '6011',
    }))
    expect(serviceUartPorts(ports).map((p) => p.path)).toEqual(['COM6'])
  })

  test('macOS: the port letter after the serial number in the device name', () => {
    const ports: SerialPortInfo[] = ['A', 'B', 'C', 'D'].map((l) => ({
      path: `/dev/tty.usbserial-AS1D2F7A${l}`,
      manufacturer: 'Microsoft',
      serialNumber: 'AS1D2F7A',
      locationId: '14200000',
      vendorId: '0403',
      productId: '6011',
    }))
    expect(serviceUartPorts(ports).map((p) => p.path)).toEqual(['/dev/tty.usbserial-AS1D2F7AB'])
  })

  test('no interface information: the second port of a whole four-port chip, nothing from a partial one', () => {
    const chip = (serial: string, paths: string[]): SerialPortInfo[] =>
      paths.map((path) => ({path, serialNumber: serial, vendorId: '0403', productId: '6011'}))
    const ports = [
      ...chip('AS000001', ['/dev/ttyUSB12', '/dev/ttyUSB10', '/dev/ttyUSB9', '/dev/ttyUSB11']),
      ...chip('AS000002', ['/dev/ttyUSB20', '/dev/ttyUSB21']),
    ]
    // numeric order: ttyUSB9 (A), ttyUSB10 (B), ttyUSB11 (C), ttyUSB12 (D)
    expect(serviceUartPorts(ports).map((p) => p.path)).toEqual(['/dev/ttyUSB10'])
  })

  test('other products of the vendor and other vendors never match', () => {
    const port = (productId: string, vendorId = '0403'): SerialPortInfo => ({
      path: '/dev/ttyUSB1',
      pnpId: 'usb-Microsoft_MSFT_MT3620_Std_Interface_AS1-if01-port0',
      vendorId,
      productId,
    })
    expect(serviceUartPorts([port('6011')])).toHaveLength(1)
    expect(serviceUartPorts([port('6010')])).toEqual([]) // FT2232H
    expect(serviceUartPorts([port('6011', '1a86')])).toEqual([])
  })
})
