import type dgram from 'node:dgram'
import type net from 'node:net'
import tls from 'node:tls'
import {SocketHostIo} from './host-io.js'
import {Errno} from '../kernel/errno.js'
import type {Kernel} from '../kernel/kernel.js'
import {KObject, StreamObject} from '../kernel/objects.js'
import type {HostUsage, Process} from '../kernel/process.js'
import type {Lsm, Operation, Subject} from '../lsm/lsm.js'
import {BLOCK, type SysCtx} from './context.js'

/**
 * BSD sockets for apps (the `sphere` module's socket imports, sdk/ABI.md), backed by Node `net` (TCP) and
 * `dgram` (UDP) on the host. The device's network service routes what the LSM allows (by default only the
 * host loopback and the addresses of the host map are reachable).
 *
 * The firewall, as the LSM decides it (src/os/lsm): every bind (port 0 included) and listen is a
 * `net.listen`; every flow the app opens (TCP connect, UDP connect, a datagram to a new destination) a
 * `net.connect`; every datagram or connection that arrives a `net.inbound`, accepted on a port the manifest
 * lists or as a reply within a flow this socket opened; a datagram back to a client that reached a server port
 * a `net.reply`. The socket keeps the flow state and asks the LSM once per flow (a bounded cache, so a flood
 * neither floods the audit log nor grows the host); every refusal is audited.
 *
 * Host state is bounded and charged to the app (`Process.hostUsage`, HOST_LIMITS): sockets per app
 * (socket / accept: EMFILE; connections beyond it wait nowhere: refused), bytes per socket buffer and per
 * app (a full receive queue drops datagrams and pauses TCP; a full send buffer blocks or EAGAIN). Every host
 * callback is guarded: a failure in one ends the app that owns the socket with the reason, never the OS.
 *
 * Blocking calls (connect, accept, recv, send on a full buffer, listen / UDP bind while the host opens the
 * port) suspend only the caller: the socket is a host-backed kernel object that host events make ready.
 */

/** errno values (WASI numbering) the base table does not name. */
export const NetErrno = {
  EADDRINUSE: 3,
  EADDRNOTAVAIL: 4,
  EAFNOSUPPORT: 5,
  EALREADY: 7,
  ECONNABORTED: 13,
  ECONNRESET: 15,
  EDESTADDRREQ: 17,
  EHOSTUNREACH: 23,
  EINPROGRESS: 26,
  EISCONN: 30,
  EMSGSIZE: 35,
  ENETDOWN: 38,
  ENOBUFS: 42,
  ENOPROTOOPT: 50,
  EOPNOTSUPP: 58,
  EPIPE: 64,
} as const

/** Bounds of the host state an app's sockets and inter-app connections hold. */
export const HOST_LIMITS = {
  /** Sockets an app may hold (each at most one host socket) plus connections waiting in its listen backlogs. */
  socketsPerApp: 32,
  /** Bytes a socket buffers each way (TCP receive queue before the host socket pauses; UDP receive queue;
   *  UDP / TCP bytes handed to the host and not yet sent). */
  socketBufferBytes: 64 * 1024,
  /** Bytes an inter-app connection queues towards the app (then the partner cannot answer: send blocks). */
  appQueueBytes: 64 * 1024,
  /** All buffered bytes of one app (socket buffers and inter-app queues together). */
  bufferBytesPerApp: 1024 * 1024,
  /** Firewall decisions (flows) one socket remembers. */
  flowsPerSocket: 256,
} as const

/** Bytes a TCP socket buffers each way before send blocks / the host socket is paused. */
export const SOCKET_BUFFER_BYTES = HOST_LIMITS.socketBufferBytes
const MAX_DATAGRAMS = 64
/** What one queued datagram or message costs beyond its bytes (as a kernel charges an skb). */
const PACKET_OVERHEAD = 64

const SOCK_NONBLOCK = 0x800
const CLOEXEC = 0x80000
const MSG_PEEK = 0x2
const MSG_DONTWAIT = 0x40
const MSG_WAITALL = 0x100
const MSG_NOSIGNAL = 0x4000
const SOL_SOCKET = 1
const IPPROTO_TCP = 6
const CONNECT_TIMEOUT_MS = 30_000

/** Charge `n` buffered bytes to an app; false (nothing charged) when the app is at its limit. */
export function chargeBytes(u: HostUsage, n: number): boolean {
  if (u.bufferBytes + n > HOST_LIMITS.bufferBytesPerApp) return false
  u.bufferBytes += n
  if (u.bufferBytes > u.peakBufferBytes) u.peakBufferBytes = u.bufferBytes
  return true
}

export function releaseBytes(u: HostUsage, n: number): void {
  u.bufferBytes = Math.max(0, u.bufferBytes - n)
}

/**
 * Records a resource refusal once per episode: the first time an object meets its limit, and again only
 * after it fell below it (so a loop against a full queue leaves one record, not one per call).
 */
export class LimitAudit {
  private at = false
  constructor(private readonly record: () => void) {}
  hit(): void {
    if (this.at) return
    this.at = true
    this.record()
  }
  clear(): void {
    this.at = false
  }
}

/** What a socket needs from its process: the LSM, its host-state account, and a way to end the app. */
export interface SocketOwner {
  /** The kernel the socket's host callbacks enter through (record / replay: runtime/host-io.ts). */
  kernel: Kernel
  componentId: string
  pid: number
  usage: HostUsage
  /** An LSM decision for this app (recorded in the audit log): 0 allowed, else the errno. */
  check(op: Operation): number
  /** Record a resource refusal (audit). */
  limited(resource: string, limit: number, errno: number): void
  /** A host callback of this socket failed: end the app with `reason`. */
  fault(reason: string): void
  notify(s: NetSocket): void
  /** Is the app at its socket limit? (A refusal is audited once per episode.) */
  atSocketLimit(): boolean
}

/** The SocketOwner of a process. */
export function socketOwner(kernel: Kernel, lsm: Lsm, proc: Process, subject: Subject): SocketOwner {
  const sockets = new LimitAudit(() =>
    lsm.deny(
      subject,
      {op: 'resource.limit', resource: 'host sockets', limit: HOST_LIMITS.socketsPerApp},
      `the app holds ${HOST_LIMITS.socketsPerApp} sockets (open, or connections waiting to be accepted)`,
      Errno.EMFILE,
    ),
  )
  return {
    atSocketLimit: () => {
      if (proc.hostUsage.sockets < HOST_LIMITS.socketsPerApp) {
        sockets.clear()
        return false
      }
      sockets.hit()
      return true
    },
    kernel,
    componentId: proc.componentId,
    pid: proc.pid,
    usage: proc.hostUsage,
    check: (op) => {
      const d = lsm.check(subject, op)
      return d.allowed ? 0 : d.errno
    },
    limited: (resource, limit, errno) =>
      lsm.deny(subject, {op: 'resource.limit', resource, limit}, `${resource} is at its limit (${limit})`, errno),
    fault: (reason) => {
      if (proc.alive) kernel.crash(proc, reason)
    },
    notify: (s) => kernel.notifyReady(s),
  }
}

