/**
 * Handlers registered by route spec (src/protocol/api). The router matches a request against the specs'
 * path templates, enforces what the spec says (access, request body kind and limit, response kind) and
 * maps failures to device API errors. A handler exists for every spec and a spec for every handler: the
 * router refuses to start otherwise.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {
  ROUTES,
  paramNames,
  pathPattern,
  type AnyRoute,
  type ParamNames,
  type RouteRequest,
  type RouteResponse,
} from '../../protocol/api/index.js'
import {DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_JSON_BYTES, type RestInputTap} from './deps.js'
export type {RestInput, RestInputTap} from './deps.js'
import {restError, toRestError, type RestError} from './errors.js'
import {BodyError, isJsonType, readBody, refuse, sendBytes, sendJson} from './http.js'
import {PRIVILEGED_TRANSPORTS, transportOf} from './transport.js'

/** Returned by a handler that wrote its own response (streams, NDJSON). */
export const SENT: unique symbol = Symbol('sent')
export type Sent = typeof SENT

/** A JSON body as the server receives it: the declared keys, every value still unchecked. */
export type Untrusted<T> = {[K in keyof T]?: unknown}

type BodyOf<S extends AnyRoute> = RouteRequest<S> extends Uint8Array ? Buffer : Untrusted<NonNullable<RouteRequest<S>>>

export interface RouteContext<S extends AnyRoute> {
  readonly spec: S
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** Path parameters, URI-decoded (still unvalidated). */
  readonly params: Record<ParamNames<S['path']>, string>
  readonly query: URLSearchParams
  /** Read the request body as the spec's request kind says (json: parsed object; image / bytes: the bytes). */
  body(): Promise<BodyOf<S>>
  /** Add a header to the response the router sends. */
  header(name: string, value: string): void
  /** Refuse (403) unless the request came over a privileged transport. Throws before the body is read. */
  privileged(what: string): void
}

export type Handler<S extends AnyRoute> = (c: RouteContext<S>) => Promise<RouteResponse<S> | Sent> | RouteResponse<S> | Sent

export interface Registration {
  readonly spec: AnyRoute
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handler: Handler<any>
}

/** Register `handler` for `spec`. */
export function on<S extends AnyRoute>(spec: S, handler: Handler<S>): Registration {
  return {spec, handler}
}

export interface RouterOptions {
  /** Record / replay: every request but a GET enters through this tap. */
  inputs?: RestInputTap
  maxJsonBytes?: number
  maxImageBytes?: number
  /** Transport of sockets no listener tagged (a handler served by hand). */
  transport?: string
  /** Called with each device error a route answers with (tests check it against the spec's error codes). */
  onError?: (spec: AnyRoute, error: RestError) => void
}

const key = (s: AnyRoute) => `${s.method} ${s.path}`

/** Throws naming every spec without a handler, every handler without a spec, and every duplicate. */
export function checkCoverage(specs: readonly AnyRoute[], regs: readonly Registration[]): void {
  const problems: string[] = []
  const known = new Set(specs)
  const seen = new Map<string, AnyRoute>()
  for (const r of regs) {
    if (!known.has(r.spec)) problems.push(`handler for ${key(r.spec)} (${r.spec.name}) has no route spec`)
    if (seen.has(key(r.spec))) problems.push(`${key(r.spec)} has two handlers`)
    seen.set(key(r.spec), r.spec)
  }
  const handled = new Set(regs.map((r) => r.spec))
  for (const s of specs) if (!handled.has(s)) problems.push(`route ${key(s)} (${s.name}) has no handler`)
  if (problems.length > 0) throw new Error(`REST routes and handlers disagree: ${problems.join('; ')}`)
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

interface PathEntry {
  re: RegExp
  names: string[]
  methods: Map<string, Registration>
}

export class Router {
  private readonly paths: PathEntry[] = []

  constructor(
    readonly registrations: readonly Registration[],
    private readonly opts: RouterOptions = {},
    specs: readonly AnyRoute[] = ROUTES,
  ) {
    checkCoverage(specs, registrations)
    const byPath = new Map<string, PathEntry>()
    for (const r of registrations) {
      let e = byPath.get(r.spec.path)
      if (!e) {
        e = {re: pathPattern(r.spec.path), names: paramNames(r.spec.path), methods: new Map()}
        byPath.set(r.spec.path, e)
      }
      e.methods.set(r.spec.method, r)
    }
    // literal templates before templates with parameters
    this.paths = [...byPath.entries()].sort((a, b) => Number(a[0].includes('{')) - Number(b[0].includes('{'))).map(([, e]) => e)
  }

  dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    let path = q < 0 ? url : url.slice(0, q)
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
    const method = (req.method ?? 'GET').toUpperCase()
    for (const p of this.paths) {
      const m = p.re.exec(path)
      if (!m) continue
      const reg = p.methods.get(method) ?? (method === 'HEAD' ? p.methods.get('GET') : undefined)
      // wrong method: clients only understand 400/403/404/409/415/500, so 404 + "Invalid request URI."
      if (!reg) return refuse(req, res, restError(404, 'invalidUri'))
      const params: Record<string, string> = {}
      p.names.forEach((n, i) => (params[n] = safeDecode(m[i + 1]!)))
      const c = new Context(reg.spec, req, res, params, query, this.opts)
      Promise.resolve()
        .then(() => this.run(reg, c))
        .catch((e: unknown) => {
          if (e instanceof BodyError) {
            if (e.rest) {
              this.opts.onError?.(reg.spec, e.rest)
              refuse(req, res, e.rest)
            } else req.socket.destroy()
            return
          }
          const re = toRestError(e)
          this.opts.onError?.(reg.spec, re)
          if (res.headersSent) res.destroy()
          else refuse(req, res, re)
        })
      return
    }
    refuse(req, res, restError(404, 'invalidUri'))
  }

  private async run(reg: Registration, c: Context): Promise<void> {
    const spec = reg.spec
    if (spec.access === 'privileged') c.privileged(`${spec.method} ${spec.path}`)
    if (spec.request === 'none') await c.noBody()
    let leave: (() => void) | undefined
    if (this.opts.inputs && spec.method !== 'GET') {
      const body = await c.prefetch()
      leave = await this.opts.inputs.enter({
        method: spec.method,
        url: c.req.url ?? '/',
        ...(c.req.headers['content-type'] !== undefined ? {contentType: c.req.headers['content-type']} : {}),
        ...(body !== undefined ? {body} : {}),
        ...(transportOf(c.req.socket) ?? this.opts.transport ? {transport: transportOf(c.req.socket) ?? this.opts.transport} : {}),
      })
    }
    let out: unknown
    try {
      out = await reg.handler(c)
    } finally {
      leave?.()
    }
    if (out === SENT) return
    if (spec.response === 'bytes') sendBytes(c.res, out as Uint8Array, c.headers)
    else sendJson(c.res, 200, out, c.headers)
  }
}

