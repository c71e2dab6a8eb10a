import dgram from 'node:dgram'
import net from 'node:net'
import {Errno} from '../kernel/errno.js'
import {KObject, StreamObject} from '../kernel/objects.js'
import {BLOCK, type SysCtx} from './context.js'

/**
 * BSD sockets for apps (the `sphere` module's socket imports, sdk/ABI.md), backed by Node `net` (TCP) and
 * `dgram` (UDP) on the host. Every connect / bind passes the LSM first (AllowedConnections,
 * AllowedTcpServerPorts, AllowedUdpServerPorts; denials are audited and fail with the LSM's errno), then the
 * device's network service routes it (by default only the host loopback is reachable).
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
  ENOPROTOOPT: 50,
  EOPNOTSUPP: 58,
  EPIPE: 64,
} as const

const SOCK_NONBLOCK = 0x800
const CLOEXEC = 0x80000
const MSG_PEEK = 0x2
const MSG_DONTWAIT = 0x40
const MSG_WAITALL = 0x100
const MSG_NOSIGNAL = 0x4000
const SOL_SOCKET = 1
const IPPROTO_TCP = 6
/** Bytes a TCP socket buffers each way before send blocks / the host socket is paused. */
export const SOCKET_BUFFER_BYTES = 64 * 1024
const MAX_DATAGRAMS = 64
const CONNECT_TIMEOUT_MS = 30_000

interface Addr {
  ip: string
  port: number
}

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
  /** The address the app bound (device view). */
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
  /** Listening: accepted host connections not yet taken by accept(). */
  readonly backlog: net.Socket[] = []
  backlogMax = 16
  udp?: dgram.Socket
  udpBound = false
  readonly datagrams: {data: Buffer; from: Addr}[] = []
  /** UDP destinations already allowed by the LSM (a check per datagram would flood the audit log). */
  readonly allowedDestinations = new Set<string>()
  private unregister?: () => void
  private closed = false

  constructor(
    readonly domain: number,
    protocol: 'tcp' | 'udp',
    private readonly notify: (s: NetSocket) => void,
    readonly owner: {componentId: string; pid: number},
  ) {
    super()
    this.protocol = protocol
  }

  private changed(): void {
    if (!this.closed) this.notify(this)
  }

  override readable(): boolean {
    if (this.error !== 0) return true
    if (this.protocol === 'udp') return this.datagrams.length > 0
    if (this.state === 'listening') return this.backlog.length > 0
    if (this.state === 'connected' || this.state === 'closed') return this.rxBytes > 0 || this.eof || this.shutRd
    return false
  }

  override writable(): boolean {
    if (this.error !== 0) return true
    if (this.protocol === 'udp') return true
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
    sock.on('data', (d: Buffer) => {
      this.rx.push(d)
      this.rxBytes += d.length
      if (this.rxBytes >= SOCKET_BUFFER_BYTES) sock.pause()
      this.changed()
    })
    sock.on('end', () => {
      this.eof = true
      this.changed()
    })
    sock.on('drain', () => this.changed())
    sock.on('error', (e) => {
      this.error = hostErrno(e)
      this.changed()
    })
    sock.on('close', () => {
      this.eof = true
      this.changed()
    })
  }

  /** Start a host connection; completion or failure is reported through the socket's state. */
  connect(hostIp: string, port: number): void {
    this.state = 'connecting'
    const sock = net.connect({host: hostIp, port})
    sock.setTimeout(CONNECT_TIMEOUT_MS)
    const fail = (e: unknown): void => {
      if (this.state !== 'connecting') return
      sock.destroy()
      this.state = 'new'
      this.error = hostErrno(e)
      this.changed()
    }
    sock.once('timeout', () => fail(Object.assign(new Error('timeout'), {code: 'ETIMEDOUT'})))
    sock.once('error', fail)
    sock.once('connect', () => {
      if (this.closed) return void sock.destroy()
      sock.setTimeout(0)
      sock.removeListener('error', fail)
      this.attachStream(sock)
      this.changed()
    })
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
      if (this.tcp?.isPaused() && this.rxBytes < SOCKET_BUFFER_BYTES / 2) this.tcp.resume()
    }
    return out
  }

  // ---- listening ----

  listen(host: string, port: number, backlog: number, onListening: (port: number) => void): void {
    this.backlogMax = Math.max(1, Math.min(backlog || 16, 128))
    const server = net.createServer((sock) => {
      if (this.closed || this.backlog.length >= this.backlogMax) return void sock.destroy()
      sock.pause()
      sock.on('error', () => undefined)
      this.backlog.push(sock)
      this.changed()
    })
    this.server = server
    server.once('error', (e) => {
      if (this.state === 'listening') return
      this.error = hostErrno(e)
      this.server = undefined
      this.changed()
    })
    server.listen({host, port, backlog: this.backlogMax, exclusive: true}, () => {
      if (this.closed) return void server.close()
      this.state = 'listening'
      onListening((server.address() as net.AddressInfo).port)
      this.changed()
    })
  }

  // ---- UDP ----

  bindUdp(host: string, port: number, onBound: (port: number) => void): void {
    const u = dgram.createSocket({type: 'udp4', reuseAddr: this.reuseAddr})
    this.udp = u
    u.on('message', (msg, rinfo) => {
      if (this.datagrams.length >= MAX_DATAGRAMS) return // a full receive queue drops, as UDP does
      this.datagrams.push({data: msg, from: {ip: rinfo.address, port: rinfo.port}})
      // replies to a sender are "established" traffic: the firewall lets them out without AllowedConnections
      this.allowedDestinations.add(`${rinfo.address}:${rinfo.port}`)
      this.changed()
    })
    u.on('error', (e) => {
      this.error = hostErrno(e)
      this.changed()
    })
    u.bind({address: host, port, exclusive: true}, () => {
      if (this.closed) return void u.close()
      this.udpBound = true
      onBound(u.address().port)
      this.changed()
    })
  }

  setListener(unregister: () => void): void {
    this.unregister = unregister
  }

  override close(): void {
    if (this.closed) return
    this.closed = true
    this.state = 'closed'
    this.unregister?.()
    this.tcp?.destroy()
    for (const s of this.backlog) s.destroy()
    this.backlog.length = 0
    this.server?.close()
    try {
      this.udp?.close()
    } catch {
      // already closed
    }
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

const ipv4Host = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip)

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
    const dg = s.datagrams[0]
    if (!dg) return wait()
    if (!peek) s.datagrams.shift()
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

