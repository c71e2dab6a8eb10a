/**
 * The control channel's server: HTTP over the hub's Unix socket, one handler per route of HUB_ROUTES (the
 * handler table is typed by the route names, so a route without a handler does not compile).
 */
import http from 'node:http'
import {HUB_ROUTES, matchHubPath, type HubRoute, type HubRouteName} from './api.js'
import type {AcceptedMessage} from './state.js'
import type {C2dRequest, DeviceIdentity, EnrollmentGroup, HubStatus, MethodResult, Twin} from './types.js'

export interface ControlBackend {
  status(): HubStatus
  listDevices(): DeviceIdentity[]
  showDevice(id: string): DeviceIdentity
  createDevice(id: string, body: Partial<DeviceIdentity>): DeviceIdentity
  deleteDevice(id: string): {deviceId: string}
  showTwin(id: string): Twin
  updateTwin(id: string, body: {desired?: unknown; tags?: unknown}): Twin
  invokeMethod(
    id: string,
    body: {methodName?: unknown; payload?: unknown; responseTimeoutInSeconds?: unknown},
  ): Promise<MethodResult>
  sendC2d(id: string, body: C2dRequest): {messageId: string}
  listGroups(): EnrollmentGroup[]
  createGroup(id: string, body: {caPem?: unknown}): EnrollmentGroup
  monitor(deviceId: string | undefined, since: number | undefined, send: (m: AcceptedMessage) => void): () => void
}

type Ctx = {
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  req: http.IncomingMessage
  res: http.ServerResponse
}
type Handler = (b: ControlBackend, c: Ctx) => unknown

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

const HANDLERS: Record<HubRouteName, Handler> = {
  status: (b) => b.status(),
  listDevices: (b) => b.listDevices(),
  createDevice: (b, c) => b.createDevice(c.params['deviceId']!, obj(c.body) as Partial<DeviceIdentity>),
  showDevice: (b, c) => b.showDevice(c.params['deviceId']!),
  deleteDevice: (b, c) => b.deleteDevice(c.params['deviceId']!),
  showTwin: (b, c) => b.showTwin(c.params['deviceId']!),
  updateTwin: (b, c) => b.updateTwin(c.params['deviceId']!, obj(c.body)),
  invokeMethod: (b, c) => b.invokeMethod(c.params['deviceId']!, obj(c.body)),
  sendC2d: (b, c) => b.sendC2d(c.params['deviceId']!, obj(c.body) as unknown as C2dRequest),
  listGroups: (b) => b.listGroups(),
  createGroup: (b, c) => b.createGroup(c.params['enrollmentGroupId']!, obj(c.body)),
  events: (b, c) => {
    const deviceId = c.query.get('deviceId') ?? undefined
    const sinceText = c.query.get('since')
    const since = sinceText === null ? undefined : Number(sinceText)
    c.res.writeHead(200, {'content-type': 'application/x-ndjson'})
    // the first line says where the stream starts, so a reader that reconnects can ask for what it missed
    c.res.write(JSON.stringify({stream: 'events', sequence: b.status().acceptedMessages}) + '\n')
    const off = b.monitor(deviceId, Number.isFinite(since) ? since : undefined, (m) =>
      c.res.write(JSON.stringify({sequence: m.seq, ...m.event}) + '\n'),
    )
    c.req.on('close', off)
    c.res.on('close', off)
    return STREAMING
  },
}

const STREAMING = Symbol('streaming')
const LIMIT = 1 << 20

export async function serveControl(socketPath: string, backend: ControlBackend): Promise<http.Server> {
  const routes = Object.entries(HUB_ROUTES) as [HubRouteName, HubRoute][]
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub')
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
      res.end(text)
    }
    let found: {name: HubRouteName; params: Record<string, string>} | undefined
    let pathMatched = false
    for (const [name, r] of routes) {
      const params = matchHubPath(r, url.pathname)
      if (!params) continue
      pathMatched = true
      if (r.method === req.method) {
        found = {name, params}
        break
      }
    }
    if (!found) {
      send(pathMatched ? 405 : 404, {
        error: {code: 'HUB_NO_ROUTE', message: `No hub route ${req.method ?? ''} ${url.pathname}.`},
      })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= LIMIT) chunks.push(c)
    })
    req.on('end', () => {
      if (size > LIMIT)
        return send(413, {error: {code: 'HUB_TOO_LARGE', message: 'The request body is larger than 1 MiB.'}})
      let body: unknown
      const text = Buffer.concat(chunks).toString('utf8')
      if (text) {
        try {
          body = JSON.parse(text)
        } catch {
          return send(400, {error: {code: 'HUB_BAD_JSON', message: 'The request body is not JSON.'}})
        }
      }
      const {name, params} = found
      Promise.resolve()
        .then(() => HANDLERS[name](backend, {params, query: url.searchParams, body, req, res}))
        .then(
          (out) => {
            if (out !== STREAMING) send(200, out)
          },
          (e: unknown) => {
            const he = e as {status?: number; code?: string; message?: string}
            if (typeof he.status === 'number' && typeof he.code === 'string')
              send(he.status, {error: {code: he.code, message: he.message}})
            else send(500, {error: {code: 'HUB_INTERNAL', message: (e as Error)?.message ?? String(e)}})
          },
        )
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socketPath, () => resolve())
  })
  return server
}