interface Addr {
  ip: string
  port: number
}

const key = (a: Addr): string => `${a.ip}:${a.port}`
const ipv4Host = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip)

function hostErrno(e: unknown): number {
  switch ((e as NodeJS.ErrnoException)?.code) {
    case 'ECONNREFUSED':
      return Errno.ECONNREFUSED
    case 'ECONNRESET':
      return NetErrno.ECONNRESET
    case 'ETIMEDOUT':
      return Errno.ETIMEDOUT
    case 'EHOSTUNREACH':
      return NetErrno.EHOSTUNREACH
    case 'ENETUNREACH':
      return Errno.ENETUNREACH
    case 'EADDRINUSE':
      return NetErrno.EADDRINUSE
    case 'EADDRNOTAVAIL':
      return NetErrno.EADDRNOTAVAIL
    case 'EPIPE':
      return NetErrno.EPIPE
    case 'EACCES':
      return Errno.EACCES
    case 'EMFILE':
    case 'ENFILE':
      return Errno.EMFILE
    case 'ENOBUFS':
      return NetErrno.ENOBUFS
    default:
      return Errno.EIO
  }
}

/** A socket of an app. Its readiness changes on host events, which wake the processes waiting on it. */
export class NetSocket extends KObject {
  readonly kind = 'socket' as const
  override hostBacked = true
  readonly protocol: 'tcp' | 'udp'
  state: 'new' | 'connecting' | 'connected' | 'listening' | 'closed' = 'new'
  /** The address the app bound (device view); port 0 for an ephemeral (or implicit) bind. */
  local?: Addr
  /** The peer (device view): the address the app connected to, or the host client of an accepted socket. */
  peer?: Addr
  /** Pending error (SO_ERROR), WASI errno. */
  error = 0
  reuseAddr = false
  rcvTimeoutNs = 0
  sndTimeoutNs = 0
  shutRd = false
  shutWr = false
  /** TCP: received bytes not yet read; `eof` once the peer closed its side. */
  private rx: Buffer[] = []
  rxBytes = 0
  eof = false
  tcp?: net.Socket
  server?: net.Server
  /** Listening: accepted host connections not yet taken by accept() (each counts as a socket of the app). */
  readonly backlog: net.Socket[] = []
  backlogMax = 16
  udp?: dgram.Socket
  /** The host UDP socket is bound (explicitly by bind, or implicitly by the first sendto / connect). */
  udpBound = false
  /** UDP bytes handed to the host and not yet sent. */
  udpTxBytes = 0
  readonly datagrams: {data: Buffer; from: Addr; charged: number}[] = []
  private datagramBytes = 0
  /** Datagrams dropped: a full receive queue, or the firewall refused the sender. */
  dropped = 0
  /**
   * Firewall decisions of this socket's flows ('out:ip:port', 'in:ip:port', 'reply:ip:port'), oldest first:
   * 0 allowed, else the errno of the refusal.
   */
  private readonly flows = new Map<string, number>()
  private readonly bufferLimit: LimitAudit
  private unregister?: () => void
  private closed = false
  /** Bytes this socket holds charged to the app (TCP receive queue, UDP receive queue, UDP in flight). */
  private charged = 0
  /**
   * TLS on this socket (the OS's wolfSSL, runtime/tls-client.ts): while the handshake runs the socket is
   * neither readable nor writable for the app; once 'ready' the stream the app reads and writes through the
   * TLS session is the plaintext. `tlsFailure` keeps the error that ended the session.
   */
  tlsState?: 'handshaking' | 'ready' | 'failed'
  tlsFailure?: Error
  /** Its host sockets and their callbacks (recorded, or stand-ins on a replayed device). */
  private readonly io: SocketHostIo

  constructor(
    readonly domain: number,
    protocol: 'tcp' | 'udp',
    readonly owner: SocketOwner,
  ) {
    super()
    this.protocol = protocol
    this.io = new SocketHostIo(owner.kernel)
    owner.usage.sockets++
    this.bufferLimit = new LimitAudit(() =>
      owner.limited('socket buffers', HOST_LIMITS.bufferBytesPerApp, NetErrno.ENOBUFS),
    )
  }

  private changed(): void {
    if (!this.closed) this.owner.notify(this)
  }

  /**
   * A host callback of this socket, guarded: whatever it throws ends the owning app with a clear reason
   * (and closes the socket); the OS goes on.
   */
  private guard<A extends unknown[]>(
    what: string,
    fn: (...a: A) => void,
    capture?: () => unknown,
    restore?: (v: unknown) => void,
  ): (...a: A) => void {
    return this.io.callback(what, this.guarded(what, fn), capture, restore)
  }

