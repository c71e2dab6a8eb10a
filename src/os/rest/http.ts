/**
 * HTTP plumbing of the REST server: JSON and byte responses, error bodies, bounded body reading,
 * NDJSON streams. No route knows about these details beyond what router.ts gives it.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {ERROR_DETAIL_HEADER} from '../../protocol/rest-api.js'
import type {RestError} from './errors.js'

/** Hard cap on bytes we read and discard from a refused request before closing the connection. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024
/** A streaming client that lets this much pile up unread is disconnected. */
const MAX_STREAM_BACKLOG = 1024 * 1024

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

export function sendBytes(res: ServerResponse, bytes: Uint8Array, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(200, {'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length), ...headers})
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

export function sendError(res: ServerResponse, e: RestError, headers: Record<string, string> = {}, detail = false): void {
  // /sphere/ extensions add a `message` (clients of the standard API ignore extra keys, but we keep those bodies exact);
  // on the standard API the reason goes in a header real clients ignore
  const why = e.message.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 512)
  const extra: Record<string, string> = !detail && why ? {[ERROR_DETAIL_HEADER]: why} : {}
  sendJson(res, e.status, detail && e.message ? {error: e.code, message: e.message} : {error: e.code}, {...headers, ...extra})
}

/** Error while the request body may still be arriving: answer, close the connection, drain a bounded amount. */
export function refuse(req: IncomingMessage, res: ServerResponse, e: RestError): void {
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

export class BodyError extends Error {
  constructor(readonly rest: RestError | undefined) {
    super(rest ? rest.message : 'request aborted')
  }
}

/** Read the whole body, refusing more than `limit` bytes (`tooBig` says how). Rejects on abort. */
export function readBody(req: IncomingMessage, limit: number, tooBig: RestError): Promise<Buffer> {
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

export function isJsonType(ct: string | undefined): boolean {
  if (ct === undefined || ct === '') return true
  const base = ct.split(';')[0]!.trim().toLowerCase()
  return base === 'application/json' || base.endsWith('+json') || base === 'text/json'
}
export function writeLine(res: ServerResponse, obj: unknown): void {
  if (res.destroyed || res.writableEnded) return
  res.write(`${JSON.stringify(obj)}\n`)
  if (res.writableLength > MAX_STREAM_BACKLOG) res.destroy()
}

export function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/x-ndjson',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  })
  res.flushHeaders()
  res.socket?.setNoDelay(true)
}

