import type {Duplex} from 'node:stream'
import {connect as tlsConnect, type ConnectionOptions} from 'node:tls'

import {
  DEVICE_ADDRESS,
  DEVICE_API_PORT,
  HOST_ADDRESS,
  type LinkError,
  type LinkStats,
  openSerialEndpoint,
  type SerialEndpointOptions,
  type TcpStackStats,
} from '../../protocol/link/index.js'

export interface SerialTransportOptions extends SerialEndpointOptions {
  /** Device API port on the link. Default 80 (our simulator: plain HTTP); a real board uses 443 with `tls`. */
  port?: number
  /** Wrap every connection in TLS with these options (e.g. {ca, servername: '*.devices.sphere.azure.local'}). */
  tls?: ConnectionOptions
}

/** Host side of a serial link to a device: one SLIP link + userspace TCP, any number of HTTP connections. */
export interface SerialTransport {
  readonly path: string
  /** A new TCP connection to the device API, for `http.request({createConnection: () => t.createConnection()})`. */
  createConnection(): Duplex
  /** Settles when the link stops: the LINK_DOWN error if the port failed (e.g. socat died), undefined after close. */
  readonly closed: Promise<LinkError | undefined>
  stats(): {link: LinkStats; tcp: TcpStackStats}
  close(): Promise<void>
}

/**
 * Open the serial port at `path` (a USB-serial device or a simulator's PTY) and reach the device API at
 * 192.168.35.2 over SLIP. Connections fail with LinkErrors: TCP_CONNECTION_REFUSED, TCP_TIMEOUT (device silent;
 * keepalive probes notice a dead peer within ~8 s), LINK_DOWN (port gone), SERIAL_OPEN_FAILED (open failed).
 */
export async function createSerialTransport(path: string, opts: SerialTransportOptions = {}): Promise<SerialTransport> {
  const ep = await openSerialEndpoint(path, HOST_ADDRESS, {
    keepAliveIdleMs: 3000,
    keepAliveIntervalMs: 1000,
    keepAliveCount: 5,
    ...opts,
  })
  const port = opts.port ?? DEVICE_API_PORT
  return {
    path,
    closed: ep.closed,
    stats: ep.stats,
    close: ep.close,
    createConnection(): Duplex {
      const socket = ep.stack.connect(DEVICE_ADDRESS, port)
      if (!opts.tls) return socket
      return tlsConnect({...opts.tls, socket})
    },
  }
}
