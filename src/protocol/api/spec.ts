/**
 * Route specs: one object per device REST endpoint (method, path template, request and response kind
 * and types, query parameters, error codes). The server (src/os/rest/routes) registers one
 * handler per spec and the client (src/device/client.ts) builds its requests from the same objects, so
 * a path, a method or a body type is written once.
 */
import type {REST_ERRORS} from '../rest-api.js'

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'

/**
 * What a request carries:
 *   none   nothing (anything sent is read and discarded, bounded)
 *   json   a JSON object (Content-Type application/json or absent)
 *   json?  a JSON object or an empty body
 *   image  an image package (application/octet-stream), up to the server's image limit
 *   bytes  a small binary file (a capability file), up to the server's JSON limit
 */
export type RequestKind = 'none' | 'json' | 'json?' | 'image' | 'bytes'

/**
 * What a response carries:
 *   json    a JSON value (application/json)
 *   bytes   binary (application/octet-stream)
 *   ndjson  newline-delimited JSON, complete when the response ends
 *   stream  newline-delimited JSON that stays open (events, a followed log)
 */
export type ResponseKind = 'json' | 'bytes' | 'ndjson' | 'stream'

export type RestErrorName = keyof typeof REST_ERRORS

/**
 * Who may call a route:
 *   any         every transport (the device REST API)
 *   privileged  only the simulator's local Unix socket (raising the device's privileges, changing the
 *               simulated world); refused with 403 elsewhere
 */
export type Access = 'any' | 'privileged'

export interface RouteSpec<Path extends string = string, Req = unknown, Res = unknown, Query extends string = string> {
  /** Unique, `resource.action`. */
  readonly name: string
  readonly method: Method
  /** Template: literal segments and `{param}` segments, e.g. `/app/status/{componentId}`. */
  readonly path: Path
  readonly request: RequestKind
  readonly response: ResponseKind
  /** Query parameters the route reads. */
  readonly query: readonly Query[]
  /** Device error codes the route answers with (besides invalidUri and busy, which any route may send). */
  readonly errors: readonly RestErrorName[]
  readonly access: Access
  readonly summary: string
  /** Type carrier only (never set): the request body and response body types. */
  readonly types?: {request: Req; response: Res}
}

/** Any route spec (for tables and routers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<string, any, any, string>

export type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never

/** The path parameters of a template, e.g. `{componentId: string}`. */
export type PathParams<P extends string> = {[K in ParamNames<P>]: string | number}

/** Path and query parameters a caller passes for route S. */
export type RouteParams<S> =
  S extends RouteSpec<infer P, infer _Req, infer _Res, infer Q> ? PathParams<P> & {[K in Q]?: string | number | boolean} : never
/** The request body a caller sends for route S (undefined when it sends none). */
export type RouteRequest<S> = S extends RouteSpec<string, infer Req, infer _Res, string> ? Req : never
/** The response body route S answers with. */
export type RouteResponse<S> = S extends RouteSpec<string, infer _Req, infer Res, string> ? Res : never

interface SpecFields<P extends string, Q extends string> {
  name: string
  method: Method
  path: P
  request?: RequestKind
  response?: ResponseKind
  query?: readonly Q[]
  errors?: readonly RestErrorName[]
  access?: Access
  summary: string
}

/**
 * Declare a route: `route<Request, Response>()({name, method, path, ...})`. Defaults: no request body,
 * a JSON response, no query parameters, no extra error codes, any transport.
 */
export function route<Req = undefined, Res = Record<string, never>>() {
  return <const P extends string, const Q extends string = never>(f: SpecFields<P, Q>): RouteSpec<P, Req, Res, Q> => {
    const spec: RouteSpec<P, Req, Res, Q> = {
      name: f.name,
      method: f.method,
      path: f.path,
      request: f.request ?? 'none',
      response: f.response ?? 'json',
      query: f.query ?? [],
      errors: f.errors ?? [],
      access: f.access ?? 'any',
      summary: f.summary,
    }
    return Object.freeze(spec)
  }
}

/** The parameter names of a path template, in order. */
export function paramNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]!)
}

/** A regex that matches a concrete path against the template; groups are the raw (still encoded) params. */
export function pathPattern(path: string): RegExp {
  const src = path
    .split('/')
    .map((seg) => (/^\{[A-Za-z][A-Za-z0-9]*\}$/.test(seg) ? '([^/]+)' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${src}$`)
}

/** The concrete path for a route: `{param}` segments URI-encoded, declared query parameters appended. */
export function buildPath(spec: AnyRoute, params: Record<string, unknown> = {}): string {
  const path = spec.path.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, n: string) => {
    const v = params[n]
    if (v === undefined || v === null || v === '') throw new Error(`${spec.name}: missing path parameter '${n}'`)
    return encodeURIComponent(String(v))
  })
  const q = new URLSearchParams()
  for (const k of spec.query) {
    const v = params[k]
    if (v !== undefined && v !== null && v !== false) q.set(k, v === true ? '1' : String(v))
  }
  const qs = q.toString()
  return qs === '' ? path : `${path}?${qs}`
}