/** Send on a socket (send, sendto, write). Returns bytes accepted, -errno, or BLOCK. */
export function socketSend(c: SysCtx, s: NetSocket, data: Uint8Array, flags: number, to?: Addr): number {
  const nonblock = s.nonblock || (flags & MSG_DONTWAIT) !== 0
  if (s.protocol === 'udp') {
    const dest = to ?? s.peer
    if (!dest) return -NetErrno.EDESTADDRREQ
    const key = `${dest.ip}:${dest.port}`
    if (!s.allowedDestinations.has(key)) {
      const d = c.lsm.check(c.subject, {op: 'net.connect', host: dest.ip, port: dest.port})
      if (!d.allowed) return -d.errno
      s.allowedDestinations.add(key)
    }
    const netHost = c.env.net
    if (!netHost) return -NetErrno.ENETDOWN
    const route = netHost.route(dest.ip)
    if (typeof route === 'number') return route
    if (data.length > 65_507) return -NetErrno.EMSGSIZE
    if (!s.udp) s.bindUdp('0.0.0.0', 0, () => undefined)
    s.udp!.send(Buffer.from(data), dest.port, route)
    return data.length
  }
  const e = s.takeError()
  if (e) return -e
  if (s.state !== 'connected') return s.state === 'closed' ? -NetErrno.EPIPE : -Errno.ENOTCONN
  if (s.shutWr || !s.tcp || s.tcp.destroyed) return -NetErrno.EPIPE
  if (data.length === 0) return 0
  const room = SOCKET_BUFFER_BYTES - s.tcp.writableLength
  if (room <= 0) {
    if (nonblock) return -Errno.EAGAIN
    if (c.pendingSignals() !== 0) return -Errno.EINTR
    const d = deadline(c, s.sndTimeoutNs)
    if (c.kernel.now() >= d) return -Errno.EAGAIN
    return c.block([s], d)
  }
  const n = Math.min(room, data.length)
  s.tcp.write(Buffer.from(data.subarray(0, n)))
  return n
}

type Fn = (...a: never[]) => number