class Context implements RouteContext<AnyRoute> {
  readonly headers: Record<string, string> = {}

  constructor(
    readonly spec: AnyRoute,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    private readonly opts: RouterOptions,
  ) {}

  header(name: string, value: string): void {
    this.headers[name] = value
  }

  /** The body's bytes, read once (a recording keeps them); body() then parses these. */
  private raw?: Buffer

  /** Read the request body now, as its kind and limit say (undefined for a route without one). */
  async prefetch(): Promise<Buffer | undefined> {
    if (this.raw !== undefined) return this.raw
    switch (this.spec.request) {
      case 'none':
        return undefined
      case 'image':
        this.raw = await readBody(this.req, this.opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES, restError(400, 'noSpace', 'the image package is too large'))
        return this.raw
      default:
        this.raw = await readBody(this.req, this.jsonLimit, restError(400, 'invalidUri', this.spec.request === 'bytes' ? 'the file is too large' : undefined))
        return this.raw
    }
  }

  private get jsonLimit(): number {
    return this.opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES
  }

  /** Requests without a body: discard anything sent, bounded. */
  async noBody(): Promise<void> {
    if (this.req.complete) return
    await readBody(this.req, this.jsonLimit, restError(400, 'invalidUri'))
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async body(): Promise<any> {
    switch (this.spec.request) {
      case 'json':
      case 'json?':
        return this.json(this.spec.request === 'json?')
      case 'image': {
        const ct = this.req.headers['content-type']
        if (ct !== undefined && ct.split(';')[0]!.trim().toLowerCase() !== 'application/octet-stream')
          throw new BodyError(restError(415, 'imageNotStaged', 'the image must be sent as application/octet-stream'))
        return this.raw ?? readBody(this.req, this.opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES, restError(400, 'noSpace', 'the image package is too large'))
      }
      case 'bytes':
        return this.raw ?? readBody(this.req, this.jsonLimit, restError(400, 'invalidUri', 'the file is too large'))
      case 'none':
        await this.noBody()
        return undefined
    }
  }

  private async json(optional: boolean): Promise<Record<string, unknown>> {
    if (!isJsonType(this.req.headers['content-type'])) throw new BodyError(restError(415, 'invalidUri'))
    const buf = this.raw ?? (await readBody(this.req, this.jsonLimit, restError(400, 'invalidUri')))
    const text = buf.toString('utf8').trim()
    if (text === '') {
      if (optional) return {}
      throw restError(400, 'invalidUri', 'a JSON body is required')
    }
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw restError(400, 'invalidUri', 'the body is not valid JSON')
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw restError(400, 'invalidUri', 'the body must be a JSON object')
    return v as Record<string, unknown>
  }

  /**
   * The simulator's privileged extensions (granting capabilities without a signed file, issuing capability
   * files, changing the simulated world) are accepted only on the local Unix socket: a peer on the HTTPS
   * listener or the serial link must not raise the device's privileges. Untagged sockets (a handler served by
   * hand) count as the transport given in the options. Refused with 403 before the body is read.
   */
  privileged(what: string): void {
    const t = transportOf(this.req.socket) ?? this.opts.transport
    if (t !== undefined && (PRIVILEGED_TRANSPORTS as readonly string[]).includes(t)) return
    throw new BodyError(
      restError(403, 'invalidUri', `${what} is accepted only on the device's local socket, not over ${t ?? 'this connection'}`),
    )
  }
}

// ---- parameter parsers shared by the route modules ----

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A component ID from the path (braces and case tolerated); 404 for anything else. */
export function componentId(raw: string): string {
  const cid = raw.toLowerCase().replace(/^\{|\}$/g, '')
  if (!UUID_RE.test(cid)) throw restError(404, 'invalidUri', `'${raw}' is not a component ID`)
  return cid
}

/** A Wi-Fi network ID from the path; -1 (never an ID) for anything that is not a small integer. */
export function networkId(raw: string): number {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : -1
}

/** The `since` query parameter (0 when absent). */
export function sinceParam(q: URLSearchParams): number {
  const v = q.get('since')
  if (v === null || v === '') return 0
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw restError(400, 'invalidUri', 'since must be a non-negative integer')
  return n
}

export type {RestError}
