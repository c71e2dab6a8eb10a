import type {Duplex} from 'node:stream'

import {LinkError} from './errors.js'
import {attachTcp, type LinkStats, SlipLink, type SlipLinkOptions} from './slip-link.js'
import type {TcpOptions, TcpStack, TcpStackStats} from './tcp.js'

/** The device's address on the service-UART SLIP link (as on a real board). */
export const DEVICE_ADDRESS = '192.168.35.2'
/** The host's address on the link. */
export const HOST_ADDRESS = '192.168.35.1'
/**
 * Port of the device REST API over the link: HTTPS on 443, as a real MT3620 serves it on its service UART (and as
 * the simulator's `--serial` mode serves it). Nothing listens on port 80: a plain-HTTP client is refused.
 */
export const DEVICE_API_PORT = 443
export const DEVICE_TLS_PORT = DEVICE_API_PORT

/**
 * Line settings of the MT3620 service UART: 921600 baud, 8 data bits, no parity, 1 stop bit, RTS/CTS hardware flow
 * control (the board wires SERVICE_RTS/CTS to the FTDI port; the Azure Sphere SDK for Linux brings the link up with
 * slattach, which sets CRTSCTS). PTYs accept and ignore these settings.
 */
export const SERVICE_UART_LINE = {baudRate: 921_600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: true} as const

export interface SerialLineSettings {
  baudRate?: number
  dataBits?: 5 | 6 | 7 | 8
  parity?: 'none' | 'even' | 'odd'
  stopBits?: 1 | 2
  rtscts?: boolean
}

export interface SerialEndpointOptions extends TcpOptions, SlipLinkOptions, SerialLineSettings {}

/** A serial port carrying SLIP + our userspace TCP. */
export interface SerialEndpoint {
  readonly path: string
  readonly link: SlipLink
  readonly stack: TcpStack
  /** Settles when the link stops: with the LINK_DOWN error if the port failed, undefined after close(). */
  readonly closed: Promise<LinkError | undefined>
  stats(): {link: LinkStats; tcp: TcpStackStats}
  close(): Promise<void>
}

interface PortLike extends Duplex {
  isOpen: boolean
  open(cb: (err: Error | null) => void): void
  close(cb?: (err: Error | null) => void): void
}

/**
 * Open a serial port (or PTY) as a byte Duplex, at the service UART's line settings unless told otherwise.
 * serialport is imported lazily (it is slow to load).
 */
export async function openSerialPort(path: string, opts: SerialLineSettings = {}): Promise<PortLike> {
  let SerialPort: new (o: {path: string; autoOpen: boolean} & Required<SerialLineSettings>) => PortLike
  try {
    ;({SerialPort} = (await import('serialport')) as unknown as {SerialPort: typeof SerialPort})
  } catch (e) {
    throw new LinkError('SERIAL_OPEN_FAILED', `cannot load the serialport module: ${(e as Error).message}`, {cause: e})
  }
  const port = new SerialPort({
    path,
    autoOpen: false,
    baudRate: opts.baudRate ?? SERVICE_UART_LINE.baudRate,
    dataBits: opts.dataBits ?? SERVICE_UART_LINE.dataBits,
    parity: opts.parity ?? SERVICE_UART_LINE.parity,
    stopBits: opts.stopBits ?? SERVICE_UART_LINE.stopBits,
    rtscts: opts.rtscts ?? SERVICE_UART_LINE.rtscts,
  })
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err
        ? reject(
            new LinkError('SERIAL_OPEN_FAILED', `cannot open serial port ${path}: ${err.message}`, {
              cause: err,
              suggestions: ['Check the port path and that no other program holds the port'],
            }),
          )
        : resolve(),
    ),
  )
  return port
}

/** Open `path`, run SLIP on it and a TCP endpoint with `address` on top. */
export async function openSerialEndpoint(
  path: string,
  address: string,
  opts: SerialEndpointOptions = {},
): Promise<SerialEndpoint> {
  const port = await openSerialPort(path, opts)
  const link = new SlipLink(port, opts)
  const stack = attachTcp(link, {...opts, address})
  const closed = new Promise<LinkError | undefined>((resolve) => link.once('close', resolve))
  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      link.close()
      stack.destroy()
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
    })())
  // a port that failed (EIO: the other side of the PTY is gone) is released at once
  void closed.then((err) => {
    if (err) void close()
  })
  return {path, link, stack, closed, close, stats: () => ({link: {...link.stats}, tcp: {...stack.stats}})}
}

/** Anything that accepts injected connections: http.Server, https.Server, net.Server. */
export interface ConnectionSink {
  emit(event: 'connection', socket: Duplex): boolean
}

export interface SerialServer extends SerialEndpoint {
  readonly port: number
}

/**
 * Serve `server` on the device side of a serial link: every TCP connection accepted on `opts.port` (default 443) at
 * 192.168.35.2 is handed over with `server.emit('connection', socket)`. The server (an https.Server for the device
 * API; any net.Server for link tests) need not listen anywhere. Connections to any other port are refused (RST).
 */
export async function serveSerial(
  path: string,
  server: ConnectionSink,
  opts: SerialEndpointOptions & {port?: number; address?: string} = {},
): Promise<SerialServer> {
  const ep = await openSerialEndpoint(path, opts.address ?? DEVICE_ADDRESS, opts)
  const port = opts.port ?? DEVICE_API_PORT
  ep.stack.listen(port, (socket) => {
    server.emit('connection', socket)
  })
  return Object.assign(ep, {port})
}
