/** The CLI's side of the control channel: HTTP over the hub's Unix socket, requests built from HUB_ROUTES. */
import http from 'node:http'
import {SphereError} from '../util/errors.js'
import {eachLine} from '../util/lines.js'
import {HUB_ROUTES, hubPath, type HubRoute, type HubStreamLine} from './api.js'
import type {HubEvent} from './types.js'

type Req<R> = R extends HubRoute<infer Q, unknown> ? Q : never
type Res<R> = R extends HubRoute<unknown, infer S> ? S : never

export interface HubErrorBody {
  error: {code: string; message: string}
}

export class HubClient {
  constructor(readonly socketPath: string) {}

  /** One request; a non-2xx answer becomes a SphereError with the hub's code and message. */
  async call<R extends HubRoute>(
    r: R,
    params: Record<string, string> = {},
    body?: Req<R>,
    opts: {timeoutMs?: number; query?: Record<string, string | number | undefined>} = {},
  ): Promise<Res<R>> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    return await new Promise<Res<R>>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          method: r.method,
          path: hubPath(r, params, opts.query),
          headers: data ? {'content-type': 'application/json', 'content-length': data.length} : {},
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString()
            let json: unknown
            try {
              json = text ? JSON.parse(text) : undefined
            } catch {
              reject(new SphereError('HUB_BAD_ANSWER', `The hub answered ${r.name} with something that is not JSON.`))
              return
            }
            if ((res.statusCode ?? 500) >= 300) {
              const e = (json as HubErrorBody | undefined)?.error
              reject(
                new SphereError(
                  e?.code ?? 'HUB_ERROR',
                  e?.message ?? `The hub answered ${r.name} with HTTP ${res.statusCode}.`,
                ),
              )
              return
            }
            resolve(json as Res<R>)
          })
        },
      )
      req.on('timeout', () => req.destroy(new SphereError('HUB_TIMEOUT', `The hub did not answer ${r.name} in time.`)))
      req.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ECONNREFUSED')
          reject(
            new SphereError('HUB_NOT_RUNNING', 'The local hub is not running.', {
              suggestions: ['sphere hub start'],
            }),
          )
        else reject(e)
      })
      req.end(data)
    })
  }

  /** Stream accepted telemetry until `signal` aborts or the hub goes away. */
  async monitor(
    onEvent: (e: HubEvent & {sequence: number}) => void,
    opts: {deviceId?: string; since?: number; signal?: AbortSignal; onOpen?: (sequence: number) => void} = {},
  ): Promise<'aborted' | 'closed'> {
    const r = HUB_ROUTES.events
    return await new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          method: r.method,
          path: hubPath(r, {}, {deviceId: opts.deviceId, since: opts.since}),
        },
        (res) => {
          if ((res.statusCode ?? 500) >= 300) {
            reject(new SphereError('HUB_ERROR', `The hub answered ${r.name} with HTTP ${res.statusCode}.`))
            res.resume()
            return
          }
          eachLine(res, (line) => {
            const l = JSON.parse(line) as HubStreamLine
            if ('stream' in l) opts.onOpen?.(l.sequence)
            else onEvent(l)
          })
          res.on('end', () => resolve(opts.signal?.aborted ? 'aborted' : 'closed'))
          res.on('error', () => resolve(opts.signal?.aborted ? 'aborted' : 'closed'))
        },
      )
      opts.signal?.addEventListener('abort', () => req.destroy(), {once: true})
      req.on('error', (e) => {
        if (opts.signal?.aborted) {
          resolve('aborted')
          return
        }
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ECONNREFUSED')
          reject(
            new SphereError('HUB_NOT_RUNNING', 'The local hub is not running.', {
              suggestions: ['sphere hub start'],
            }),
          )
        else resolve('closed')
      })
      req.end()
    })
  }
}
