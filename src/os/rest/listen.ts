/**
 * Listeners for the REST handler: a Unix socket (plain HTTP, our CLI), HTTPS on TCP (device API
 * clients, issue 10), an https.Server for the TLS connections the serial link hands over, and the
 * host-side device-list service. Every listener registers with the handler's controller, which closes
 * it while the device restarts (new connections are refused) and re-opens it on the same address.
 */
import {existsSync, chmodSync, unlinkSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, {type AddressInfo} from 'node:net'
import {trackOsServer} from '../lsm/os-endpoints.js'
import type {RestHandler} from './server.js'
import {tagTransport} from './transport.js'

export interface RestListener {
  readonly server: net.Server
  /** `unix:<path>`, `https://host:port` or `http://host:port`. */
  readonly url: string
  /** The TCP port actually bound (0 for Unix sockets). */
  readonly port: number
  close(): Promise<void>
}

export interface TlsMaterial {
  key: string
  cert: string
}

const HTTP_OPTIONS = {
  requireHostHeader: false,
  keepAliveTimeout: 5000,
  headersTimeout: 20_000,
  requestTimeout: 120_000,
} as const

function listenOn(server: net.Server, target: {path: string} | {host: string; port: number}): Promise<void> {
  // a TCP listener of the device API is an OS service port: out of every app's reach (lsm/os-endpoints.ts)
  if (!('path' in target)) trackOsServer(server, 'REST API')
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening)
      reject(e)
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    if ('path' in target) server.listen(target.path)
    else server.listen(target.port, target.host)
  })
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/** Is something answering on this Unix socket? */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

async function listenUnixPath(server: net.Server, socketPath: string): Promise<void> {
  try {
    await listenOn(server, {path: socketPath})
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await socketAlive(socketPath))) throw e
    // a stale socket file from a killed daemon: replace it
    unlinkSync(socketPath)
    await listenOn(server, {path: socketPath})
  }
  try {
    chmodSync(socketPath, 0o600)
  } catch {
    // some file systems ignore socket modes
  }
}

function manage(handler: RestHandler, server: http.Server | https.Server, reopen: () => Promise<void>): () => void {
  return handler.controller.register({
    pause: () => closeServer(server),
    resume: reopen,
  })
}

/** Serve the handler over plain HTTP on a Unix domain socket (a stale socket file is replaced). */
export async function listenUnix(handler: RestHandler, socketPath: string): Promise<RestListener> {
  const server = http.createServer(HTTP_OPTIONS, handler)
  server.on('connection', (sock: net.Socket) => tagTransport(sock, 'unix'))
  await listenUnixPath(server, socketPath)
  const unregister = manage(handler, server, () => listenUnixPath(server, socketPath))
  return {
    server,
    url: `unix:${socketPath}`,
    port: 0,
    async close() {
      unregister()
      await closeServer(server)
      if (existsSync(socketPath)) {
        try {
          unlinkSync(socketPath)
        } catch {
          // removed by close already
        }
      }
    },
  }
}

/** Serve the handler over HTTPS (TLS 1.2+) on host:port (port 0: any free port; see `.port`). No SNI needed. */
export async function listenHttps(
  handler: RestHandler,
  host: string,
  port: number,
  tls: TlsMaterial,
): Promise<RestListener> {
  const server = https.createServer({...HTTP_OPTIONS, key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2'}, handler)
  server.on('secureConnection', (sock: net.Socket) => tagTransport(sock, 'https'))
  await listenOn(server, {host, port})
  const bound = (server.address() as AddressInfo).port
  const unregister = manage(handler, server, () => listenOn(server, {host, port: bound}))
  const h = host.includes(':') ? `[${host}]` : host
  return {
    server,
    url: `https://${h}:${bound}`,
    port: bound,
    async close() {
      unregister()
      await closeServer(server)
    },
  }
}

/** Serve the handler over plain HTTP on TCP (127.0.0.1 for local tools that cannot use a Unix socket). */
export async function listenHttp(handler: RestHandler, host: string, port: number): Promise<RestListener> {
  const server = http.createServer(HTTP_OPTIONS, handler)
  server.on('connection', (sock: net.Socket) => tagTransport(sock, 'http'))
  await listenOn(server, {host, port})
  const bound = (server.address() as AddressInfo).port
  const unregister = manage(handler, server, () => listenOn(server, {host, port: bound}))
  return {
    server,
    url: `http://${host}:${bound}`,
    port: bound,
    async close() {
      unregister()
      await closeServer(server)
    },
  }
}

/**
 * The device API on the serial link, as a board serves it on its service UART: an https.Server (TLS 1.2+, the
 * device's certificate) that never listens. Feed it the link's TCP connections to 192.168.35.2:443 with
 * `server.emit('connection', duplex)`; a client that does not speak TLS gets its connection closed during the
 * handshake, never an HTTP answer. While the device restarts, new connections are reset.
 */
export function serialServer(handler: RestHandler, tls: TlsMaterial): https.Server {
  const server = https.createServer({...HTTP_OPTIONS, key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2'}, handler)
  server.on('connection', (sock: net.Socket) => {
    if (handler.controller.restarting) sock.destroy()
  })
  server.on('secureConnection', (sock: net.Socket) => tagTransport(sock, 'serial'))
  // a non-TLS client or a failed handshake: the socket is destroyed by tls; nothing to log per connection
  server.on('tlsClientError', () => undefined)
  return server
}

/** One entry of the host-side device list (GET /api/service/devices). */
export interface ServiceDevice {
  IpAddress: string
  DeviceConnectionPath: string
}

/**
 * Request handler of the device-list service Windows tooling queries at
 * `http://localhost:48938/api/service/devices`: `[{IpAddress, DeviceConnectionPath}]`.
 */
export function createServiceHandler(
  devices: () => ServiceDevice[],
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '')
    let status = 200
    let body: unknown
    if (path.toLowerCase() !== '/api/service/devices') {
      status = 404
      body = {error: 15728642}
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 404
      body = {error: 15728642}
    } else {
      body = devices().map((d) => ({IpAddress: d.IpAddress, DeviceConnectionPath: d.DeviceConnectionPath}))
    }
    const text = JSON.stringify(body)
    res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text))})
    res.end(text)
    req.resume()
  }
}

/** Listen with the device-list service handler on host:port (plain HTTP). */
export async function listenService(devices: () => ServiceDevice[], host: string, port: number): Promise<RestListener> {
  const server = http.createServer(HTTP_OPTIONS, createServiceHandler(devices))
  await listenOn(server, {host, port})
  const bound = (server.address() as AddressInfo).port
  return {
    server,
    url: `http://${host}:${bound}`,
    port: bound,
    close: () => closeServer(server),
  }
}