  private guarded<A extends unknown[]>(what: string, fn: (...a: A) => void): (...a: A) => void {
    return (...a: A) => {
      try {
        fn(...a)
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e)
        try {
          this.close()
        } catch {
          // the socket is being torn down anyway
        }
        this.owner.fault(`host socket failure (${this.protocol} ${what}): ${msg}`)
      }
    }
  }

  private charge(n: number): boolean {
    if (!chargeBytes(this.owner.usage, n)) {
      this.bufferLimit.hit()
      return false
    }
    this.charged += n
    return true
  }

  private release(n: number): void {
    const m = Math.min(n, this.charged)
    this.charged -= m
    releaseBytes(this.owner.usage, m)
    if (this.owner.usage.bufferBytes < HOST_LIMITS.bufferBytesPerApp / 2) this.bufferLimit.clear()
  }

  /** A firewall decision of this socket, made by the LSM once per flow (bounded memory, oldest forgotten). */
  private decide(k: string, op: Operation): number {
    const known = this.flows.get(k)
    if (known !== undefined) return known
    const errno = this.owner.check(op)
    this.remember(k, errno)
    return errno
  }

  private remember(k: string, errno: number): void {
    this.flows.delete(k)
    if (this.flows.size >= HOST_LIMITS.flowsPerSocket) this.flows.delete(this.flows.keys().next().value!)
    this.flows.set(k, errno)
  }

  /**
   * May this socket send to `dest`? 0, or the errno of the refusal: a flow the socket opens (net.connect), or
   * a reply from its server port to a client that reached it (net.reply).
   */
  allowSend(dest: Addr): number {
    const k = key(dest)
    if (this.flows.get(`out:${k}`) === 0) return 0
    if (this.flows.get(`in:${k}`) === 0 && this.local && this.local.port !== 0)
      return this.decide(`reply:${k}`, {op: 'net.reply', protocol: 'udp', port: this.local.port, to: k})
    return this.decide(`out:${k}`, {op: 'net.connect', host: dest.ip, port: dest.port})
  }

  /** May this socket ask the device's resolver about `name` (dns.query, decided once per name)? 0 or the errno. */
  allowQuery(name: string): number {
    return this.decide(`dns:${name}`, {op: 'dns.query', name})
  }

  /**
   * A datagram from the OS itself (the device's resolver answering this socket's query): queued as one from
   * the network is, under the same bounds (a full queue drops it).
   */
  deliverLocal(msg: Uint8Array, from: Addr): void {
    const cost = msg.length + PACKET_OVERHEAD
    if (
      this.closed ||
      this.datagrams.length >= MAX_DATAGRAMS ||
      this.datagramBytes + cost > SOCKET_BUFFER_BYTES ||
      !this.charge(cost)
    ) {
      this.dropped++
      return
    }
    this.datagramBytes += cost
    this.datagrams.push({data: Buffer.from(msg), from, charged: cost})
    this.changed()
  }

  /** Record a flow the LSM already allowed (a connect the dispatcher checked). */
  opened(dest: Addr): void {
    this.remember(`out:${key(dest)}`, 0)
  }

  /** Is a datagram / connection from `from` accepted on this socket (net.inbound)? */
  private allowInbound(from: Addr, byHost: boolean): boolean {
    const k = byHost ? `in:${from.ip}` : `in:${key(from)}`
    const flow = this.flows.get(`out:${key(from)}`) === 0 ? 'outbound' : 'none'
    return (
      this.decide(k, {op: 'net.inbound', protocol: this.protocol, port: this.local?.port ?? 0, from: key(from), flow}) === 0
    )
  }

  override readable(): boolean {
    if (this.error !== 0) return true
    if (this.tlsState === 'handshaking') return false
    if (this.tlsState === 'failed') return true
    if (this.protocol === 'udp') return this.datagrams.length > 0
    if (this.state === 'listening') return this.backlog.length > 0
    if (this.state === 'connected' || this.state === 'closed') return this.rxBytes > 0 || this.eof || this.shutRd
    return false
  }

  override writable(): boolean {
    if (this.error !== 0) return true
    if (this.tlsState === 'handshaking') return false
    if (this.tlsState === 'failed') return true
    if (this.protocol === 'udp') return this.udpTxBytes < SOCKET_BUFFER_BYTES
    if (this.state === 'connected') return this.shutWr || (this.tcp?.writableLength ?? 0) < SOCKET_BUFFER_BYTES
    return false
  }

  override describe(): string {
    const a = (x?: Addr): string => (x ? `${x.ip}:${x.port}` : '*')
    return `socket ${this.protocol} ${this.state} ${a(this.local)} -> ${a(this.peer)}`
  }

  /** Take the pending error (0 when none). */
  takeError(): number {
    const e = this.error
    this.error = 0
    return e
  }

  // ---- TCP stream ----

  /** Wrap a connected host socket (connect completed, or accepted). */
  attachStream(sock: net.Socket): void {
    this.tcp = sock
    this.state = 'connected'
    sock.on(
      'data',
      this.guard('receive', (d: Buffer) => {
        this.rx.push(d)
        this.rxBytes += d.length
        // TCP cannot drop: past the socket's (or the app's) budget the host socket pauses instead
        if (!this.charge(d.length) || this.rxBytes >= SOCKET_BUFFER_BYTES) sock.pause()
        this.changed()
      }),
    )
    sock.on(
      'end',
      this.guard('end', () => {
        this.eof = true
        this.changed()
      }),
    )
    sock.on(
      'drain',
      this.guard('drain', () => this.changed()),
    )
    sock.on(
      'error',
      this.guard('error', (e: Error) => {
        this.error = hostErrno(e)
        this.changed()
      }),
    )
    sock.on(
      'close',
      this.guard('close', () => {
        this.eof = true
        this.changed()
      }),
    )
  }

  /**
   * Run a TLS client session on this connected socket (the host's TLS over the app's own host socket): the
   * raw stream's listeners are replaced by the TLS stream's, so what the app then receives is plaintext.
   * Only before any byte arrived (a TLS client speaks first). Returns 0 or -errno.
   */
  startTls(opts: tls.ConnectionOptions): number {
    const raw = this.tcp
    if (this.protocol !== 'tcp' || this.state !== 'connected' || !raw || raw.destroyed) return -Errno.ENOTCONN
    if (this.tlsState !== undefined) return -NetErrno.EALREADY
    if (this.rxBytes > 0 || this.eof) return -Errno.EINVAL
    for (const ev of ['data', 'end', 'drain', 'error', 'close']) raw.removeAllListeners(ev)
    raw.on('error', () => undefined)
    this.tlsState = 'handshaking'
    const t = tls.connect({...opts, socket: raw})
    t.on(
      'error',
      this.guard('tls', (e: Error) => {
        this.tlsFailure ??= e
        if (this.tlsState === 'handshaking') this.tlsState = 'failed'
      }),
    )
    t.once(
      'secureConnect',
      this.guard('tls handshake', () => {
        if (this.tlsState === 'handshaking') this.tlsState = 'ready'
        this.changed()
      }),
    )
    this.attachStream(t)
    return 0
  }

  /** Start a host connection; completion or failure is reported through the socket's state. */
  connect(hostIp: string, port: number): void {
    this.state = 'connecting'
    const sock = this.io.connect({host: hostIp, port})
    sock.setTimeout(CONNECT_TIMEOUT_MS)
    const fail = this.guard('connect', (e: unknown) => {
      if (this.state !== 'connecting') return
      sock.destroy()
      this.state = 'new'
      this.error = hostErrno(e)
      this.changed()
    })
    sock.once('timeout', () => fail(Object.assign(new Error('timeout'), {code: 'ETIMEDOUT'})))
    sock.once('error', fail)
    sock.once(
      'connect',
      this.guard(
        'connect',
        () => {
          if (this.closed) return void sock.destroy()
          sock.setTimeout(0)
          sock.removeListener('error', fail)
          this.attachStream(sock)
          this.changed()
        },
        () => ({localAddress: sock.localAddress, localPort: sock.localPort}),
        (v) => Object.assign(sock, v),
      ),
    )
    // until 'connect', a destroy() from close() must not leave an unhandled 'error' behind
    this.tcp = sock
  }

  /** Copy out up to `max` received bytes (consumed unless `peek`). */
  readStream(max: number, peek: boolean): Buffer {
    const n = Math.min(max, this.rxBytes)
    const out = Buffer.allocUnsafe(n)
    let off = 0
    let i = 0
    while (off < n) {
      const b = this.rx[i]!
      const take = Math.min(b.length, n - off)
      b.copy(out, off, 0, take)
      off += take
      if (peek) i++
      else if (take === b.length) this.rx.shift()
      else this.rx[0] = b.subarray(take)
    }
    if (!peek) {
      this.rxBytes -= n
      this.release(n)
      if (this.tcp?.isPaused() && this.rxBytes < SOCKET_BUFFER_BYTES / 2 && this.owner.usage.bufferBytes < HOST_LIMITS.bufferBytesPerApp)
        this.tcp.resume()
    }
    return out
  }

  /** TCP send: hand bytes to the host socket (the caller checked the room). */
  writeStream(data: Uint8Array): void {
    this.tcp!.write(Buffer.from(data))
  }

  // ---- listening ----

  listen(host: string, port: number, backlog: number, onListening: (port: number) => void): void {
    this.backlogMax = Math.max(1, Math.min(backlog || 16, 128))
    const server = this.io.createServer(
      this.guard('accept', (sock: net.Socket) => {
        sock.on('error', () => undefined)
        if (this.closed || this.backlog.length >= this.backlogMax) return void sock.destroy()
        const from = {ip: ipv4Host(sock.remoteAddress ?? '0.0.0.0'), port: sock.remotePort ?? 0}
        if (!this.allowInbound(from, true)) {
          this.dropped++
          return void sock.destroy()
        }
        if (this.owner.atSocketLimit()) return void sock.destroy()
        sock.pause()
        this.owner.usage.sockets++
        this.backlog.push(sock)
        this.changed()
      }),
    )
    this.server = server
    server.once(
      'error',
      this.guard('listen', (e: Error) => {
        if (this.state === 'listening') return
        this.error = hostErrno(e)
        this.server = undefined
        this.changed()
      }),
    )
    server.on('error', () => undefined)
    server.listen(
      {host, port, backlog: this.backlogMax, exclusive: true},
      this.guard(
        'listen',
        () => {
          if (this.closed) return void server.close()
          this.state = 'listening'
          onListening((server.address() as net.AddressInfo).port)
          this.changed()
        },
        () => (server.address() as net.AddressInfo).port,
        (p) => ((server as unknown as {port: number}).port = p as number),
      ),
    )
  }

  /** Take the oldest waiting connection (its socket count moves to the accepted socket). */
  takeConnection(): net.Socket | undefined {
    const s = this.backlog.shift()
    if (s) this.owner.usage.sockets--
    return s
  }

  // ---- UDP ----

  /** Open the host UDP socket on host:port (once per socket: a second bind is EINVAL before this). */
  bindUdp(host: string, port: number, onBound: (port: number) => void): void {
    const u = this.io.createUdp({type: 'udp4', reuseAddr: this.reuseAddr})
    this.udp = u
    u.on(
      'message',
      this.guard('receive', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
        if (this.closed) return
        const from = {ip: ipv4Host(rinfo.address), port: rinfo.port}
        // a connected UDP socket hears only its peer (Linux drops the rest before any firewall)
        if (this.peer && (this.peer.ip !== from.ip || this.peer.port !== from.port)) return
        if (!this.allowInbound(from, false)) {
          this.dropped++
          return
        }
        const cost = msg.length + PACKET_OVERHEAD
        // a full receive queue drops, as UDP does
        if (
          this.datagrams.length >= MAX_DATAGRAMS ||
          this.datagramBytes + cost > SOCKET_BUFFER_BYTES ||
          !this.charge(cost)
        ) {
          this.dropped++
          return
        }
        this.datagramBytes += cost
        this.datagrams.push({data: msg, from, charged: cost})
        this.changed()
      }),
    )
    u.on(
      'error',
      this.guard('error', (e: Error) => {
        this.error = hostErrno(e)
        this.changed()
      }),
    )
    u.bind(
      {address: host, port, exclusive: true},
      this.guard(
        'bind',
        () => {
          if (this.closed) return // close() already closed the host socket
          this.udpBound = true
          onBound(u.address().port)
          this.changed()
        },
        () => u.address().port,
        (p) => ((u as unknown as {port: number}).port = p as number),
      ),
    )
  }

  /** Forget a host UDP socket whose bind failed (the socket is unbound again, as after a failed bind on Linux). */
  abandonUdp(): void {
    const u = this.udp
    this.udp = undefined
    this.udpBound = false
    if (u) {
      try {
        u.close()
      } catch {
        // never bound: nothing to close
      }
    }
  }

  /** Take the oldest datagram (or peek at it). */
  takeDatagram(peek: boolean): {data: Buffer; from: Addr} | undefined {
    const dg = this.datagrams[0]
    if (!dg || peek) return dg
    this.datagrams.shift()
    this.datagramBytes -= dg.charged
    this.release(dg.charged)
    return dg
  }

  /** Send a datagram to the host address; -errno when the send buffer (or the app's budget) is full. */
  sendUdp(data: Uint8Array, port: number, hostIp: string): number {
    const cost = data.length + PACKET_OVERHEAD
    if (this.udpTxBytes + cost > SOCKET_BUFFER_BYTES) return -Errno.EAGAIN
    if (!this.charge(cost)) return -NetErrno.ENOBUFS
    this.udpTxBytes += cost
    this.udp!.send(
      Buffer.from(data),
      port,
      hostIp,
      this.guard('send', () => {
        if (this.closed) return
        this.udpTxBytes -= cost
        this.release(cost)
        this.changed()
      }),
    )
    return data.length
  }

  setListener(unregister: () => void): void {
    this.unregister = unregister
  }

  override close(): void {
    if (this.closed) return
    this.closed = true
    this.state = 'closed'
    this.io.close()
    this.owner.usage.sockets--
    this.unregister?.()
    this.tcp?.destroy()
    for (const s of this.backlog) s.destroy()
    this.owner.usage.sockets -= this.backlog.length
    this.backlog.length = 0
    this.server?.close()
    const u = this.udp
    this.udp = undefined
    if (u) {
      try {
        u.close()
      } catch {
        // Node already closed it
      }
    }
    this.rx = []
    this.rxBytes = 0
    this.datagrams.length = 0
    this.datagramBytes = 0
    this.udpTxBytes = 0
    this.release(this.charged)
  }
}

