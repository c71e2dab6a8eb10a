import http from 'node:http'
import {connect as netConnect} from 'node:net'
import type https from 'node:https'
import type {Duplex} from 'node:stream'
import {SphereError} from '../util/errors.js'
import {eachLine} from '../util/lines.js'
import {DeviceApiError} from './api-error.js'
import {ERROR_DETAIL_HEADER} from '../protocol/rest-api.js'

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface RequestOptions {
  body?: Uint8Array | string | object | undefined
  contentType?: string
  timeoutMs?: number
  /** Called with the number of body bytes written so far (uploads). */
  onProgress?: (sent: number, total: number) => void
}

/** How a transport opens a connection: over a Unix socket, a serial link, or TCP/TLS. */
export type Connector =
  | {kind: 'unix'; socketPath: string}
  | {kind: 'stream'; createConnection: () => Duplex; describe: string}
  | {kind: 'https'; host: string; port: number; ca?: string | undefined}

const UPLOAD_CHUNK = 64 * 1024

/** node:https and the device name check, loaded on the first HTTPS request (the Unix socket needs neither). */
let tlsClient: {https: typeof https; checkDeviceIdentity: typeof import('./device-identity.js').checkDeviceIdentity} | undefined
async function loadTls(): Promise<void> {
  const [h, id] = await Promise.all([import('node:https'), import('./device-identity.js')])
  tlsClient = {https: h.default, checkDeviceIdentity: id.checkDeviceIdentity}
}

/** One HTTP request to a device API over the given connector. */
export function deviceRequest(conn: Connector, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  let payload: Buffer | undefined
  let contentType = opts.contentType
  if (opts.body !== undefined) {
    if (opts.body instanceof Uint8Array) {
      payload = Buffer.from(opts.body.buffer, opts.body.byteOffset, opts.body.byteLength)
      contentType ??= 'application/octet-stream'
    } else if (typeof opts.body === 'string') {
      payload = Buffer.from(opts.body)
      contentType ??= 'application/json'
    } else {
      payload = Buffer.from(JSON.stringify(opts.body))
      contentType ??= 'application/json'
    }
  }
  const headers: http.OutgoingHttpHeaders = {
    Host: '*.devices.sphere.azure.local',
    Accept: 'application/json',
    Connection: 'close',
  }
  if (payload) {
    headers['Content-Type'] = contentType
    headers['Content-Length'] = payload.length
  }
  if (conn.kind === 'https' && !tlsClient) return loadTls().then(() => deviceRequest(conn, method, path, opts))
  return new Promise<HttpResponse>((resolve, reject) => {
    const common = {method, path, headers, agent: false as const}
    let req: http.ClientRequest
    // the Unix socket without an Agent: a connection per request anyway, and an Agent's server-name check costs
    // ~10 ms of regexp compilation on the first request of a process
    if (conn.kind === 'unix') req = http.request({method, path, headers, createConnection: () => netConnect(conn.socketPath) as never})
    // createConnection is only honoured when no agent is given at all (agent: false makes a fresh Agent)
    else if (conn.kind === 'stream') req = http.request({method, path, headers, createConnection: () => conn.createConnection() as never})
    else
      req = tlsClient!.https.request({
        ...common,
        host: conn.host,
        port: conn.port,
        ca: conn.ca,
        checkServerIdentity: tlsClient!.checkDeviceIdentity,
      })
    const timeout = opts.timeoutMs ?? 30_000
    req.setTimeout(timeout, () => req.destroy(new SphereError('DEVICE_TIMEOUT', `The device did not answer ${method} ${path} within ${timeout} ms.`)))
    req.on('error', (e) => reject(connectionError(e, conn)))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (e) => reject(connectionError(e, conn)))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}))
    })
    if (!payload) {
      req.end()
      return
    }
    // Write uploads in chunks so progress can be reported and back-pressure respected.
    const total = payload.length
    let off = 0
    const pump = (): void => {
      while (off < total) {
        const end = Math.min(total, off + UPLOAD_CHUNK)
        const ok = req.write(payload!.subarray(off, end))
        off = end
        opts.onProgress?.(off, total)
        if (!ok) {
          req.once('drain', pump)
          return
        }
      }
      req.end()
    }
    pump()
  })
}

