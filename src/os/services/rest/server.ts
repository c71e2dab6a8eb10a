/**
 * The device REST API server: ONE request handler serving the Azure Sphere device API (device-rest-api
 * reference, all 40 endpoints, plus GET /osversion) and our /sphere/ extensions. Listeners (Unix socket,
 * HTTPS, a serial link's emitted Duplex connections) are in listen.ts; they all share this handler.
 */
import {issueCapabilityFile, readCapabilityFile} from '../capability-file.js'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {
  REST_API_VERSION,
  type AppStatusResponse,
  type ManufacturingState,
  type SphereEvent,
} from '../../../protocol/rest-api.js'
import {CertStore} from '../certstore.js'
import {NetConfig, WIFI_INTERFACE} from '../netconfig.js'
import {SideloadSettings} from '../sideload-settings.js'
import {Telemetry} from '../telemetry.js'
import {WifiConfig} from '../wifi.js'
import {sharedDeviceStores} from '../system-services.js'
import type {BackendEvent, RestBackend} from './backend.js'
import {RestError, restError, toRestError} from './errors.js'
import {PRIVILEGED_TRANSPORTS, transportOf} from './transport.js'

export const DEFAULT_MAX_IMAGE_BYTES = 8 * 1024 * 1024
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024
/** Hard cap on bytes we read and discard from a refused request before closing the connection. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024
/** A streaming client that lets this much pile up unread is disconnected. */
const MAX_STREAM_BACKLOG = 1024 * 1024

/** The state the REST API serves beyond what the Device models. */
export interface RestServices {
  certs: CertStore
  net: NetConfig
  wifi: WifiConfig
  telemetry: Telemetry
  sideload: SideloadSettings
}

/** Open the services persisted under `stateDir` (in memory when undefined). */
export function openRestServices(stateDir: string | undefined, deviceSeed?: string): RestServices {
  // the certificate store and Wi-Fi networks are shared with the device's apps (CertStore_* / WifiConfig_* calls)
  const stores = sharedDeviceStores(stateDir)
  return {
    certs: stores.certs,
    net: NetConfig.open(stateDir, deviceSeed),
    wifi: stores.wifi,
    telemetry: Telemetry.open(stateDir),
    sideload: SideloadSettings.open(stateDir),
  }
}

export interface RestServerOptions {
  /** Where the services keep their state (the device's state dir). Undefined: in memory. */
  stateDir?: string
  /** Use these services instead of opening them from stateDir. */
  services?: RestServices
  /** Largest accepted image upload (default 8 MiB). */
  maxImageBytes?: number
  /** Largest accepted JSON body (default 64 KiB). */
  maxJsonBytes?: number
  /** Reported in /sphere/device. */
  name?: string
  transport?: string
  /** Heartbeat period of /sphere/events (default 5000 ms). */
  heartbeatMs?: number
  /** Called with each restart phase (daemon logging). */
  onRestart?: (phase: 'begin' | 'end', error?: unknown) => void
}

/** A listener the controller pauses (stops accepting) during a restart. */
export interface ManagedListener {
  pause(): Promise<void>
  resume(): Promise<void>
}

/** A Node http `(req, res)` listener with the controller behind it. */
export interface RestHandler {
  (req: IncomingMessage, res: ServerResponse): void
  readonly controller: RestController
}

interface Route {
  re: RegExp
  methods: Partial<Record<string, (c: Ctx) => Promise<void> | void>>
}

interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  params: string[]
  query: URLSearchParams
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MFG_ORDER: Record<ManufacturingState, number> = {Unknown: 0, Blank: 0, Module1Complete: 1, DeviceComplete: 2}

// ---------------------------------------------------------------------------------------------------
// Response helpers

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