function readSockaddr(c: SysCtx, addr: number, len: number): Addr | number {
  if (addr === 0) return -Errno.EFAULT
  if (len < 8) return -Errno.EINVAL
  if (!c.mem.ok(addr, len)) return -Errno.EFAULT
  const b = c.mem.bytes()
  const p = addr >>> 0
  const family = b[p]! | (b[p + 1]! << 8)
  if (family !== 2) return -NetErrno.EAFNOSUPPORT
  return {port: (b[p + 2]! << 8) | b[p + 3]!, ip: `${b[p + 4]}.${b[p + 5]}.${b[p + 6]}.${b[p + 7]}`}
}

/** Write a sockaddr_in (Linux family number) honouring the caller's capacity in *lenPtr. */
function writeSockaddr(c: SysCtx, addr: number, lenPtr: number, a: Addr): number {
  if (addr === 0 || lenPtr === 0) return 0
  if (!c.mem.ok(lenPtr, 4)) return -Errno.EFAULT
  const cap = c.mem.u32(lenPtr)
  const out = new Uint8Array(16)
  out[0] = 2
  out[2] = (a.port >> 8) & 0xff
  out[3] = a.port & 0xff
  const parts = a.ip.split('.').map(Number)
  for (let i = 0; i < 4; i++) out[4 + i] = parts[i] ?? 0
  const n = Math.min(cap, 16)
  if (!c.mem.ok(addr, n)) return -Errno.EFAULT
  c.mem.write(addr, out.subarray(0, n))
  c.mem.setU32(lenPtr, 16)
  return 0
}