/** A streaming GET (NDJSON): calls onLine for each line until the response ends or the signal aborts. */
export function deviceStream(
  conn: Connector,
  path: string,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (conn.kind === 'https' && !tlsClient) return loadTls().then(() => deviceStream(conn, path, onLine, signal))
  return new Promise<void>((resolve, reject) => {
    const headers = {Host: '*.devices.sphere.azure.local', Accept: 'application/x-ndjson'}
    const common = {method: 'GET', path, headers, agent: false as const, signal}
    let req: http.ClientRequest
    if (conn.kind === 'unix') req = http.request({method: 'GET', path, headers, signal, createConnection: () => netConnect(conn.socketPath) as never})
    else if (conn.kind === 'stream') req = http.request({method: 'GET', path, headers, signal, createConnection: () => conn.createConnection() as never})
    else req = tlsClient!.https.request({...common, host: conn.host, port: conn.port, ca: conn.ca, checkServerIdentity: tlsClient!.checkDeviceIdentity})
    req.on('error', (e) => {
      if (signal?.aborted) resolve()
      else reject(connectionError(e, conn))
    })
    req.on('response', (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => reject(apiError({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}, 'GET', path)))
        return
      }
      eachLine(res, onLine)
      res.on('end', () => resolve())
      res.on('error', (e) => (signal?.aborted ? resolve() : reject(connectionError(e, conn))))
    })
    req.end()
  })
}

export function describeConnector(conn: Connector): string {
  if (conn.kind === 'unix') return `simulator socket ${conn.socketPath}`
  if (conn.kind === 'stream') return conn.describe
  return `https://${conn.host}:${conn.port}`
}

/** Certificate verification failures (OpenSSL's codes as Node reports them, and Node's name check). */
const TLS_TRUST_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

function connectionError(e: unknown, conn: Connector): Error {
  if (e instanceof SphereError) return e
  const err = e as NodeJS.ErrnoException
  const where = describeConnector(conn)
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') {
    return new SphereError('DEVICE_UNREACHABLE', `Cannot reach the device at ${where}: connection refused.`, {
      suggestions: ['Check that the device is attached or start a simulator with `sphere sim start`.'],
      cause: e,
    })
  }
  if (err.code !== undefined && TLS_TRUST_ERRORS.has(err.code)) {
    return new SphereError('DEVICE_CERT_UNTRUSTED', `Untrusted device certificate from ${where}: ${err.message} (${err.code}).`, {
      suggestions: [
        'Point SPHERE_DEVICE_CA at the CA of this device (`sphere sim ca --name NAME > ca.pem` for a simulator), or unset it.',
      ],
      cause: e,
    })
  }
  if (err.code === 'EPROTO' || /SSL routines|ssl3_|tls_/i.test(err.message ?? '')) {
    // OpenSSL's text ("write EPROTO 800C...:error:0A00010B:SSL routines:...") reduced to its reason
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(err.message ?? '')?.[1] ?? 'TLS handshake failed'
    const hint = /wrong version number|packet length too long|http request/i.test(reason)
      ? 'the other end does not speak TLS there (is it the device API port?)'
      : reason
    return new SphereError('DEVICE_TLS_FAILED', `TLS with the device at ${where} failed: ${hint}.`, {cause: e})
  }
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    return new SphereError('DEVICE_CONNECTION_LOST', `The connection to the device at ${where} was lost.`, {cause: e})
  }
  return new SphereError('DEVICE_IO', `Device communication failed (${where}): ${err.message}`, {cause: e})
}

/** Status classes as the Azure Sphere CLI words them. */
const CLASS_PREFIX: Record<number, string> = {
  400: 'An invalid request was made to the device.',
  403: 'You do not have permission to perform this operation on this device.',
  404: 'This resource is unavailable on this device.',
  409: 'The device could not perform this request due to the resource being in a conflicting state.',
  415: 'The media type provided for this operation is unsupported.',
  500: 'An internal device error occurred.',
}

export {DeviceApiError}

/** Turn a non-2xx device response into a DeviceApiError with the device's error code and message. */
export function apiError(
  res: HttpResponse,
  method: string,
  path: string,
  messages?: (code: number) => string | undefined,
  params: Readonly<Record<string, string>> = {},
): DeviceApiError {
  let code: number | undefined
  let detail: string | undefined
  try {
    const j = JSON.parse(res.body.toString('utf8')) as {error?: unknown; message?: unknown}
    if (typeof j.error === 'number') code = j.error
    if (typeof j.message === 'string') detail = j.message
  } catch {
    // not JSON
  }
  const prefix = CLASS_PREFIX[res.status === 412 ? 404 : res.status] ?? `Unexpected HTTP status ${res.status} from ${method} ${path}.`
  // a simulator's reason on the standard API (a header real devices do not send), after the real device's text
  const header = res.headers[ERROR_DETAIL_HEADER]
  const why = detail === undefined && typeof header === 'string' && header.trim() ? header.trim() : undefined
  const known = code !== undefined ? (detail ?? messages?.(code) ?? `Device error ${code}.`) : (detail ?? '')
  const msg = why && why !== known ? `${known} (${why.replace(/\.$/, '')})` : known
  return new DeviceApiError(res.status, code, `${prefix}${msg ? ' ' + msg : ''}`.trim(), code !== undefined ? [`Device error code ${code}.`] : [], params)
}