function sendBytes(res: ServerResponse, bytes: Uint8Array): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(200, {'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length)})
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

function sendError(res: ServerResponse, e: RestError, headers: Record<string, string> = {}, detail = false): void {
  // /sphere/ extensions add a `message` (clients of the standard API ignore extra keys, but we keep those bodies exact)
  sendJson(res, e.status, detail && e.message ? {error: e.code, message: e.message} : {error: e.code}, headers)
}

/** Error while the request body may still be arriving: answer, close the connection, drain a bounded amount. */
function refuse(req: IncomingMessage, res: ServerResponse, e: RestError): void {
  const complete = req.complete
  sendError(res, e, complete ? {} : {Connection: 'close'}, (req.url ?? '').startsWith('/sphere/'))
  if (!complete) {
    let drained = 0
    req.on('data', (d: Buffer) => {
      drained += d.length
      if (drained > MAX_DRAIN_BYTES) req.socket.destroy()
    })
    req.resume()
  }
}

class BodyError extends Error {
  constructor(readonly rest: RestError | undefined) {
    super(rest ? rest.message : 'request aborted')
  }
}

/** Read the whole body, refusing more than `limit` bytes (`tooBig` says how). Rejects on abort. */
function readBody(req: IncomingMessage, limit: number, tooBig: RestError): Promise<Buffer> {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new BodyError(tooBig))
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (err?: BodyError) => {
      if (done) return
      done = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('close', onClose)
      if (err) reject(err)
      else resolve(Buffer.concat(chunks, size))
    }
    const onData = (d: Buffer) => {
      size += d.length
      if (size > limit) {
        req.pause()
        finish(new BodyError(tooBig))
        return
      }
      chunks.push(d)
    }
    const onEnd = () => finish()
    const onClose = () => {
      if (!req.complete) finish(new BodyError(undefined))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('close', onClose)
    req.on('error', () => finish(new BodyError(undefined)))
  })
}

function isJsonType(ct: string | undefined): boolean {
  if (ct === undefined || ct === '') return true
  const base = ct.split(';')[0]!.trim().toLowerCase()
  return base === 'application/json' || base.endsWith('+json') || base === 'text/json'
}

// ---------------------------------------------------------------------------------------------------
// Event hub: one backend subscription fanned out to every /sphere/events and log-follow stream.

interface Stream {
  res: ServerResponse
  onEvent(e: BackendEvent): void
  onCoalesced?(e: SphereEvent): void
}

class EventHub {
  private readonly streams = new Set<Stream>()
  private unsubscribe: (() => void) | undefined
  private pending = new Set<'apps' | 'device' | 'world'>()
  private timer: NodeJS.Timeout | undefined
  private heartbeat: NodeJS.Timeout | undefined

  constructor(
    private readonly backend: RestBackend,
    private readonly deviceInfo: () => SphereEvent & {type: 'device'},
    private readonly heartbeatMs: number,
  ) {}

  add(s: Stream): () => void {
    this.streams.add(s)
    if (!this.unsubscribe) {
      this.unsubscribe = this.backend.subscribe((e) => this.dispatch(e))
      this.heartbeat = setInterval(() => this.coalesced({type: 'heartbeat', time: Date.now()}), this.heartbeatMs)
      this.heartbeat.unref()
    }
    return () => this.remove(s)
  }

  private remove(s: Stream): void {
    this.streams.delete(s)
    if (this.streams.size === 0) this.stopSubscription()
  }

  private stopSubscription(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = undefined
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.pending.clear()
  }

  /** Push a device snapshot now (capability grant, manufacturing state, network change). */
  deviceChanged(): void {
    this.dispatch({type: 'device'})
  }

  private dispatch(e: BackendEvent): void {
    for (const s of [...this.streams]) s.onEvent(e)
    if (e.type === 'apps' || e.type === 'device' || e.type === 'world' || e.type === 'crash') {
      this.pending.add(e.type === 'crash' ? 'apps' : e.type)
      // coalesce bursts (a memory change per syscall, a process flapping) into one line per 50 ms
      this.timer ??= setTimeout(() => this.flush(), 50)
    }
  }

  private flush(): void {
    this.timer = undefined
    const kinds = [...this.pending]
    this.pending.clear()
    const time = Date.now()
    for (const k of kinds) {
      try {
        if (k === 'apps') this.coalesced({type: 'apps', time, apps: this.backend.apps()})
        else if (k === 'world') this.coalesced({type: 'world', time, world: this.backend.world()})
        else this.coalesced(this.deviceInfo())
      } catch {
        // the backend is restarting: the stream closes anyway
      }
    }
  }

  private coalesced(e: SphereEvent): void {
    for (const s of [...this.streams]) s.onCoalesced?.(e)
  }

  /** End every stream (restart, shutdown). */
  closeAll(): void {
    for (const s of [...this.streams]) s.res.destroy()
    this.streams.clear()
    this.stopSubscription()
  }
}

function writeLine(res: ServerResponse, obj: unknown): void {
  if (res.destroyed || res.writableEnded) return
  res.write(`${JSON.stringify(obj)}\n`)
  if (res.writableLength > MAX_STREAM_BACKLOG) res.destroy()
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/x-ndjson',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  })
  res.flushHeaders()
  res.socket?.setNoDelay(true)
}