/** The deadline of a blocking call, fixed at its first attempt (kept in callState). */
function deadline(c: SysCtx, timeoutNs: number): number {
  if (c.callState === undefined) c.callState = timeoutNs > 0 ? c.kernel.now() + timeoutNs : Infinity
  return c.callState as number
}

/** Receive on a socket (recv, recvfrom, read). Returns bytes + sender, -errno, or BLOCK. */
export function socketRecv(c: SysCtx, s: NetSocket, max: number, flags: number): {data: Buffer; from?: Addr} | number {
  const peek = (flags & MSG_PEEK) !== 0
  const nonblock = s.nonblock || (flags & MSG_DONTWAIT) !== 0
  const wait = (): number => {
    if (nonblock) return -Errno.EAGAIN
    if (c.pendingSignals() !== 0) return -Errno.EINTR
    const d = deadline(c, s.rcvTimeoutNs)
    if (c.kernel.now() >= d) return -Errno.EAGAIN
    return c.block([s], d)
  }
  if (s.protocol === 'udp') {
    const e = s.takeError()
    if (e) return -e
    const dg = s.takeDatagram(peek)
    if (!dg) return wait()
    return {data: dg.data.subarray(0, max), from: dg.from}
  }
  if (s.state === 'new' || s.state === 'connecting' || s.state === 'listening') return -Errno.ENOTCONN
  if (s.rxBytes > 0) {
    const waitAll = (flags & MSG_WAITALL) !== 0 && !peek
    if (waitAll && s.rxBytes < max && !s.eof && s.error === 0 && !nonblock) {
      const r = wait()
      if (r === BLOCK) return r
    }
    return {data: s.readStream(max, peek), from: s.peer}
  }
  if (max === 0) return {data: Buffer.alloc(0)}
  const e = s.takeError()
  if (e) return -e
  if (s.eof || s.shutRd || s.state === 'closed') return {data: Buffer.alloc(0)}
  return wait()
}

/** Block a send on a full buffer (or fail at once: non-blocking, a signal, the timeout). */
function waitToSend(c: SysCtx, s: NetSocket, nonblock: boolean): number {
  if (nonblock) return -Errno.EAGAIN
  if (c.pendingSignals() !== 0) return -Errno.EINTR
  const d = deadline(c, s.sndTimeoutNs)
  if (c.kernel.now() >= d) return -Errno.EAGAIN
  return c.block([s], d)
}

/** Register the host listener of a socket that now listens / is bound (so `listeners()` tells the truth). */
function register(c: SysCtx, s: NetSocket, hostAddress: string, hostPort: number): void {
  const l = c.env.net?.addListener({
    componentId: s.owner.componentId,
    pid: s.owner.pid,
    protocol: s.protocol,
    deviceAddress: s.local?.ip ?? '0.0.0.0',
    devicePort: s.local?.port ?? 0,
    hostAddress,
    hostPort,
  })
  if (l) s.setListener(l)
}

/** Open the host UDP socket of `s` for a bind to device port `port` (0: any free port). */
function openUdp(c: SysCtx, s: NetSocket, port: number): void {
  const at = c.env.net!.listenOn('udp', port)
  s.bindUdp(at.host, at.port, (bound) => register(c, s, at.host, bound))
}

/** Send on a socket (send, sendto, write). Returns bytes accepted, -errno, or BLOCK. */
export function socketSend(c: SysCtx, s: NetSocket, data: Uint8Array, flags: number, to?: Addr): number {
  const nonblock = s.nonblock || (flags & MSG_DONTWAIT) !== 0
  if (s.protocol === 'udp') {
    if (s.state === 'closed') return -NetErrno.EPIPE
    const dest = to ?? s.peer
    if (!dest) return -NetErrno.EDESTADDRREQ
    if (dest.ip === DEVICE_RESOLVER.ip && dest.port === DEVICE_RESOLVER.port && c.env.net?.dnsAnswer)
      return resolverQuery(c.env.net, s, data)
    const denied = s.allowSend(dest)
    if (denied) return -denied
    const netHost = c.env.net
    if (!netHost) return -NetErrno.ENETDOWN
    const route = netHost.route(dest.ip)
    if (typeof route === 'number') return route
    if (data.length > 65_507) return -NetErrno.EMSGSIZE
    if (dest.port === 0) return -Errno.EINVAL
    if (!s.writable()) return waitToSend(c, s, nonblock)
    // the first datagram binds the socket implicitly (one host socket per socket, ever)
    if (!s.udp) openUdp(c, s, 0)
    return s.sendUdp(data, dest.port, route)
  }
  const e = s.takeError()
  if (e) return -e
  if (s.state !== 'connected') return s.state === 'closed' ? -NetErrno.EPIPE : -Errno.ENOTCONN
  if (s.shutWr || !s.tcp || s.tcp.destroyed) return -NetErrno.EPIPE
  if (data.length === 0) return 0
  const room = SOCKET_BUFFER_BYTES - s.tcp.writableLength
  if (room <= 0) return waitToSend(c, s, nonblock)
  const n = Math.min(room, data.length)
  s.writeStream(data.subarray(0, n))
  return n
}

