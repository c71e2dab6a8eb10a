import {networkInterfaces} from 'node:os'

/**
 * The host ports the OS itself serves: the device REST API listeners (HTTPS, plain HTTP, the device-list
 * service), the SNTP server, whatever else the simulator opens for itself. No app reaches them, whatever
 * its manifest says: the LSM refuses a `net.connect` to one before AllowedConnections is consulted. The
 * registry is process-wide: in a daemon that serves several devices, every device's service ports are the
 * host's, out of reach of every app of every device.
 */
export interface OsEndpoint {
  protocol: 'tcp' | 'udp'
  /** The address the OS listens on ('0.0.0.0' / '::' for every address of the host). */
  host: string
  port: number
  /** What it is, for the audit reason ("device REST API"). */
  name: string
}

const WILDCARDS = new Set(['0.0.0.0', '::', ''])

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.')
}

/** The host's own IPv4 addresses (a wildcard listener answers on each). */
function hostAddresses(): Set<string> {
  const out = new Set<string>()
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') out.add(a.address)
  return out
}

/**
 * The device REST API a board serves on its service UART: HTTPS on the service address 192.168.35.2, port 443. It
 * is the OS's on every device, whether or not this one serves a serial link; and on a host whose SLIP interface to a
 * real board is up, that address is the board's API, which no simulated app may reach either.
 */
export const SERVICE_UART_API: OsEndpoint = {protocol: 'tcp', host: '192.168.35.2', port: 443, name: 'REST API (service UART)'}

export class OsEndpoints {
  private readonly open = new Set<OsEndpoint>([SERVICE_UART_API])

  /** Record an endpoint while it is open; call the returned function when it closes. */
  add(e: OsEndpoint): () => void {
    const entry = {...e, host: e.host.startsWith('::ffff:') ? e.host.slice(7) : e.host}
    this.open.add(entry)
    return () => this.open.delete(entry)
  }

  /** The OS endpoint an app's destination `ip:port` (IPv4, host view) would reach, if any. */
  find(ip: string, port: number): OsEndpoint | undefined {
    let local: Set<string> | undefined
    for (const e of this.open) {
      if (e.port !== port) continue
      if (e.host === ip) return e
      if (WILDCARDS.has(e.host) && (isLoopback(ip) || (local ??= hostAddresses()).has(ip))) return e
      if (e.host === 'localhost' && isLoopback(ip)) return e
    }
    return undefined
  }

  list(): OsEndpoint[] {
    return [...this.open]
  }
}

/** The one registry of this process. */
export const osEndpoints = new OsEndpoints()

const tracked = new WeakSet<object>()

/**
 * Register a TCP server of the OS while it listens (again after each re-listen, e.g. across a device
 * restart); a Unix-socket server has no port and is ignored.
 */
export function trackOsServer(
  server: {
    on(event: 'listening' | 'close', fn: () => void): unknown
    address(): {address: string; port: number} | string | null
  },
  name: string,
): void {
  if (tracked.has(server)) return
  tracked.add(server)
  let remove: (() => void) | undefined
  server.on('listening', () => {
    remove?.()
    const a = server.address()
    remove = a && typeof a === 'object' ? osEndpoints.add({protocol: 'tcp', host: a.address, port: a.port, name}) : undefined
  })
  server.on('close', () => {
    remove?.()
    remove = undefined
  })
}
