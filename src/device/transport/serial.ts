import type {Duplex} from 'node:stream'
import {connect as tlsConnect} from 'node:tls'

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
import {checkDeviceIdentity} from '../device-identity.js'

export interface SerialTransportOptions extends SerialEndpointOptions {
  /** Device API port on the link. Default 443. */
  port?: number
  /**
   * The CA certificate(s) the device's chain must lead to (PEM). Only these are trusted, never the system store: the
   * device certificate check of the real tools (a pinned device CA, chain verified, name `*.devices.sphere.azure.local`).
   */
  ca?: string | Buffer | (string | Buffer)[]
  /**
   * Raw TCP connections without TLS. Only for tests of the link itself (TCP, SLIP, faults): no device serves plain
   * HTTP, and the simulator refuses it.
   */
  raw?: boolean
}

/** Host side of a serial link to a device: one SLIP link + userspace TCP, any number of HTTPS connections. */
export interface SerialTransport {
  readonly path: string
  /**
   * A new connection to the device API: TLS over a userspace TCP connection to 192.168.35.2:443, for
   * `http.request({createConnection: () => t.createConnection()})` (the TLS socket speaks HTTP in the clear).
   */
  createConnection(): Duplex
  /** Settles when the link stops: the LINK_DOWN error if the port failed (e.g. socat died), undefined after close. */
  readonly closed: Promise<LinkError | undefined>
  stats(): {link: LinkStats; tcp: TcpStackStats}
  close(): Promise<void>
}

/**
 * Open the serial port at `path` (a board's service UART or a simulator's PTY) at the service UART's line settings
 * (921600 8N1, RTS/CTS) and reach the device API at https://192.168.35.2:443 over SLIP. Connections fail with
 * LinkErrors: TCP_CONNECTION_REFUSED, TCP_TIMEOUT (device silent; keepalive probes notice a dead peer within ~8 s),
 * LINK_DOWN (port gone), SERIAL_OPEN_FAILED (open failed); or with a TLS error when the device's certificate does not
 * chain to `ca` or does not name *.devices.sphere.azure.local.
 */
export async function createSerialTransport(path: string, opts: SerialTransportOptions = {}): Promise<SerialTransport> {
  if (!opts.raw && opts.ca === undefined) throw new TypeError('createSerialTransport: the device CA (opts.ca) is required for TLS')
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
      if (opts.raw) return socket
      // An IP literal: no SNI (as the real clients), the name checked is the Host header's.
      return tlsConnect({socket, host: DEVICE_ADDRESS, ca: opts.ca, minVersion: 'TLSv1.2', checkServerIdentity: checkDeviceIdentity})
    },
  }
}