/** Where apps reach the device's resolver (DNS-SD queries, as on Azure Sphere). */
const DEVICE_RESOLVER: Addr = {ip: '127.0.0.1', port: 53}

/**
 * A DNS message to the device's resolver: the LSM rules on its question name (dns.query), the OS answers from
 * its records; a message that is not a query is dropped, as a resolver would.
 */
function resolverQuery(netHost: NonNullable<SysCtx['env']['net']>, s: NetSocket, data: Uint8Array): number {
  if (s.state === 'closed') return -NetErrno.EPIPE
  const name = netHost.dnsQuestion?.(data)
  if (name === undefined) return data.length
  const denied = s.allowQuery(name)
  if (denied) return -denied
  const answer = netHost.dnsAnswer?.(data)
  if (answer) s.deliverLocal(answer, DEVICE_RESOLVER)
  return data.length
}

/** The destination of a connect, for the syscall table's policy (undefined: the call fails before any reach). */
export function connectTarget(c: SysCtx, fd: number, addr: number, len: number): Addr | undefined {
  if (!(c.proc.fds.get(fd) instanceof NetSocket)) return undefined
  const a = readSockaddr(c, addr, len)
  return typeof a === 'number' ? undefined : a
}

/** The device port of a bind, for the syscall table's policy (the socket's protocol comes with its fd). */
export function bindTarget(c: SysCtx, fd: number, addr: number, len: number): {protocol: 'tcp' | 'udp'; port: number} | undefined {
  const o = c.proc.fds.get(fd)
  if (!(o instanceof NetSocket)) return undefined
  const a = readSockaddr(c, addr, len)
  if (typeof a === 'number') return undefined
  return {protocol: o.protocol, port: a.port}
}

type Fn = (...a: never[]) => number

/**
 * The socket imports of the `sphere` module. connect and bind are checked by the syscall table's dispatcher
 * (net.connect / net.listen of their arguments, syscalls/sockets.ts) before they run; listen, sendto and the
 * inbound side ask the LSM here, where the socket's state and flows are known.
 */
