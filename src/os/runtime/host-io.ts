/**
 * Host sockets under record / replay. Every callback a host socket makes into a NetSocket (bytes, a
 * connection, an error, a bind completing) is a host input: with a recording tap it goes through
 * Kernel.hostInput (recorded, applied at a scheduling point); on a replayed device no host socket is opened
 * at all: `connect`, `createServer` and `createUdp` return stand-ins that never talk to the host, and the
 * recorded callbacks are delivered to the NetSocket they were recorded for (by its stable name) at their
 * point. What an app sends goes nowhere on a replayed device; what it receives is what it received.
 */
import dgram from 'node:dgram'
import {EventEmitter} from 'node:events'
import net from 'node:net'
import type {Kernel} from '../kernel/kernel.js'

/** A value crossing into a recording (Buffers, Errors and accepted sockets as tagged JSON). */
export function encodeArg(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return {$b: Buffer.from(v).toString('base64')}
  if (v instanceof net.Socket || v instanceof FakeStream)
    return {$sock: {remoteAddress: v.remoteAddress ?? null, remotePort: v.remotePort ?? null}}
  if (v instanceof Error) return {$e: {code: (v as NodeJS.ErrnoException).code ?? null, message: v.message}}
  if (v === undefined) return {$u: 1}
  return v
}

export function decodeArg(v: unknown): unknown {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    if (typeof o.$b === 'string') return Buffer.from(o.$b, 'base64')
    if (o.$sock && typeof o.$sock === 'object') {
      const s = o.$sock as {remoteAddress?: string | null; remotePort?: number | null}
      return new FakeStream(s.remoteAddress ?? undefined, s.remotePort ?? undefined)
    }
    if (o.$e && typeof o.$e === 'object') {
      const e = o.$e as {code?: string | null; message?: string}
      return Object.assign(new Error(e.message ?? 'host error'), e.code ? {code: e.code} : {})
    }
    if (o.$u === 1) return undefined
  }
  return v
}

/** A host TCP stream on a replayed device: events come from the recording, writes go nowhere. */
export class FakeStream extends EventEmitter {
  writableLength = 0
  localAddress?: string
  localPort?: number
  private paused = false
  constructor(
    readonly remoteAddress?: string,
    readonly remotePort?: number,
  ) {
    super()
  }
  write(): boolean {
    return true
  }
  end(): this {
    return this
  }
  destroy(): this {
    return this
  }
  pause(): this {
    this.paused = true
    return this
  }
  resume(): this {
    this.paused = false
    return this
  }
  isPaused(): boolean {
    return this.paused
  }
  setTimeout(): this {
    return this
  }
  setNoDelay(): this {
    return this
  }
}

/** A host TCP server on a replayed device. */
export class FakeServer extends EventEmitter {
  port = 0
  listen(_opts: unknown, cb?: () => void): this {
    if (cb) this.once('listening', cb)
    return this
  }
  address(): {port: number; address: string; family: string} {
    return {port: this.port, address: '127.0.0.1', family: 'IPv4'}
  }
  close(): this {
    return this
  }
}

/** A host UDP socket on a replayed device. */
export class FakeUdp extends EventEmitter {
  port = 0
  bind(_opts: unknown, cb?: () => void): this {
    if (cb) this.once('listening', cb)
    return this
  }
  address(): {port: number; address: string; family: string} {
    return {port: this.port, address: '127.0.0.1', family: 'IPv4'}
  }
  send(): void {
    // nowhere: the recording holds what came back
  }
  close(): void {}
}

/** The host I/O of one NetSocket: names it, opens (or stands in for) its host sockets, routes its callbacks. */
export class SocketHostIo {
  readonly name: string
  readonly replaying: boolean
  private seq = 0
  private readonly handlers = new Map<string, (...a: unknown[]) => void>()
  private closed = false

  constructor(private readonly kernel: Kernel) {
    this.name = kernel.nameHostObject('socket')
    this.replaying = kernel.tap?.replaying === true
    if (this.replaying) kernel.registerHostTarget(this.name, (event, args) => this.deliver(event, args))
  }

  connect(opts: {host: string; port: number}): net.Socket {
    return (this.replaying ? new FakeStream() : net.connect(opts)) as unknown as net.Socket
  }

  createServer(onConnection: (s: net.Socket) => void): net.Server {
    if (!this.replaying) return net.createServer(onConnection)
    const s = new FakeServer()
    s.on('connection', onConnection)
    return s as unknown as net.Server
  }

  createUdp(opts: dgram.SocketOptions): dgram.Socket {
    return (this.replaying ? new FakeUdp() : dgram.createSocket(opts)) as unknown as dgram.Socket
  }

  /**
   * A host callback: the key names it within this socket (the order callbacks are made is the same in a
   * recorded run and its replay). `capture` notes host facts the callback reads besides its arguments (a bound
   * port, the local address); `restore` puts them back on the stand-in when replayed.
   */
  callback<A extends unknown[]>(
    what: string,
    fn: (...a: A) => void,
    capture?: () => unknown,
    restore?: (v: unknown) => void,
  ): (...a: A) => void {
    const event = `${what}:${++this.seq}`
    if (this.replaying) {
      this.handlers.set(event, (...a: unknown[]) => {
        const [facts, ...rest] = a
        if (restore && facts !== undefined) restore(facts)
        fn(...(rest as A))
      })
      // a stand-in never calls back by itself: only the recording does
      return () => undefined
    }
    if (!this.kernel.tap?.input) return fn
    return (...a: A) => {
      // after close nothing reaches the app: not an input (and a replay has no object to give it to)
      if (this.closed) return fn(...a)
      const facts = capture ? safe(capture) : undefined
      this.kernel.hostInput({source: 'socket', object: this.name, event, args: [facts ?? null, ...a.map(encodeArg)]}, () => fn(...a))
    }
  }

  private deliver(event: string, args: readonly unknown[]): void {
    const h = this.handlers.get(event)
    if (!h) throw new Error(`no callback ${event} on ${this.name}`)
    const [facts, ...rest] = args
    h(facts === null ? undefined : facts, ...rest.map(decodeArg))
  }

  /**
   * The NetSocket closed. A replayed socket stays registered: a callback recorded just before the close may
   * be applied at a point after it (its handler sees the socket closed, as it did when recorded).
   */
  close(): void {
    this.closed = true
  }
}

function safe(f: () => unknown): unknown {
  try {
    return f()
  } catch {
    return undefined
  }
}