// ---------------------------------------------------------------------------------------------------

export class RestController {
  readonly backend: RestBackend
  readonly services: RestServices
  readonly opts: RestServerOptions
  private restartingFlag = false
  private readonly listeners = new Set<ManagedListener>()
  private readonly hub: EventHub
  private readonly routes: Route[]
  private unsubscribeTelemetry: (() => void) | undefined
  private restartPromise: Promise<void> | undefined
  private closed = false

  constructor(backend: RestBackend, opts: RestServerOptions = {}) {
    this.backend = backend
    this.opts = opts
    this.services =
      opts.services ??
      openRestServices(
        opts.stateDir,
        safe(() => backend.deviceId(), 'sphere-sim'),
      )
    this.hub = new EventHub(
      backend,
      () => ({type: 'device', time: Date.now(), device: this.deviceInfo()}),
      opts.heartbeatMs ?? 5000,
    )
    this.services.net.onChange(() => this.hub.deviceChanged())
    backend.useNetConfig?.(this.services.net)
    this.unsubscribeTelemetry = backend.subscribe((e) => {
      if (e.type === 'crash')
        this.services.telemetry.record({
          time: Date.now(),
          kind: 'app-crash',
          componentId: e.componentId,
          detail: e.reason,
        })
    })
    this.routes = this.buildRoutes()
  }

  get restarting(): boolean {
    return this.restartingFlag
  }