export function socketImports(c: SysCtx): Record<string, Fn> {
  const {mem, proc, kernel, lsm} = c
  const fds = proc.fds
  const owner = socketOwner(kernel, lsm, proc, c.subject)

  const sock = (fd: number): NetSocket | number => {
    const o = fds.get(fd)
    if (!o) return -Errno.EBADF
    return o instanceof NetSocket ? o : -Errno.ENOTSOCK
  }

  /** A new socket of the app, or -EMFILE at its socket limit (audited). */
  const newSocket = (domain: number, protocol: 'tcp' | 'udp'): NetSocket | number => {
    if (owner.atSocketLimit()) return -Errno.EMFILE
    return new NetSocket(domain, protocol, owner)
  }

  return {
    socket(domain: number, type: number): number {
      if (domain !== 2) return -NetErrno.EAFNOSUPPORT // IPv4 only, as the device's firewall
      if (type & ~(0xf | SOCK_NONBLOCK | CLOEXEC)) return -Errno.EINVAL
      const t = type & 0xf
      if (t !== 1 && t !== 2) return -Errno.EINVAL
      const s = newSocket(domain, t === 1 ? 'tcp' : 'udp')
      if (typeof s === 'number') return s
      s.nonblock = (type & SOCK_NONBLOCK) !== 0
      const fd = fds.add(s)
      if (fd < 0) s.close()
      return fd
    },

    connect(fd: number, addr: number, len: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (c.callState === 'connect') {
        // retry after blocking: the host connect finished (or is still running)
        if (s.state === 'connected') return 0
        if (s.state === 'connecting') {
          if (c.pendingSignals() !== 0) return -Errno.EINTR
          return c.block([s], Infinity)
        }
        return -(s.takeError() || Errno.ECONNREFUSED)
      }
      const a = readSockaddr(c, addr, len)
      if (typeof a === 'number') return a
      if (s.state === 'closed') return -Errno.EBADF
      if (s.protocol === 'tcp') {
        if (s.state === 'connected') return -NetErrno.EISCONN
        if (s.state === 'connecting') return -NetErrno.EALREADY
        if (s.state === 'listening') return -NetErrno.EISCONN
      }
      // net.connect of this destination was decided by the dispatcher (syscalls/sockets.ts)
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      if (!netHost.isReady()) return -Errno.ENETUNREACH
      const route = netHost.route(a.ip)
      if (typeof route === 'number') return route
      if (a.port === 0) return s.protocol === 'tcp' ? -Errno.ECONNREFUSED : -Errno.EINVAL
      // where a TCP connection to the device address and port goes on the host: the same map libcurl uses (a
      // local-internet site serves device ports 443 / 80 from host ports of its own; any other port of it is
      // closed), else the route's address and the same port
      let to = {host: route, port: a.port}
      if (s.protocol === 'tcp' && c.env.http) {
        const e = c.env.http.endpoint(a.ip, a.port)
        if (!e) return -Errno.ECONNREFUSED
        to = e
      }
      s.peer = a
      s.opened(a)
      if (s.protocol === 'udp') {
        // Linux binds a UDP socket when it connects, so the peer's answers have somewhere to arrive
        if (!s.udp) openUdp(c, s, 0)
        return 0
      }
      s.connect(to.host, to.port)
      if (s.nonblock) return -NetErrno.EINPROGRESS
      c.callState = 'connect'
      return c.block([s], Infinity)
    },

    bind(fd: number, addr: number, len: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (c.callState === 'bind') {
        if (s.udpBound) return 0
        const e = s.takeError()
        if (e) {
          s.local = undefined
          s.abandonUdp()
          return -e
        }
        if (s.state === 'closed') return -Errno.EBADF
        return c.block([s], Infinity)
      }
      const a = readSockaddr(c, addr, len)
      if (typeof a === 'number') return a
      // bound already (explicitly, or implicitly by sendto / connect): EINVAL, as Linux
      if (s.local || s.udp || s.state !== 'new') return -Errno.EINVAL
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      if (!netHost.isLocalAddress(a.ip)) return -NetErrno.EADDRNOTAVAIL
      // net.listen of this port (0 included) was decided by the dispatcher (syscalls/sockets.ts)
      s.local = a
      if (s.protocol === 'tcp') return 0
      // UDP: open the host port now (a datagram socket receives once bound)
      openUdp(c, s, a.port)
      c.callState = 'bind'
      return c.block([s], Infinity)
    },

    listen(fd: number, backlog: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (c.callState === 'listen') {
        if (s.state === 'listening') return 0
        const e = s.takeError()
        if (e) return -e
        if (s.state === 'closed') return -Errno.EBADF
        return c.block([s], Infinity)
      }
      if (s.protocol !== 'tcp') return -NetErrno.EOPNOTSUPP
      if (s.state === 'listening') return 0
      if (s.state !== 'new') return -Errno.EINVAL
      if (!s.local || s.local.port === 0) {
        // listen without bind (or after bind to port 0): Linux picks an ephemeral port, which no manifest allows
        const d = lsm.check(c.subject, {op: 'net.listen', protocol: 'tcp', port: 0})
        if (!d.allowed) return -d.errno
        s.local ??= {ip: '0.0.0.0', port: 0}
      }
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      const at = netHost.listenOn('tcp', s.local.port)
      s.listen(at.host, at.port, backlog, (port) => register(c, s, at.host, port))
      c.callState = 'listen'
      return c.block([s], Infinity)
    },

    accept(fd: number, addr: number, addrLen: number, flags: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (flags & ~(SOCK_NONBLOCK | CLOEXEC)) return -Errno.EINVAL
      if (s.state !== 'listening') return -Errno.EINVAL
      if (addrLen !== 0 && !mem.ok(addrLen, 4)) return -Errno.EFAULT
      if (s.backlog.length === 0) {
        const e = s.takeError()
        if (e) return -e
        if (s.nonblock) return -Errno.EAGAIN
        if (c.pendingSignals() !== 0) return -Errno.EINTR
        return c.block([s], Infinity)
      }
      // the waiting connection already counts as a socket of the app: it becomes this one
      const hs = s.takeConnection()!
      const a = new NetSocket(s.domain, 'tcp', owner)
      a.nonblock = (flags & SOCK_NONBLOCK) !== 0
      a.local = s.local
      a.peer = {ip: ipv4Host(hs.remoteAddress ?? '0.0.0.0'), port: hs.remotePort ?? 0}
      a.attachStream(hs)
      hs.resume()
      const nfd = fds.add(a)
      if (nfd < 0) {
        a.close()
        return nfd
      }
      const w = writeSockaddr(c, addr, addrLen, a.peer)
      if (w < 0) return w
      return nfd
    },

    shutdown(fd: number, how: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (how < 0 || how > 2) return -Errno.EINVAL
      if (s.protocol === 'tcp' && s.state !== 'connected') return -Errno.ENOTCONN
      if (how === 0 || how === 2) s.shutRd = true
      if ((how === 1 || how === 2) && !s.shutWr) {
        s.shutWr = true
        s.tcp?.end()
      }
      kernel.notifyReady(s)
      return 0
    },

    getsockname(fd: number, addr: number, addrLen: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (addr === 0 || addrLen === 0) return -Errno.EFAULT
      let a: Addr = s.local ?? {ip: '0.0.0.0', port: 0}
      if (!s.local && s.tcp?.localPort !== undefined)
        a = {ip: ipv4Host(s.tcp.localAddress ?? '0.0.0.0'), port: s.tcp.localPort}
      return writeSockaddr(c, addr, addrLen, a)
    },

    getpeername(fd: number, addr: number, addrLen: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (addr === 0 || addrLen === 0) return -Errno.EFAULT
      if (!s.peer || (s.protocol === 'tcp' && s.state !== 'connected')) return -Errno.ENOTCONN
      return writeSockaddr(c, addr, addrLen, s.peer)
    },

    sendto(fd: number, buf: number, len: number, flags: number, addr: number, addrLen: number): number {
      const o = fds.get(fd)
      if (!o) return -Errno.EBADF
      if (len < 0 || !mem.ok(buf, len)) return -Errno.EFAULT
      if (o instanceof StreamObject) {
        // e.g. an inter-app socket: a full queue blocks the caller unless non-blocking
        const r = o.writeBytes(mem.read(buf, len), kernel.now())
        if (r !== -Errno.EAGAIN || o.nonblock || flags & MSG_DONTWAIT) return r
        if (c.pendingSignals() !== 0) return -Errno.EINTR
        const d = deadline(c, o.sndTimeoutNs)
        if (kernel.now() >= d) return -Errno.EAGAIN
        return c.block([o], d)
      }
      if (!(o instanceof NetSocket)) return -Errno.ENOTSOCK
      if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | 0x8000)) return -NetErrno.EOPNOTSUPP
      let to: Addr | undefined
      if (addr !== 0 && o.protocol === 'udp') {
        const a = readSockaddr(c, addr, addrLen)
        if (typeof a === 'number') return a
        to = a
      }
      return socketSend(c, o, mem.read(buf, len), flags, to)
    },

    recvfrom(fd: number, buf: number, len: number, flags: number, addr: number, addrLen: number): number {
      const o = fds.get(fd)
      if (!o) return -Errno.EBADF
      if (len < 0 || !mem.ok(buf, len)) return -Errno.EFAULT
      if (o instanceof StreamObject) {
        // e.g. an inter-app socket: nothing there blocks the caller unless non-blocking
        const r = o.readBytes(len, kernel.now())
        if (typeof r !== 'number') {
          mem.write(buf, r)
          return r.length
        }
        if (r !== -Errno.EAGAIN || o.nonblock || flags & MSG_DONTWAIT) return r
        if (c.pendingSignals() !== 0) return -Errno.EINTR
        const d = deadline(c, o.rcvTimeoutNs)
        if (kernel.now() >= d) return -Errno.EAGAIN
        return c.block([o], d)
      }
      if (!(o instanceof NetSocket)) return -Errno.ENOTSOCK
      if (addr !== 0 && (addrLen === 0 || !mem.ok(addrLen, 4))) return -Errno.EFAULT
      const r = socketRecv(c, o, len, flags)
      if (typeof r === 'number') return r
      mem.write(buf, r.data)
      if (addr !== 0 && r.from) {
        const w = writeSockaddr(c, addr, addrLen, r.from)
        if (w < 0) return w
      }
      return r.data.length
    },
    setsockopt(fd: number, level: number, name: number, val: number, len: number): number {
      const app = fds.get(fd)
      if (app instanceof StreamObject && app.kind === 'app-socket') return appSetsockopt(c, app, level, name, val, len)
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (len < 0 || !mem.ok(val, len)) return -Errno.EFAULT
      const int = (): number | undefined => (len >= 4 ? mem.view().getInt32(val >>> 0, true) : undefined)
      if (level === SOL_SOCKET) {
        switch (name) {
          case 2: // SO_REUSEADDR
          case 9: // SO_KEEPALIVE
          case 6: // SO_BROADCAST
          case 7: // SO_SNDBUF
          case 8: // SO_RCVBUF
          case 15: {
            // SO_REUSEPORT
            const v = int()
            if (v === undefined) return -Errno.EINVAL
            if (name === 2) s.reuseAddr = v !== 0
            if (name === 9) s.tcp?.setKeepAlive(v !== 0)
            return 0
          }
          case 20:
          case 66: // SO_RCVTIMEO
          case 21:
          case 67: {
            // SO_SNDTIMEO: struct timeval {i64 sec; i64 usec}
            if (len < 16) return -Errno.EINVAL
            const sec = mem.i64(val)
            const usec = mem.i64(val + 8)
            if (sec < 0n || usec < 0n || usec >= 1_000_000n) return -Errno.EINVAL
            const ns = Number(sec) * 1e9 + Number(usec) * 1000
            if (name === 20 || name === 66) s.rcvTimeoutNs = ns
            else s.sndTimeoutNs = ns
            return 0
          }
          case 13: // SO_LINGER
            return len >= 8 ? 0 : -Errno.EINVAL
          default:
            return -NetErrno.ENOPROTOOPT
        }
      }
      if (level === IPPROTO_TCP && (name === 1 || name === 4 || name === 5 || name === 6)) {
        const v = int()
        if (v === undefined) return -Errno.EINVAL
        if (name === 1) s.tcp?.setNoDelay(v !== 0)
        return 0
      }
      return -NetErrno.ENOPROTOOPT
    },

    getsockopt(fd: number, level: number, name: number, val: number, lenPtr: number): number {
      const app = fds.get(fd)
      if (app instanceof StreamObject && app.kind === 'app-socket') return appGetsockopt(c, app, level, name, val, lenPtr)
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (val === 0 || lenPtr === 0 || !mem.ok(lenPtr, 4)) return -Errno.EFAULT
      const cap = mem.u32(lenPtr)
      const putInt = (v: number): number => {
        if (cap < 4 || !mem.ok(val, 4)) return -Errno.EINVAL
        mem.setU32(val, v)
        mem.setU32(lenPtr, 4)
        return 0
      }
      if (level === SOL_SOCKET) {
        switch (name) {
          case 4: // SO_ERROR
            return putInt(s.takeError())
          case 3: // SO_TYPE, as wasi-libc numbers it (SOCK_DGRAM 5, SOCK_STREAM 6)
            return putInt(s.protocol === 'tcp' ? 6 : 5)
          case 2:
            return putInt(s.reuseAddr ? 1 : 0)
          case 30: // SO_ACCEPTCONN
            return putInt(s.state === 'listening' ? 1 : 0)
          case 7:
          case 8:
            return putInt(SOCKET_BUFFER_BYTES)
          case 20:
          case 66:
          case 21:
          case 67: {
            if (cap < 16 || !mem.ok(val, 16)) return -Errno.EINVAL
            const ns = name === 20 || name === 66 ? s.rcvTimeoutNs : s.sndTimeoutNs
            mem.setU64(val, BigInt(Math.floor(ns / 1e9)))
            mem.setU64(val + 8, BigInt(Math.floor((ns % 1e9) / 1000)))
            mem.setU32(lenPtr, 16)
            return 0
          }
          default:
            return -NetErrno.ENOPROTOOPT
        }
      }
      return -NetErrno.ENOPROTOOPT
    },
  }
}