/** The socket imports of the `sphere` module. */
export function socketImports(c: SysCtx): Record<string, Fn> {
  const {mem, proc, kernel, lsm} = c
  const fds = proc.fds
  const owner = {componentId: proc.componentId, pid: proc.pid}
  const notify = (s: NetSocket): void => kernel.notifyReady(s)

  const sock = (fd: number): NetSocket | number => {
    const o = fds.get(fd)
    if (!o) return -Errno.EBADF
    return o instanceof NetSocket ? o : -Errno.ENOTSOCK
  }

  /** Register the host listener of a socket that now listens / is bound. */
  const register = (s: NetSocket, hostAddress: string, hostPort: number): void => {
    const l = c.env.net?.addListener({
      componentId: owner.componentId,
      pid: owner.pid,
      protocol: s.protocol,
      deviceAddress: s.local?.ip ?? '0.0.0.0',
      devicePort: s.local?.port ?? hostPort,
      hostAddress,
      hostPort,
    })
    if (l) s.setListener(l)
  }

  return {
    socket(domain: number, type: number): number {
      if (domain !== 2) return -NetErrno.EAFNOSUPPORT // IPv4 only, as the device's firewall
      if (type & ~(0xf | SOCK_NONBLOCK | CLOEXEC)) return -Errno.EINVAL
      const t = type & 0xf
      if (t !== 1 && t !== 2) return -Errno.EINVAL
      const s = new NetSocket(domain, t === 1 ? 'tcp' : 'udp', notify, owner)
      s.nonblock = (type & SOCK_NONBLOCK) !== 0
      return fds.add(s)
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
      if (s.protocol === 'tcp') {
        if (s.state === 'connected') return -NetErrno.EISCONN
        if (s.state === 'connecting') return -NetErrno.EALREADY
        if (s.state === 'listening') return -NetErrno.EISCONN
      }
      const d = lsm.check(c.subject, {op: 'net.connect', host: a.ip, port: a.port})
      if (!d.allowed) return -d.errno
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      if (!netHost.isReady()) return -Errno.ENETUNREACH
      const route = netHost.route(a.ip)
      if (typeof route === 'number') return route
      s.peer = a
      if (s.protocol === 'udp') {
        s.allowedDestinations.add(`${a.ip}:${a.port}`)
        return 0
      }
      s.connect(route, a.port)
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
          s.udp = undefined
          s.local = undefined
          return -e
        }
        return c.block([s], Infinity)
      }
      const a = readSockaddr(c, addr, len)
      if (typeof a === 'number') return a
      if (s.local || s.state !== 'new') return -Errno.EINVAL
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      if (!netHost.isLocalAddress(a.ip)) return -NetErrno.EADDRNOTAVAIL
      if (a.port !== 0) {
        const d = lsm.check(c.subject, {op: 'net.listen', protocol: s.protocol, port: a.port})
        if (!d.allowed) return -d.errno
      }
      s.local = a
      if (s.protocol === 'tcp') return 0
      // UDP: open the host port now (a datagram socket receives once bound)
      const at = netHost.listenOn('udp', a.port)
      s.bindUdp(at.host, at.port, (port) => register(s, at.host, port))
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
        return c.block([s], Infinity)
      }
      if (s.protocol !== 'tcp') return -NetErrno.EOPNOTSUPP
      if (s.state === 'listening') return 0
      if (s.state !== 'new') return -Errno.EINVAL
      if (!s.local) {
        // listen without bind: Linux picks an ephemeral port, which no manifest allows
        const d = lsm.check(c.subject, {op: 'net.listen', protocol: 'tcp', port: 0})
        if (!d.allowed) return -d.errno
        s.local = {ip: '0.0.0.0', port: 0}
      }
      if (s.local.port === 0) {
        const d = lsm.check(c.subject, {op: 'net.listen', protocol: 'tcp', port: 0})
        if (!d.allowed) return -d.errno
      }
      const netHost = c.env.net
      if (!netHost) return -NetErrno.ENETDOWN
      const at = netHost.listenOn('tcp', s.local.port)
      s.listen(at.host, at.port, backlog, (port) => register(s, at.host, port))
      c.callState = 'listen'
      return c.block([s], Infinity)
    },

    accept(fd: number, addr: number, addrLen: number, flags: number): number {
      const s = sock(fd)
      if (typeof s === 'number') return s
      if (flags & ~(SOCK_NONBLOCK | CLOEXEC)) return -Errno.EINVAL
      if (s.state !== 'listening') return -Errno.EINVAL
      if (addrLen !== 0 && !mem.ok(addrLen, 4)) return -Errno.EFAULT
      const hs = s.backlog.shift()
      if (!hs) {
        const e = s.takeError()
        if (e) return -e
        if (s.nonblock) return -Errno.EAGAIN
        if (c.pendingSignals() !== 0) return -Errno.EINTR
        return c.block([s], Infinity)
      }
      const a = new NetSocket(s.domain, 'tcp', notify, owner)
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
      if (o instanceof StreamObject) return o.writeBytes(mem.read(buf, len), kernel.now()) // e.g. an inter-app socket
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
        return c.block([o], Infinity)
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