  /** Listeners register so a restart can stop and restart accepting on them. */
  register(l: ManagedListener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  /** Stop streams and the backend subscription (the listeners are closed by their owners). */
  close(): void {
    this.closed = true
    this.hub.closeAll()
    this.unsubscribeTelemetry?.()
    this.unsubscribeTelemetry = undefined
  }

  /**
   * Reboot the device: stop accepting on every listener, end open streams, restart the backend (uptime
   * resets, installed apps survive), reset runtime network state, accept again. Concurrent calls share one restart.
   */
  restart(): Promise<void> {
    this.restartPromise ??= this.doRestart().finally(() => {
      this.restartPromise = undefined
    })
    return this.restartPromise
  }

  private async doRestart(): Promise<void> {
    this.restartingFlag = true
    this.opts.onRestart?.('begin')
    let error: unknown
    try {
      this.hub.closeAll()
      await Promise.all([...this.listeners].map((l) => l.pause().catch(() => undefined)))
      await this.backend.restart()
    } catch (e) {
      error = e
    } finally {
      this.services.net.reboot()
      this.services.telemetry.record({time: Date.now(), kind: 'restart'})
      if (!this.closed) await Promise.all([...this.listeners].map((l) => l.resume().catch(() => undefined)))
      this.restartingFlag = false
      this.opts.onRestart?.('end', error)
    }
  }

  deviceInfo() {
    const info = {...this.backend.deviceInfo()}
    if (this.opts.name !== undefined) info.name = this.opts.name
    if (this.opts.transport !== undefined) info.transport = this.opts.transport
    return info
  }

  /** The request listener body. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.restartingFlag || this.closed) {
      // refuse while restarting: reset the connection rather than answer (clients retry connection errors)
      req.socket.destroy()
      return
    }
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    let path = q < 0 ? url : url.slice(0, q)
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
    const method = (req.method ?? 'GET').toUpperCase()
    for (const r of this.routes) {
      const m = r.re.exec(path)
      if (!m) continue
      const fn = r.methods[method] ?? (method === 'HEAD' ? r.methods.GET : undefined)
      if (!fn) {
        // wrong method: clients only understand 400/403/404/409/415/500, so 404 + "Invalid request URI." with Allow
        refuse(req, res, restError(404, 'invalidUri'))
        return
      }
      const ctx: Ctx = {req, res, params: m.slice(1), query}
      Promise.resolve()
        .then(() => fn(ctx))
        .catch((e: unknown) => {
          if (e instanceof BodyError) {
            if (e.rest) refuse(req, res, e.rest)
            else req.socket.destroy()
            return
          }
          const re = toRestError(e)
          if (res.headersSent) res.destroy()
          else refuse(req, res, re)
        })
      return
    }
    refuse(req, res, restError(404, 'invalidUri'))
  }

  // ---- body helpers ----

  private async json(c: Ctx, opts: {optional?: boolean} = {}): Promise<Record<string, unknown>> {
    if (!isJsonType(c.req.headers['content-type'])) throw new BodyError(restError(415, 'invalidUri'))
    const buf = await readBody(c.req, this.opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, restError(400, 'invalidUri'))
    const text = buf.toString('utf8').trim()
    if (text === '') {
      if (opts.optional) return {}
      throw restError(400, 'invalidUri', 'a JSON body is required')
    }
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw restError(400, 'invalidUri', 'the body is not valid JSON')
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw restError(400, 'invalidUri', 'the body must be a JSON object')
    return v as Record<string, unknown>
  }

  /** Requests without a body (GET, DELETE, POST restart): discard anything sent, bounded. */
  private async noBody(c: Ctx): Promise<void> {
    if (c.req.complete) return
    await readBody(c.req, this.opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, restError(400, 'invalidUri'))
  }

  /**
   * The simulator's privileged extensions (granting capabilities without a signed file, issuing capability
   * files, changing the simulated world) are accepted only on the local Unix socket: a peer on the HTTPS
   * listener or the serial link must not raise the device's privileges. Untagged sockets (a handler served by
   * hand) count as the transport given in the options. Refused with 403 before the body is read.
   */
  private privileged(c: Ctx, what: string): void {
    const t = transportOf(c.req.socket) ?? this.opts.transport
    if (t !== undefined && (PRIVILEGED_TRANSPORTS as readonly string[]).includes(t)) return
    throw new BodyError(
      restError(403, 'invalidUri', `${what} is accepted only on the device's local socket, not over ${t ?? 'this connection'}`),
    )
  }

  private cid(raw: string): string {
    const cid = safeDecode(raw)
      .toLowerCase()
      .replace(/^\{|\}$/g, '')
    if (!UUID_RE.test(cid)) throw restError(404, 'invalidUri', `'${raw}' is not a component ID`)
    return cid
  }

  private capabilityDir(): string {
    if (!this.opts.stateDir) throw restError(500, 'busy', 'capability files need a device state directory')
    return this.opts.stateDir
  }

  private async capabilityBody(c: Ctx): Promise<Buffer> {
    return readBody(c.req, this.opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, restError(400, 'invalidUri', 'capability file too large'))
  }

  private sideloadAllowed(): boolean {
    const caps = this.backend.capabilityNames()
    if (caps.includes('fieldServicing')) return true
    if (this.backend.manufacturingState() === 'DeviceComplete') return false
    return caps.includes('appDevelopment')
  }

  private wifiUpOr500(): void {
    if (!this.services.net.wifiUp) throw restError(500, 'wifiDisabled')
  }

  // ---- routes ----

  private buildRoutes(): Route[] {
    const b = this.backend
    const s = this.services
    const ok = (c: Ctx) => sendJson(c.res, 200, {})
    const get = (fn: (c: Ctx) => unknown) => async (c: Ctx) => {
      await this.noBody(c)
      sendJson(c.res, 200, await fn(c))
    }
    const routes: [string, Route['methods']][] = [
      // ---- §5 device ----
      [
        '/status',
        {
          GET: async (c) => {
            await this.noBody(c)
            sendJson(c.res, 200, {uptime: Math.floor(b.uptimeSeconds())}, {'REST-API-Version': REST_API_VERSION})
          },
        },
      ],
      [
        '/restart',
        {
          POST: async (c) => {
            await this.noBody(c)
            sendJson(c.res, 200, {restartingSystem: true}, {Connection: 'close'})
            // restart only once the reply is out: after the connection closed (or a short grace period)
            let started = false
            const go = () => {
              if (started) return
              started = true
              void this.restart()
            }
            c.res.on('finish', () => {
              const sock = c.req.socket
              sock.once('close', go)
              setTimeout(go, 250).unref()
            })
            c.res.on('close', () => setTimeout(go, 250).unref())
          },
        },
      ],
      ['/osversion', {GET: get(() => ({osversion: b.osVersion()}))}],
      [
        '/device/security_state',
        {
          GET: get(() => ({
            securityState: 'SECURE',
            deviceIdentifier: b.deviceId(),
            deviceIdentityPublicKey: b.deviceId().slice(0, 128).padEnd(128, '0'),
          })),
        },
      ],
      ['/device/capabilities', {GET: get(() => ({device_capabilities: b.capabilityCodes()}))}],
      [
        '/device/manufacturing_state',
        {
          GET: get(() => ({manufacturingState: b.manufacturingState()})),
          PUT: async (c) => {
            const body = await this.json(c)
            const want = body.manufacturingState
            if (want !== 'Module1Complete' && want !== 'DeviceComplete')
              throw restError(400, 'invalidUri', 'manufacturingState must be Module1Complete or DeviceComplete')
            const cur = b.manufacturingState()
            // irreversible: never step back
            if (MFG_ORDER[want] < MFG_ORDER[cur])
              throw restError(409, 'busy', `the device is already ${cur}; manufacturing state cannot go back`)
            if (want !== cur) {
              b.setManufacturingState(want)
              this.hub.deviceChanged()
            }
            ok(c)
          },
        },
      ],
      [
        '/log',
        {
          GET: async (c) => {
            await this.noBody(c)
            const bytes = b.diagnosticLog()
            sendBytes(c.res, bytes.length ? bytes : Buffer.from('\n'))
          },
        },
      ],
      [
        '/telemetry',
        {
          GET: async (c) => {
            await this.noBody(c)
            sendBytes(c.res, s.telemetry.bytes())
          },
          DELETE: async (c) => {
            await this.noBody(c)
            s.telemetry.clear()
            ok(c)
          },
        },
      ],
      ['/stats/memory/groups/applications', {GET: get(() => ({memoryStats: b.memoryStats()}))}],

      // ---- §6 applications ----
      [
        '/app/status/([^/]+)',
        {
          GET: get((c) => appStatusBody(b.appStatus(this.cid(c.params[0]!)))),
          PATCH: async (c) => {
            const cid = this.cid(c.params[0]!)
            const body = await this.json(c)
            const t = body.trigger
            if (t !== 'start' && t !== 'stop' && t !== 'startDebug')
              throw restError(400, 'invalidUri', "trigger must be 'start', 'stop' or 'startDebug'")
            if (!b.appStatus(cid)) throw restError(409, 'appNotPresent')
            const st = await b.controlApp(cid, t)
            sendJson(c.res, 200, appStatusBody(st))
          },
        },
      ],
      [
        '/app/quota/([^/]+)',
        {
          GET: get((c) => {
            const q = b.appQuota(this.cid(c.params[0]!))
            if (!q) throw restError(404, 'appNotPresent')
            return {UsageKB: q.UsageKB, LimitKB: q.LimitKB}
          }),
        },
      ],
      [
        '/app/image/([^/]+)',
        {
          DELETE: async (c) => {
            const cid = this.cid(c.params[0]!)
            await this.noBody(c)
            await b.uninstall(cid)
            ok(c)
          },
        },
      ],
      ['/images', {GET: get(() => b.images())}],
      [
        '/update/stage',
        {
          PUT: async (c) => {
            if (!this.sideloadAllowed()) {
              throw new BodyError(
                restError(
                  403,
                  'imageNotStaged',
                  'sideloading needs the appDevelopment capability (or fieldServicing after DeviceComplete)',
                ),
              )
            }
            const ct = c.req.headers['content-type']
            if (ct !== undefined && ct.split(';')[0]!.trim().toLowerCase() !== 'application/octet-stream') {
              throw new BodyError(
                restError(415, 'imageNotStaged', 'the image must be sent as application/octet-stream'),
              )
            }
            const bytes = await readBody(
              c.req,
              this.opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES,
              restError(400, 'noSpace', 'the image package is too large'),
            )
            if (bytes.length === 0) throw restError(400, 'imageNotStaged', 'empty upload')
            const pkg = b.verifyPackage(bytes)
            b.stage(bytes, pkg)
            this.hub.deviceChanged()
            ok(c)
          },
        },
      ],
      [
        '/update/install',
        {
          POST: async (c) => {
            const body = await this.json(c, {optional: true})
            const mode = body.appControlMode ?? 'Auto'
            if (mode !== 'Auto' && mode !== 'Manual')
              throw restError(400, 'invalidUri', "appControlMode must be 'Auto' or 'Manual'")
            await b.installStaged({start: mode === 'Auto'})
            ok(c)
          },
        },
      ],

      // ---- §7 certificate store ----
      ['/certstore/certs', {GET: get(() => ({identifiers: s.certs.list()}))}],
      [
        '/certstore/certs/([^/]+)',
        {
          GET: get((c) => {
            const d = s.certs.get(safeDecode(c.params[0]!))
            if (!d) throw restError(404, 'certNotFound')
            return d
          }),
          POST: async (c) => {
            const body = await this.json(c)
            s.certs.add(safeDecode(c.params[0]!), body as {certType: unknown; publicCert: unknown})
            ok(c)
          },
          DELETE: async (c) => {
            await this.noBody(c)
            if (!s.certs.remove(safeDecode(c.params[0]!))) throw restError(404, 'certNotFound')
            ok(c)
          },
        },
      ],
      ['/certstore/space', {GET: get(() => ({AvailableSpace: s.certs.availableSpaceString()}))}],

      // ---- §8 network ----
      ['/net/interfaces', {GET: get(() => ({interfaces: s.net.interfaces()}))}],
      [
        '/net/interfaces/([^/]+)',
        {
          GET: get((c) => {
            const v = s.net.iface(safeDecode(c.params[0]!))
            if (!v) throw restError(404, 'invalidUri')
            return v
          }),
          PATCH: async (c) => {
            const name = safeDecode(c.params[0]!)
            const body = await this.json(c)
            if (!s.net.iface(name)) throw restError(404, 'invalidUri')
            if (typeof body.interfaceUp !== 'boolean')
              throw restError(400, 'invalidUri', 'interfaceUp must be a boolean')
            s.net.setUp(name, body.interfaceUp)
            ok(c)
          },
        },
      ],
      ['/net/status', {GET: get(() => s.net.status())}],
      [
        '/net/firewall/rulesets',
        {GET: get(() => ({rulesets: s.net.firewallRulesets(b.firewallAllowances?.() ?? [])}))},
      ],
      [
        '/net/proxy',
        {
          GET: get(() => s.net.proxy() ?? {}),
          POST: async (c) => {
            const body = await this.json(c)
            sendJson(c.res, 200, s.net.setProxy(body))
          },
          DELETE: async (c) => {
            await this.noBody(c)
            s.net.deleteProxy()
            ok(c)
          },
        },
      ],
      [
        '/wifi/diagnostics/networks',
        {
          GET: get(() => {
            this.wifiUpOr500()
            return {values: []}
          }),
        },
      ],
      [
        '/wifi/diagnostics/networks/([^/]+)',
        {
          GET: get(() => {
            this.wifiUpOr500()
            // no failed connection attempts are recorded
            throw restError(404, 'networkNotFound')
          }),
        },
      ],

      // ---- §9 Wi-Fi ----
      [
        '/wifi/config/networks',
        {
          GET: get(() => {
            this.wifiUpOr500()
            return {values: s.wifi.list()}
          }),
          POST: async (c) => {
            const body = await this.json(c)
            sendJson(c.res, 200, s.wifi.add(body))
          },
        },
      ],
      [
        '/wifi/config/networks/([^/]+)',
        {
          GET: get((c) => {
            const v = s.wifi.get(networkId(c.params[0]!))
            if (!v) throw restError(404, 'networkNotFound')
            return v
          }),
          PATCH: async (c) => {
            const body = await this.json(c)
            sendJson(c.res, 200, s.wifi.update(networkId(c.params[0]!), body))
          },
          DELETE: async (c) => {
            await this.noBody(c)
            this.wifiUpOr500()
            if (!s.wifi.remove(networkId(c.params[0]!))) throw restError(404, 'networkNotFound')
            ok(c)
          },
        },
      ],
      [
        '/wifi/interface',
        {
          GET: get(() => s.wifi.interfaceStatus(s.net.iface(WIFI_INTERFACE)?.hardwareAddress ?? '', s.net.wifiUp)),
          PATCH: async (c) => {
            const body = await this.json(c)
            if (body.reloadConfig !== undefined && typeof body.reloadConfig !== 'boolean')
              throw restError(400, 'invalidUri', 'reloadConfig must be a boolean')
            ok(c)
          },
        },
      ],
      [
        '/wifi/scan',
        {
          GET: get(() => {
            this.wifiUpOr500()
            return {values: s.wifi.scan()}
          }),
        },
      ],

      // ---- /sphere/ extensions ----
      ['/sphere/device', {GET: get(() => this.deviceInfo())}],
      [
        '/sphere/device/capabilities',
        {
          GET: get(() => ({capabilities: b.capabilityNames(), device_capabilities: b.capabilityCodes()})),
          POST: async (c) => {
            const body = await this.json(c)
            const caps = body.capabilities ?? []
            const revoke = body.revoke ?? []
            const names = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')
            if (!names(caps) || !names(revoke) || caps.length + revoke.length === 0)
              throw restError(400, 'invalidUri', 'capabilities / revoke must be arrays of names, not both empty')
            // dropping a capability is allowed on any transport; granting one is not
            if (caps.length > 0) this.privileged(c, 'granting device capabilities')
            if (caps.length > 0) b.grantCapabilities(caps)
            if (revoke.length > 0) b.revokeCapabilities(revoke)
            this.hub.deviceChanged()
            sendJson(c.res, 200, {capabilities: b.capabilityNames(), device_capabilities: b.capabilityCodes()})
          },
        },
      ],
      [
        '/sphere/capability/file',
        {
          // device capability download: the simulator issues a .cap file bound to itself, signed by its CA
          POST: async (c) => {
            this.privileged(c, 'issuing a capability file')
            const body = await this.json(c)
            const types = body.capabilities ?? []
            if (!Array.isArray(types) || types.some((x) => typeof x !== 'string'))
              throw restError(400, 'invalidUri', 'capabilities must be an array of names')
            sendBytes(c.res, issueCapabilityFile(this.capabilityDir(), b.deviceId(), types as string[]))
          },
        },
      ],
      [
        '/sphere/capability',
        {
          // device capability update: verify the file against this device, then persist its capabilities
          PUT: async (c) => {
            const caps = readCapabilityFile(this.capabilityDir(), b.deviceId(), await this.capabilityBody(c))
            b.setCapabilities(caps)
            this.hub.deviceChanged()
            sendJson(c.res, 200, {capabilities: b.capabilityNames(), device_capabilities: b.capabilityCodes()})
          },
        },
      ],
      [
        '/sphere/capability/session',
        {
          // device capability apply: a temporary session (not persisted; ends on restart or DELETE)
          PUT: async (c) => {
            const caps = readCapabilityFile(this.capabilityDir(), b.deviceId(), await this.capabilityBody(c))
            b.setSessionCapabilities(caps)
            this.hub.deviceChanged()
            sendJson(c.res, 200, {capabilities: b.capabilityNames(), session: caps})
          },
          DELETE: async (c) => {
            await this.noBody(c)
            b.setSessionCapabilities(null)
            this.hub.deviceChanged()
            sendJson(c.res, 200, {capabilities: b.capabilityNames(), session: []})
          },
        },
      ],
      ['/sphere/apps', {GET: get(() => b.apps())}],
      ['/sphere/apps/([^/]+)/log', {GET: (c) => this.appLog(c)}],
      [
        '/sphere/apps/([^/]+)/capabilities',
        {
          GET: get((c) => {
            const report = b.capabilityAudit?.(this.cid(c.params[0]!))
            if (!report) throw restError(404, 'appNotPresent')
            return report
          }),
        },
      ],
      [
        '/sphere/updates',
        {
          GET: get(() => b.updateStatus?.() ?? {osVersion: b.osVersion(), os: {}, history: []}),
          // an update "from the cloud": verified like a sideload, installed into the other A/B slot on trial
          POST: async (c) => {
            if (!b.applyUpdate) throw restError(404, 'invalidUri', 'this device has no update agent')
            const ct = c.req.headers['content-type']
            if (ct !== undefined && ct.split(';')[0]!.trim().toLowerCase() !== 'application/octet-stream')
              throw new BodyError(restError(415, 'imageNotStaged', 'the image must be sent as application/octet-stream'))
            const bytes = await readBody(c.req, this.opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES, restError(400, 'noSpace', 'image too large'))
            const r = await b.applyUpdate(bytes)
            sendJson(c.res, 200, r)
          },
        },
      ],
      ['/sphere/audit', {GET: get((c) => b.audit(sinceParam(c.query)))}],
      ['/sphere/events', {GET: (c) => this.events(c)}],
      [
        '/sphere/world',
        {
          GET: get(() => b.world()),
          PATCH: async (c) => {
            this.privileged(c, 'changing the simulated world')
            const body = await this.json(c)
            const set = body.set
            if (!set || typeof set !== 'object' || Array.isArray(set))
              throw restError(400, 'invalidUri', 'expected {"set": {path: value}}')
            sendJson(c.res, 200, b.setWorld(set as Record<string, unknown>))
          },
        },
      ],
      [
        '/sphere/world/press',
        {
          POST: async (c) => {
            this.privileged(c, 'pressing a simulated button')
            const body = await this.json(c)
            if (typeof body.button !== 'string' || body.button === '')
              throw restError(400, 'invalidUri', 'button must be a name such as A')
            const hold = body.holdMs
            if (hold !== undefined && (typeof hold !== 'number' || !(hold >= 0 && hold <= 60_000)))
              throw restError(400, 'invalidUri', 'holdMs must be 0-60000')
            sendJson(c.res, 200, await b.press(body.button, hold as number | undefined))
          },
        },
      ],
      [
        '/sphere/sideload/timeout',
        {
          GET: get(() => ({timeoutMinutes: s.sideload.deploymentTimeout()})),
          PUT: async (c) => {
            const body = await this.json(c)
            const t = body.timeoutMinutes
            if (t !== null && (typeof t !== 'number' || !Number.isFinite(t) || t < 0))
              throw restError(400, 'invalidUri', 'timeoutMinutes must be a non-negative number or null')
            try {
              s.sideload.setDeploymentTimeout(t as number | null)
            } catch (e) {
              throw restError(400, 'invalidUri', (e as Error).message)
            }
            sendJson(c.res, 200, {timeoutMinutes: s.sideload.deploymentTimeout()})
          },
        },
      ],
    ]
    return routes.map(([p, methods]) => ({re: new RegExp(`^${p}$`), methods}))
  }

  private async appLog(c: Ctx): Promise<void> {
    const cid = this.cid(c.params[0]!)
    await this.noBody(c)
    let since = sinceParam(c.query)
    const entries = this.backend.appLog(cid, since)
    if (!entries) throw restError(404, 'appNotPresent')
    const follow = c.query.get('follow') === '1' || c.query.get('follow') === 'true'
    if (!follow) {
      const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('')
      c.res.writeHead(200, {'Content-Type': 'application/x-ndjson', 'Content-Length': String(Buffer.byteLength(text))})
      c.res.end(text)
      return
    }
    startStream(c.res)
    for (const e of entries) {
      writeLine(c.res, e)
      since = Math.max(since, e.seq)
    }
    const remove = this.hub.add({
      res: c.res,
      onEvent: (e) => {
        if (e.type !== 'log' || e.componentId !== cid || e.entry.seq <= since) return
        since = e.entry.seq
        writeLine(c.res, e.entry)
      },
    })
    c.res.on('close', remove)
  }

  private async events(c: Ctx): Promise<void> {
    await this.noBody(c)
    const b = this.backend
    startStream(c.res)
    writeLine(c.res, {
      type: 'snapshot',
      time: Date.now(),
      device: this.deviceInfo(),
      apps: b.apps(),
      world: b.world(),
    } satisfies SphereEvent)
    const remove = this.hub.add({
      res: c.res,
      onEvent: (e) => {
        if (e.type === 'audit')
          writeLine(c.res, {type: 'audit', time: Date.now(), record: e.record} satisfies SphereEvent)
        else if (e.type === 'log')
          writeLine(c.res, {
            type: 'log',
            time: Date.now(),
            componentId: e.componentId,
            entry: e.entry,
          } satisfies SphereEvent)
      },
      onCoalesced: (e) => writeLine(c.res, e),
    })
    c.res.on('close', remove)
  }
}

function appStatusBody(st: AppStatusResponse | undefined): AppStatusResponse {
  if (!st) return {state: 'notPresent'}
  if (st.state === 'debugging') return {state: 'debugging', gdbPort: st.gdbPort ?? 2345, outPort: st.outPort ?? 2342}
  return {state: st.state}
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}

/** A Wi-Fi network ID from the path; -1 (never an ID) for anything that is not a small integer. */
function networkId(raw: string): number {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : -1
}

function sinceParam(q: URLSearchParams): number {
  const v = q.get('since')
  if (v === null || v === '') return 0
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw restError(400, 'invalidUri', 'since must be a non-negative integer')
  return n
}

/**
 * The REST API request handler over `backend`. Pass it to listenUnix / listenHttps (listen.ts), to
 * `http.createServer`, or emit Duplex connections on a server built with it.
 */
export function createRestServer(backend: RestBackend, opts: RestServerOptions = {}): RestHandler {
  const controller = new RestController(backend, opts)
  const handler = ((req: IncomingMessage, res: ServerResponse) => controller.handle(req, res)) as RestHandler
  Object.defineProperty(handler, 'controller', {value: controller, enumerable: true})
  return handler
}