/** SO_SNDBUF / SO_RCVBUF an inter-app connection reports (four 1 KiB messages). */
const APP_SOCKET_BUFFER_BYTES = 4096

/** struct timeval {i64 tv_sec; i64 tv_usec} (wasm32 wasi-libc) -> ns, or -EINVAL. */
function readTimeval(c: SysCtx, val: number, len: number): number {
  if (len < 16) return -Errno.EINVAL
  const sec = c.mem.i64(val)
  const usec = c.mem.i64(val + 8)
  if (sec < 0n || usec < 0n || usec >= 1_000_000n) return -Errno.EINVAL
  return Number(sec) * 1e9 + Number(usec) * 1000
}

function writeTimeval(c: SysCtx, ns: number, val: number, lenPtr: number, cap: number): number {
  if (cap < 16 || !c.mem.ok(val, 16)) return -Errno.EINVAL
  c.mem.setU64(val, BigInt(Math.floor(ns / 1e9)))
  c.mem.setU64(val + 8, BigInt(Math.floor((ns % 1e9) / 1000)))
  c.mem.setU32(lenPtr, 16)
  return 0
}

/**
 * Socket options of an inter-app connection (Application_Connect: a SOCK_SEQPACKET socket on the device), as
 * Linux takes them: SO_RCVTIMEO / SO_SNDTIMEO bound a blocking recv / send (then EAGAIN), the buffer sizes are
 * accepted (the queue keeps its own bound), anything else is ENOPROTOOPT.
 */
function appSetsockopt(c: SysCtx, o: StreamObject, level: number, name: number, val: number, len: number): number {
  if (len < 0 || !c.mem.ok(val, len)) return -Errno.EFAULT
  if (level !== SOL_SOCKET) return -NetErrno.ENOPROTOOPT
  switch (name) {
    case 20:
    case 66: // SO_RCVTIMEO
    case 21:
    case 67: {
      // SO_SNDTIMEO
      const ns = readTimeval(c, val, len)
      if (ns < 0) return ns
      if (name === 20 || name === 66) o.rcvTimeoutNs = ns
      else o.sndTimeoutNs = ns
      return 0
    }
    case 7: // SO_SNDBUF
    case 8: // SO_RCVBUF
      return len >= 4 ? 0 : -Errno.EINVAL
    default:
      return -NetErrno.ENOPROTOOPT
  }
}

function appGetsockopt(c: SysCtx, o: StreamObject, level: number, name: number, val: number, lenPtr: number): number {
  const {mem} = c
  if (val === 0 || lenPtr === 0 || !mem.ok(lenPtr, 4)) return -Errno.EFAULT
  const cap = mem.u32(lenPtr)
  const putInt = (v: number): number => {
    if (cap < 4 || !mem.ok(val, 4)) return -Errno.EINVAL
    mem.setU32(val, v)
    mem.setU32(lenPtr, 4)
    return 0
  }
  if (level !== SOL_SOCKET) return -NetErrno.ENOPROTOOPT
  switch (name) {
    case 4: // SO_ERROR
      return putInt(0)
    case 3: // SO_TYPE: SOCK_SEQPACKET (5 on Linux; wasi-libc has no number for it)
      return putInt(5)
    case 7:
    case 8:
      return putInt(APP_SOCKET_BUFFER_BYTES)
    case 20:
    case 66:
      return writeTimeval(c, o.rcvTimeoutNs, val, lenPtr, cap)
    case 21:
    case 67:
      return writeTimeval(c, o.sndTimeoutNs, val, lenPtr, cap)
    default:
      return -NetErrno.ENOPROTOOPT
  }
}
