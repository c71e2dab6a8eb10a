import {randomBytes, randomInt} from 'node:crypto'
import {Duplex} from 'node:stream'

import {LinkError} from './errors.js'
import {decodeIpv4, formatIpv4Address, IP_PROTOCOL_TCP, IPV4_HEADER_LENGTH, parseIpv4Address} from './ipv4.js'
import {
  decodeTcpSegment,
  encodeTcpPacket,
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqLe,
  seqLt,
  TCP_ACK,
  TCP_CRC_OPTION_LENGTH,
  TCP_FIN,
  TCP_HEADER_LENGTH,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  type TcpSegment,
} from './tcp-segment.js'

/** Where a TcpStack sends IPv4 packets (e.g. a SlipLink). */
export interface PacketOutput {
  send(packet: Buffer): void
  /** False while the link's queue is full: the stack holds segments back until `TcpStack.pump()`. */
  readonly ready: boolean
}

export interface TcpOptions {
  /** MSS we advertise and the largest segment we send (bytes of payload). Default 8192. */
  mss?: number
  /** Floor of the adaptive segment size used after losses. Default 64. */
  minSegment?: number
  /**
   * Receive buffer = largest window we advertise (window scaling when > 65535 and the peer agrees). Default 65535:
   * with no congestion control, a larger window only adds queueing delay on a serial line (measured: 256 KiB gave
   * spurious timeouts and lower throughput on a PTY).
   */
  receiveWindow?: number
  /** Bytes accepted by write() before it applies backpressure (unacked + unsent). Default 256 KiB. */
  sendBuffer?: number
  /** Retransmission timer before any RTT sample. Default 60 ms (a local serial line, not the Internet). */
  initialRtoMs?: number
  minRtoMs?: number
  maxRtoMs?: number
  /** Most doublings of the retransmission timer (a serial line has no congestion to back off from). Default 3. */
  maxBackoff?: number
  /** Abort a connection when its oldest unacknowledged byte (or SYN) waited this long. Default 20 s. */
  userTimeoutMs?: number
  /** Keepalive: probe after this much silence from the peer; 0 disables. Default 0. */
  keepAliveIdleMs?: number
  keepAliveIntervalMs?: number
  keepAliveCount?: number
  /** How long a closed connection lingers in TIME_WAIT to re-ack a retransmitted FIN. Default 1000 ms. */
  timeWaitMs?: number
  /** Offer / accept the CRC-32C option (our extension; peers that ignore it get plain TCP). Default true. */
  crc?: boolean
  /** Most connections (any state) at once. Default 128. */
  maxConnections?: number
}

type Resolved = Required<TcpOptions>

const DEFAULTS: Resolved = {
  mss: 8192,
  minSegment: 64,
  receiveWindow: 65535,
  sendBuffer: 256 * 1024,
  initialRtoMs: 60,
  minRtoMs: 30,
  maxRtoMs: 2000,
  maxBackoff: 3,
  userTimeoutMs: 20000,
  keepAliveIdleMs: 0,
  keepAliveIntervalMs: 1000,
  keepAliveCount: 4,
  timeWaitMs: 1000,
  crc: true,
  maxConnections: 128,
}

export type TcpState =
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT'
  | 'CLOSED'

export interface TcpStackStats {
  packetsIn: number
  packetsOut: number
  bytesOut: number
  /** Packets dropped because they failed to decode (bad checksum, truncated ...), by error code. */
  rejected: Record<string, number>
  /** Valid packets not for us / for no connection / failing the negotiated CRC requirement. */
  ignored: number
  retransmits: number
  resetsSent: number
  connectionsOpened: number
  connectionsAccepted: number
}

const now = (): number => performance.now()
/** Timestamp clock for the CRC option: 0.1 ms units, never 0. */
const tsNow = (): number => Math.floor(performance.now() * 10) >>> 0 || 1

const ORPHAN_FIN_WAIT_2_MS = 5000
const MAX_OOO_SEGMENTS = 256

/**
 * A userspace TCP endpoint on one IPv4 address: any number of client connections (`connect`) and listening ports
 * (`listen`), each connection a Node Duplex (`TcpSocket`). Feed received IPv4 packets to `input()`; packets go out
 * through the PacketOutput. Point-to-point oriented: flow control by the peer's window and the link's readiness,
 * no congestion window; losses are recovered by RTO and fast retransmit with NewReno-style partial-ack retransmission,
 * and the segment size adapts (halves on timeout, doubles after clean runs) so a noisy line still makes progress.
 */
export class TcpStack {
  readonly address: number
  readonly options: Resolved
  readonly stats: TcpStackStats = {
    packetsIn: 0,
    packetsOut: 0,
    bytesOut: 0,
    rejected: {},
    ignored: 0,
    retransmits: 0,
    resetsSent: 0,
    connectionsOpened: 0,
    connectionsAccepted: 0,
  }
  /** Segment size learned from earlier connections (like a route metric cache). */
  segmentHint: number
  private readonly conns = new Map<string, TcpSocket>()
  private readonly listeners = new Map<number, (socket: TcpSocket) => void>()
  private readonly blocked = new Set<TcpSocket>()
  private readonly ackQueue = new Set<TcpSocket>()
  private ackScheduled = false
  private nextPort = randomInt(49152, 65536)
  private ipId = randomInt(0, 65536)
  private ticker: NodeJS.Timeout | undefined
  private closedWith: LinkError | undefined

  constructor(
    private readonly output: PacketOutput,
    opts: TcpOptions & {address: string},
  ) {
    this.address = parseIpv4Address(opts.address)
    const o = {...DEFAULTS}
    for (const [k, v] of Object.entries(opts)) if (v !== undefined && k in o) (o as Record<string, unknown>)[k] = v
    o.receiveWindow = Math.min(1 << 24, Math.max(1, o.receiveWindow))
    o.mss = Math.max(
      o.minSegment,
      Math.min(o.mss, 65535 - IPV4_HEADER_LENGTH - TCP_HEADER_LENGTH - 8 - TCP_CRC_OPTION_LENGTH),
    )
    this.options = o
    this.segmentHint = o.mss
  }

  get closed(): boolean {
    return this.closedWith !== undefined
  }

  /** Number of connections in any state (TIME_WAIT and orphans included). */
  get connectionCount(): number {
    return this.conns.size
  }

  /** Process one received IPv4 packet. Never throws: malformed packets are counted in stats.rejected. */
  input(packet: Uint8Array): void {
    if (this.closedWith) return
    this.stats.packetsIn++
    let seg: TcpSegment
    let src: number
    try {
      const ip = decodeIpv4(packet)
      if (ip.dst !== this.address || ip.protocol !== IP_PROTOCOL_TCP) {
        this.stats.ignored++
        return
      }
      src = ip.src
      seg = decodeTcpSegment(ip.payload, ip.src, ip.dst)
    } catch (e) {
      const code = e instanceof LinkError ? e.code : 'UNEXPECTED'
      this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1
      return
    }
    const conn = this.conns.get(key(src, seg.srcPort, seg.dstPort))
    if (conn) {
      if (
        conn.state === 'TIME_WAIT' &&
        seg.flags & TCP_SYN &&
        !(seg.flags & TCP_ACK) &&
        this.listeners.has(seg.dstPort)
      ) {
        // a new incarnation reusing the port pair (RFC 1122 4.2.2.13)
        conn._terminate()
      } else {
        conn._segment(seg)
        return
      }
    }
    const listener = this.listeners.get(seg.dstPort)
    if (seg.flags & TCP_RST) return
    if (!listener || seg.flags & TCP_ACK || !(seg.flags & TCP_SYN)) {
      this.stats.ignored++
      this.sendResetFor(src, seg)
      return
    }
    if (this.conns.size >= this.options.maxConnections) {
      this.sendResetFor(src, seg)
      return
    }
    const sock = new TcpSocket(this, src, seg.srcPort, seg.dstPort, listener)
    this.conns.set(sock._key, sock)
    this.ensureTicker()
    sock._acceptSyn(seg)
  }

  /** Open a connection; returns at once (state SYN_SENT). Errors arrive as the socket's 'error' event. */
  connect(host: string, port: number, opts: {localPort?: number} = {}): TcpSocket {
    const remote = parseIpv4Address(host)
    if (this.closedWith) {
      const s = new TcpSocket(this, remote, port, 0)
      process.nextTick(() => s.destroy(this.closedWith))
      return s
    }
    let localPort = opts.localPort ?? 0
    if (!localPort) {
      for (let i = 0; i < 16384; i++) {
        const p = this.nextPort
        this.nextPort = this.nextPort >= 65535 ? 49152 : this.nextPort + 1
        if (!this.conns.has(key(remote, port, p)) && !this.listeners.has(p)) {
          localPort = p
          break
        }
      }
    }
    const sock = new TcpSocket(this, remote, port, localPort)
    if (!localPort || this.conns.has(sock._key) || this.conns.size >= this.options.maxConnections) {
      process.nextTick(() =>
        sock.destroy(new LinkError('TCP_TOO_MANY_CONNECTIONS', `no free local port for ${host}:${port}`)),
      )
      return sock
    }
    this.conns.set(sock._key, sock)
    this.ensureTicker()
    this.stats.connectionsOpened++
    sock._open()
    return sock
  }

  /** Accept connections on `port`; each established connection is passed to onConnection. */
  listen(port: number, onConnection: (socket: TcpSocket) => void): {close(): void} {
    if (this.listeners.has(port)) throw new LinkError('TCP_BAD_SEGMENT', `port ${port} is already listening`)
    this.listeners.set(port, onConnection)
    return {close: () => void this.listeners.delete(port)}
  }

  /** The link can take more packets: resume connections that were held back. */
  pump(): void {
    if (this.blocked.size === 0) return
    const list = [...this.blocked]
    this.blocked.clear()
    for (const c of list)
      if (this.output.ready) c._output()
      else this.blocked.add(c)
  }

  /** Abort every connection (e.g. the link died) with `err`; the stack then refuses new work. */
  destroy(err?: LinkError): void {
    if (this.closedWith) return
    this.closedWith = err ?? new LinkError('TCP_STACK_CLOSED', 'the TCP endpoint was closed')
    if (this.ticker) clearInterval(this.ticker)
    this.listeners.clear()
    for (const c of [...this.conns.values()]) c._abort(this.closedWith, false)
    this.conns.clear()
  }

  // ---- internal, used by TcpSocket ----

  get _ready(): boolean {
    return this.output.ready
  }

  _block(c: TcpSocket): void {
    this.blocked.add(c)
  }

  _send(dst: number, seg: TcpSegment): void {
    if (this.closedWith) return
    const pkt = encodeTcpPacket(this.address, dst, seg, {id: this.ipId})
    this.ipId = (this.ipId + 1) & 0xffff
    this.stats.packetsOut++
    this.stats.bytesOut += pkt.length
    this.output.send(pkt)
  }

  _scheduleAck(c: TcpSocket): void {
    this.ackQueue.add(c)
    if (this.ackScheduled) return
    this.ackScheduled = true
    setImmediate(() => {
      this.ackScheduled = false
      const list = [...this.ackQueue]
      this.ackQueue.clear()
      for (const s of list) s._flushAck()
    })
  }

  _remove(c: TcpSocket): void {
    if (this.conns.get(c._key) === c) this.conns.delete(c._key)
    this.blocked.delete(c)
    this.ackQueue.delete(c)
    if (this.conns.size === 0 && this.ticker) {
      clearInterval(this.ticker)
      this.ticker = undefined
    }
  }

  _accepted(): void {
    this.stats.connectionsAccepted++
  }

  private ensureTicker(): void {
    if (this.ticker) return
    this.ticker = setInterval(() => {
      const t = now()
      for (const c of [...this.conns.values()]) c._tick(t)
    }, 100)
    this.ticker.unref()
  }

  private sendResetFor(src: number, seg: TcpSegment): void {
    if (seg.flags & TCP_RST) return
    this.stats.resetsSent++
    const segLen = seg.payload.length + (seg.flags & TCP_SYN ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0)
    if (seg.flags & TCP_ACK)
      this._send(src, {
        srcPort: seg.dstPort,
        dstPort: seg.srcPort,
        seq: seg.ack,
        ack: 0,
        flags: TCP_RST,
        window: 0,
        payload: EMPTY,
      })
    else
      this._send(src, {
        srcPort: seg.dstPort,
        dstPort: seg.srcPort,
        seq: 0,
        ack: seqAdd(seg.seq, segLen),
        flags: TCP_RST | TCP_ACK,
        window: 0,
        payload: EMPTY,
      })
  }
}

const EMPTY = Buffer.alloc(0)
const key = (remote: number, remotePort: number, localPort: number): string => `${remote}:${remotePort}:${localPort}`

function isn(): number {
  return randomBytes(4).readUInt32BE(0)
}

/**
 * One TCP connection as a Node Duplex: usable as `http.request({createConnection})`'s socket and with
 * `httpServer.emit('connection', socket)`. `end()` sends FIN ('finish' fires once the peer acknowledged it);
 * the readable side ends at the peer's FIN; `destroy(err)` aborts with RST, `destroy()` without an error closes
 * gracefully in the background. Failures are LinkErrors (TCP_CONNECTION_REFUSED, TCP_CONNECTION_RESET,
 * TCP_TIMEOUT, LINK_DOWN ...).
 */
export class TcpSocket extends Duplex {
  state: TcpState = 'CLOSED'
  readonly _key: string
  readonly remoteAddress: string
  readonly remoteFamily = 'IPv4'
  readonly localAddress: string
  connecting = false
  bytesRead = 0
  bytesWritten = 0

  private readonly opt: Resolved
  // send side
  private iss = isn()
  private sndUna = 0
  private sndNxt = 0
  private sndWnd = 0
  private sndWl1 = 0
  private sndWl2 = 0
  private sndBase = 0 // sequence number of sndChunks[0][0]
  private sndChunks: Buffer[] = []
  private sndBytes = 0
  private finQueued = false
  private finSent = false
  private finSeq = 0
  private finalCb: ((err?: Error | null) => void) | undefined
  private writeCbs: Array<(err?: Error | null) => void> = []
  private peerMss = 536
  private effMss: number
  private crcOn = false
  // receive side
  private irs = 0
  private rcvNxt = 0
  private rcvAdvEdge = 0
  private ooo: Array<{seq: number; data: Buffer}> = []
  private oooBytes = 0
  private remoteFinSeq: number | undefined
  private remoteFinDone = false
  private ackPending = false
  private tsRecent = 0
  /** Our window-scale shift (offered on SYN) and the ones in force after the handshake. */
  private readonly rcvShiftOffer: number
  private rcvShift = 0
  private sndShift = 0
  // timers / loss recovery
  private srtt = 0
  private rttvar = 0
  private rto: number
  private backoff = 0
  private rtxTimer: NodeJS.Timeout | undefined
  private rttSeq: number | undefined
  private rttStart = 0
  private oldestSince = 0 // when the oldest outstanding byte was first sent (for the user timeout)
  private dupAcks = 0
  private inRecovery = false
  private goBack = false
  private goBackPaused = false
  /** Eifel (RFC 3522): TSval at the last timeout and the segment size before it, to undo a spurious timeout. */
  private rtoTsVal = 0
  private preRtoMss = 0
  private lastEarlyRtx = 0
  private lastRtoAt = 0
  private resendNxt = 0
  private recoverSeq = 0
  private cleanBytes = 0
  private persistTimer: NodeJS.Timeout | undefined
  private persistBackoff = 0
  private lastRecv = now()
  private keepAliveSent = 0
  private timeWaitUntil = 0
  private orphanSince = 0
  private idleTimeoutMs = 0
  private idleTimer: NodeJS.Timeout | undefined
  private orphan = false

  constructor(
    private readonly stack: TcpStack,
    readonly remote: number,
    readonly remotePort: number,
    readonly localPort: number,
    private readonly onAccept?: (s: TcpSocket) => void,
  ) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: Math.max(1024, stack.options.receiveWindow >> 1),
      writableHighWaterMark: 16 * 1024,
      decodeStrings: true,
    })
    this.opt = stack.options
    this._key = key(remote, remotePort, localPort)
    this.remoteAddress = formatIpv4Address(remote)
    this.localAddress = formatIpv4Address(stack.address)
    this.effMss = Math.min(stack.segmentHint, this.opt.mss)
    this.rto = this.opt.initialRtoMs
    let shift = 0
    while (this.opt.receiveWindow >>> shift > 0xffff) shift++
    this.rcvShiftOffer = shift
  }

  // ---- net.Socket-like surface used by http ----

  address(): {address: string; family: string; port: number} {
    return {address: this.localAddress, family: 'IPv4', port: this.localPort}
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  ref(): this {
    return this
  }

  unref(): this {
    return this
  }

  /** Idle timeout like net.Socket#setTimeout: emits 'timeout' after `ms` without activity (0 disables). */
  setTimeout(ms: number, cb?: () => void): this {
    this.idleTimeoutMs = ms
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb)
      else this.once('timeout', cb)
    }
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    if (ms > 0) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), ms)
      this.idleTimer.unref()
    }
    return this
  }

  /** End the writable side, then destroy once it is finished (what http does after a response). */
  destroySoon(): void {
    if (this.writable) this.end()
    if (this.writableFinished) this.destroy()
    else this.once('finish', () => this.destroy())
  }

  /** Segment size currently used for sending (adapts to losses). */
  get segmentSize(): number {
    return this.effMss
  }

  /** True when this connection negotiated the CRC-32C option. */
  get crcNegotiated(): boolean {
    return this.crcOn
  }

  // ---- Duplex implementation ----

  override _read(): void {
    this.maybeWindowUpdate()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.finQueued || this.state === 'CLOSED' || this.state === 'TIME_WAIT') {
      cb(new LinkError('TCP_CONNECTION_RESET', 'write after the connection was closed'))
      return
    }
    if (chunk.length > 0) {
      this.sndChunks.push(chunk)
      this.sndBytes += chunk.length
      this.bytesWritten += chunk.length
      this.touch()
    }
    if (this.sndBytes < this.opt.sendBuffer) cb()
    else this.writeCbs.push(cb)
    this._output()
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.state === 'CLOSED') {
      cb()
      return
    }
    this.finQueued = true
    this.finalCb = cb
    this._output()
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    const pending = [...this.writeCbs]
    this.writeCbs = []
    for (const w of pending) w(err ?? new LinkError('TCP_CONNECTION_RESET', 'connection destroyed'))
    if (this.state === 'CLOSED' || this.state === 'TIME_WAIT') {
      // nothing to do
    } else if (err || this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') {
      if (this.state !== 'SYN_SENT') this.sendRst()
      this._terminate()
    } else {
      // graceful: flush what was written, send FIN, finish the handshake in the background (an orphan)
      this.orphan = true
      this.orphanSince = now()
      if (this.finalCb === undefined) this.finQueued = true
      this._output()
    }
    cb(err)
  }

  // ---- protocol ----

  _open(): void {
    this.connecting = true
    this.state = 'SYN_SENT'
    this.sndUna = this.iss
    this.sndNxt = seqAdd(this.iss, 1)
    this.sndBase = this.sndNxt
    this.oldestSince = now()
    this.rttSeq = this.sndNxt
    this.rttStart = now()
    this.sendSyn(false)
    this.armRtx()
  }

  _acceptSyn(seg: TcpSegment): void {
    this.state = 'SYN_RECEIVED'
    this.irs = seg.seq
    this.rcvNxt = seqAdd(seg.seq, 1)
    this.peerMss = seg.mss ?? 536
    this.effMss = Math.min(this.effMss, this.peerMss)
    this.crcOn = this.opt.crc && seg.crc === true
    if (this.crcOn) this.tsRecent = seg.tsVal ?? 0
    this.negotiateScale(seg)
    this.sndUna = this.iss
    this.sndNxt = seqAdd(this.iss, 1)
    this.sndBase = this.sndNxt
    this.sndWnd = seg.window
    this.sndWl1 = seg.seq
    this.sndWl2 = 0
    this.oldestSince = now()
    this.lastRecv = now()
    this.rttSeq = this.sndNxt
    this.rttStart = now()
    this.sendSyn(true)
    this.armRtx()
  }

  private peerOfferedScale = false

  private negotiateScale(seg: TcpSegment): void {
    this.peerOfferedScale = seg.wscale !== undefined
    if (seg.wscale !== undefined) {
      this.sndShift = seg.wscale
      this.rcvShift = this.rcvShiftOffer
    } else {
      this.sndShift = 0
      this.rcvShift = 0
    }
  }

  /** Window field for an outgoing segment; moves rcvAdvEdge to what the (scaled, rounded-up) field promises. */
  private windowField(): number {
    const edge = this.recvWindowEdge()
    const limit = this.rcvShift === 0 ? Math.min(this.opt.receiveWindow, 0xffff) : this.opt.receiveWindow
    const wnd = Math.min(limit, Math.max(0, seqDiff(edge, this.rcvNxt)))
    const field = Math.min(0xffff, Math.ceil(wnd / 2 ** this.rcvShift))
    this.rcvAdvEdge = seqAdd(this.rcvNxt, field * 2 ** this.rcvShift)
    return field
  }

  private sendSyn(withAck: boolean, fromTimer = false): void {
    this.rcvAdvEdge = seqAdd(this.rcvNxt, Math.min(0xffff, this.opt.receiveWindow))
    this.stack._send(this.remote, {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: this.iss,
      ack: withAck ? this.rcvNxt : 0,
      flags: withAck ? TCP_SYN | TCP_ACK : TCP_SYN,
      window: Math.min(0xffff, this.opt.receiveWindow),
      mss: this.opt.mss,
      wscale: withAck && !this.peerOfferedScale ? undefined : this.rcvShiftOffer, // SYN-ACK only echoes an offer
      crc: withAck ? this.crcOn : this.opt.crc,
      tsVal: tsNow(),
      tsEcr: fromTimer ? 0 : this.tsRecent,
      payload: EMPTY,
    })
  }

  /** Handle one decoded segment addressed to this connection. */
  _segment(seg: TcpSegment): void {
    if (this.crcOn && !seg.crc && !(seg.flags & TCP_RST && seg.seq === this.rcvNxt)) {
      this.stack.stats.ignored++ // negotiated CRC missing: treat as corrupt
      return
    }
    this.lastRecv = now()
    this.keepAliveSent = 0
    if (this.crcOn && seg.tsVal && seqLe(seg.seq, this.rcvNxt)) this.tsRecent = seg.tsVal
    if (this.state === 'SYN_SENT') return this.segmentSynSent(seg)

    const segLen = seg.payload.length + (seg.flags & TCP_FIN ? 1 : 0) + (seg.flags & TCP_SYN ? 1 : 0)
    const wnd = this.recvWindowEdge()
    // acceptability (RFC 793 3.9), lenient for a zero window: a segment at rcvNxt is processed for ACK/RST/FIN
    const inWindow = (s: number): boolean => seqGe(s, this.rcvNxt) && seqLt(s, wnd)
    const acceptable =
      seg.seq === this.rcvNxt ||
      inWindow(seg.seq) ||
      (segLen === 0 && seqGe(seg.seq, this.rcvNxt) && seqLe(seg.seq, wnd)) ||
      (segLen > 0 && inWindow(seqAdd(seg.seq, segLen - 1))) ||
      (segLen > 0 && seqLt(seg.seq, this.rcvNxt) && seqGt(seqAdd(seg.seq, segLen), this.rcvNxt))

    if (seg.flags & TCP_RST) {
      if (this.state === 'SYN_RECEIVED' && !this.onAcceptCalled) return this._terminate()
      if (seg.seq === this.rcvNxt) {
        if (this.state === 'TIME_WAIT' || this.orphan) return this._terminate()
        return this._abort(new LinkError('TCP_CONNECTION_RESET', `connection reset by ${this.peerName()}`))
      }
      if (acceptable) this.ackNow() // RFC 5961 challenge ACK
      return
    }
    if (seg.flags & TCP_SYN) {
      if (this.state === 'SYN_RECEIVED' && seg.seq === this.irs)
        this.sendSyn(true) // our SYN-ACK was lost
      else this.ackNow() // challenge ACK
      return
    }
    if (!acceptable) {
      this.ackNow() // old duplicate or beyond the window: tell the peer where we are
      return
    }
    if (!(seg.flags & TCP_ACK)) return

    if (this.state === 'SYN_RECEIVED') {
      if (seqLe(seg.ack, this.sndUna) || seqGt(seg.ack, this.sndNxt)) {
        this.sendRstAt(seg.ack)
        return
      }
      this.state = 'ESTABLISHED'
      this.sndWnd = seg.window * 2 ** this.sndShift
      this.sndWl1 = seg.seq
      this.sndWl2 = seg.ack
    }
    this.processAck(seg)
    if (this.state === 'CLOSED') return
    if (this.state === 'ESTABLISHED' && this.onAccept && !this.onAcceptCalled) {
      this.onAcceptCalled = true
      this.stack._accepted()
      this.onAccept(this)
    }
    this.processData(seg)
    const after = this.state as TcpState
    if (after !== 'CLOSED' && after !== 'TIME_WAIT') this._output()
  }

  private onAcceptCalled = false

  private segmentSynSent(seg: TcpSegment): void {
    if (seg.flags & TCP_ACK && seg.ack !== this.sndNxt) {
      if (!(seg.flags & TCP_RST)) this.sendRstAt(seg.ack)
      return
    }
    if (seg.flags & TCP_RST) {
      if (seg.flags & TCP_ACK)
        this._abort(
          new LinkError('TCP_CONNECTION_REFUSED', `connection to ${this.peerName()} refused`, {
            suggestions: ['Check that the device serves its API on this port'],
          }),
        )
      return
    }
    if (!(seg.flags & TCP_SYN)) return
    this.irs = seg.seq
    this.rcvNxt = seqAdd(seg.seq, 1)
    this.rcvAdvEdge = this.rcvNxt
    this.peerMss = seg.mss ?? 536
    this.effMss = Math.min(this.effMss, this.peerMss)
    this.crcOn = this.opt.crc && seg.crc === true
    if (this.crcOn) this.tsRecent = seg.tsVal ?? 0
    this.negotiateScale(seg)
    this.sndWnd = seg.window
    this.sndWl1 = seg.seq
    this.sndWl2 = seg.ack
    if (!(seg.flags & TCP_ACK)) {
      // simultaneous open
      this.state = 'SYN_RECEIVED'
      this.sendSyn(true)
      return
    }
    this.sampleRtt(seg.ack, seg.tsEcr)
    this.sndUna = seg.ack
    this.backoff = 0
    this.clearRtx()
    this.state = 'ESTABLISHED'
    this.connecting = false
    this.ackNow()
    this.emit('connect')
    this.emit('ready')
    this._output()
  }

  private processAck(seg: TcpSegment): void {
    const ack = seg.ack
    const window = seg.window * 2 ** this.sndShift
    if (seqGt(ack, this.sndNxt)) {
      this.ackNow() // acks something we never sent
      return
    }
    const dataEnd = seqAdd(this.sndBase, this.sndBytes)
    if (seqGt(ack, this.sndUna)) {
      const acked = seqDiff(ack, this.sndUna)
      const dataAckedTo = seqLt(ack, dataEnd) ? ack : dataEnd
      const drop = seqDiff(dataAckedTo, this.sndBase)
      if (drop > 0) this.dropSent(drop)
      this.sampleRtt(ack, seg.tsEcr)
      this.sndUna = ack
      this.backoff = 0
      this.dupAcks = 0
      this.oldestSince = now()
      if (this.rtoTsVal && seg.tsEcr && seqLt(seg.tsEcr, this.rtoTsVal)) {
        // the ACK echoes a transmission from before the timeout: the original arrived, the timeout was spurious
        this.goBack = false
        this.goBackPaused = false
        this.effMss = Math.max(this.effMss, this.preRtoMss)
        this.stack.segmentHint = this.effMss
        this.backoff = 0
      }
      this.rtoTsVal = 0
      this.goBackPaused = false // the loss was real: go on resending
      if (this.goBack && seqGt(ack, this.resendNxt)) this.resendNxt = ack
      if (this.inRecovery) {
        if (seqGe(ack, this.recoverSeq)) this.inRecovery = false
        else this.retransmitFirst() // partial ack: the next hole
      } else {
        this.cleanBytes += acked
        if (this.cleanBytes >= 8 * this.effMss && this.effMss < Math.min(this.opt.mss, this.peerMss)) {
          this.effMss = Math.min(this.opt.mss, this.peerMss, this.effMss * 2)
          this.stack.segmentHint = this.effMss
          this.cleanBytes = 0
        }
      }
      this.clearRtx()
      this.armRtx()
      this.releaseWriters()
      if (this.finSent && seqGt(ack, this.finSeq)) this.onFinAcked()
    } else if (
      ack === this.sndUna &&
      seg.payload.length === 0 &&
      !(seg.flags & TCP_FIN) &&
      window === this.sndWnd &&
      this.sndNxt !== this.sndUna
    ) {
      this.dupAcks++
      // On a noisy line (segments already shrunk to the floor) every duplicate ACK means the peer still misses
      // sndUna: resend it at once, at most once per smoothed RTT, instead of waiting for the timer.
      const t = now()
      if (this.effMss <= this.opt.minSegment && t - this.lastEarlyRtx >= Math.max(1, this.srtt)) {
        this.lastEarlyRtx = t
        this.retransmitFirst()
      }
      if (this.dupAcks === 3 && !this.inRecovery && !this.goBack) {
        this.inRecovery = true
        this.recoverSeq = this.sndNxt
        this.cleanBytes = 0
        this.retransmitFirst()
      }
    }
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = window
      this.sndWl1 = seg.seq
      this.sndWl2 = ack
      if (this.sndWnd > 0 && this.persistTimer) {
        clearTimeout(this.persistTimer)
        this.persistTimer = undefined
        this.persistBackoff = 0
      }
    }
  }

  private onFinAcked(): void {
    switch (this.state) {
      case 'FIN_WAIT_1':
        this.state = 'FIN_WAIT_2'
        break
      case 'CLOSING':
        this.enterTimeWait()
        break
      case 'LAST_ACK':
        this.state = 'CLOSED'
        this.clearTimers()
        this.stack._remove(this)
        break
      default:
        break
    }
    const cb = this.finalCb
    this.finalCb = undefined
    cb?.()
  }

  private processData(seg: TcpSegment): void {
    let seq = seg.seq
    let data = seg.payload
    const fin = (seg.flags & TCP_FIN) !== 0
    const receiving = this.state === 'ESTABLISHED' || this.state === 'FIN_WAIT_1' || this.state === 'FIN_WAIT_2'
    if (!receiving) {
      if (data.length > 0 || fin) this.ackNow() // e.g. a retransmitted FIN in TIME_WAIT / CLOSE_WAIT
      return
    }
    if (data.length > 0 && this.orphan && this.destroyed) {
      // data for a connection nobody will read (Linux does the same for an orphan)
      this.sendRst()
      this._terminate()
      return
    }
    if (fin) this.remoteFinSeq = seqAdd(seq, data.length)
    if (data.length > 0) {
      // trim what we already have
      if (seqLt(seq, this.rcvNxt)) {
        const skip = seqDiff(this.rcvNxt, seq)
        data = skip >= data.length ? EMPTY : data.subarray(skip)
        seq = this.rcvNxt
      }
      // trim to the window we advertised
      const room = seqDiff(this.recvWindowEdge(), seq)
      if (data.length > room) data = room > 0 ? data.subarray(0, room) : EMPTY
      if (data.length > 0) {
        if (seq === this.rcvNxt) {
          this.deliver(data)
          this.drainOoo()
          this.ackPending = true
          if (this.ooo.length > 0) this.ackNow()
          else this.stack._scheduleAck(this)
        } else {
          this.storeOoo(seq, data)
          this.ackNow() // duplicate ACK signals the hole
        }
      } else {
        this.ackNow()
      }
    }
    if (this.remoteFinSeq !== undefined && !this.remoteFinDone && this.rcvNxt === this.remoteFinSeq) {
      this.remoteFinDone = true
      this.rcvNxt = seqAdd(this.rcvNxt, 1)
      if (!this.destroyed) this.push(null)
      switch (this.state) {
        case 'ESTABLISHED':
          this.state = 'CLOSE_WAIT'
          break
        case 'FIN_WAIT_1':
          this.state = 'CLOSING'
          break
        case 'FIN_WAIT_2':
          this.enterTimeWait()
          break
        default:
          break
      }
      this.ackNow()
    }
  }

  private deliver(data: Buffer): void {
    this.rcvNxt = seqAdd(this.rcvNxt, data.length)
    this.bytesRead += data.length
    this.touch()
    if (!this.destroyed && !this.readableEnded) this.push(data)
  }

  private storeOoo(seq: number, data: Buffer): void {
    if (this.ooo.length >= MAX_OOO_SEGMENTS || this.oooBytes + data.length > 2 * this.opt.receiveWindow) return
    let i = this.ooo.length
    while (i > 0 && seqGt(this.ooo[i - 1]!.seq, seq)) i--
    const prev = this.ooo[i - 1]
    if (prev && prev.seq === seq && prev.data.length >= data.length) return // duplicate
    this.ooo.splice(i, 0, {seq, data: Buffer.from(data)})
    this.oooBytes += data.length
  }

  private drainOoo(): void {
    while (this.ooo.length > 0) {
      const first = this.ooo[0]!
      if (seqGt(first.seq, this.rcvNxt)) break
      this.ooo.shift()
      this.oooBytes -= first.data.length
      const end = seqAdd(first.seq, first.data.length)
      if (seqGt(end, this.rcvNxt)) this.deliver(first.data.subarray(seqDiff(this.rcvNxt, first.seq)))
    }
  }

  /** Right edge of the receive window: never moves left of what we advertised. */
  private recvWindowEdge(): number {
    const free = Math.max(0, this.opt.receiveWindow - this.readableLength)
    const edge = seqAdd(this.rcvNxt, free)
    return seqGt(edge, this.rcvAdvEdge) ? edge : this.rcvAdvEdge
  }

  private maybeWindowUpdate(): void {
    if (this.state === 'CLOSED' || this.state === 'SYN_SENT' || this.remoteFinDone) return
    const edge = this.recvWindowEdge()
    const grow = seqDiff(edge, this.rcvAdvEdge)
    if (grow >= Math.min(this.opt.receiveWindow >> 1, this.opt.mss, 0xffff)) this.ackNow()
  }

  /** Send whatever the window and the link allow: pending retransmissions first, then new data and FIN. */
  _output(): void {
    const st = this.state
    if (st === 'CLOSED' || st === 'SYN_SENT' || st === 'SYN_RECEIVED' || st === 'TIME_WAIT') return
    if (this.goBack && !this.goBackPaused) this.resend()
    if (st === 'ESTABLISHED' || st === 'CLOSE_WAIT') this.sendNew()
    if (this.ackPending) this._flushAck()
  }

  /** After a timeout: resend everything outstanding from resendNxt (go-back-N; the receiver keeps what it has). */
  private resend(): void {
    const dataEnd = seqAdd(this.sndBase, this.sndBytes)
    const limit = seqLt(this.sndNxt, dataEnd) ? this.sndNxt : dataEnd
    for (let guard = 0; guard < 100000 && this.goBack; guard++) {
      if (seqLt(this.resendNxt, this.sndUna)) this.resendNxt = this.sndUna
      const left = seqDiff(limit, this.resendNxt)
      if (left > 0) {
        if (!this.stack._ready) {
          this.stack._block(this)
          return
        }
        const len = Math.min(left, this.effMss)
        const fin = this.finSent && seqAdd(this.resendNxt, len) === this.finSeq
        this.sendData(this.resendNxt, len, fin, true)
        this.resendNxt = seqAdd(this.resendNxt, len + (fin ? 1 : 0))
        if (this.goBackPaused) return
        continue
      }
      if (this.finSent && this.resendNxt === this.finSeq) {
        this.sendData(this.finSeq, 0, true, true)
        this.resendNxt = seqAdd(this.finSeq, 1)
      }
      this.goBack = false
    }
  }

  private sendNew(): void {
    for (let guard = 0; guard < 100000; guard++) {
      if (!this.stack._ready) {
        this.stack._block(this)
        break
      }
      const dataEnd = seqAdd(this.sndBase, this.sndBytes)
      const unsent = seqDiff(dataEnd, this.sndNxt)
      const room = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt)
      if (unsent > 0 && room > 0) {
        const len = Math.min(unsent, room, this.effMss)
        // sender-side silly window avoidance: no tiny window-limited segment while others are in flight
        if (len < this.effMss && len < unsent && this.sndNxt !== this.sndUna) break
        const fin = this.finQueued && len === unsent
        this.sendData(this.sndNxt, len, fin, false)
        if (this.rttSeq === undefined) {
          this.rttSeq = seqAdd(this.sndNxt, len)
          this.rttStart = now()
        }
        if (this.sndNxt === this.sndUna) this.oldestSince = now()
        this.sndNxt = seqAdd(this.sndNxt, len + (fin ? 1 : 0))
        if (fin) this.markFinSent(dataEnd)
        this.armRtx()
        if (fin) break
        continue
      }
      if (unsent === 0 && this.finQueued && !this.finSent) {
        if (this.sndNxt === this.sndUna) this.oldestSince = now()
        this.sendData(this.sndNxt, 0, true, false)
        this.sndNxt = seqAdd(this.sndNxt, 1)
        this.markFinSent(dataEnd)
        this.armRtx()
      }
      if (unsent > 0 && room <= 0 && this.sndNxt === this.sndUna) this.armPersist()
      break
    }
  }

  private markFinSent(at: number): void {
    this.finSent = true
    this.finSeq = at
    this.state = this.state === 'CLOSE_WAIT' ? 'LAST_ACK' : 'FIN_WAIT_1'
  }

  private sendData(seq: number, len: number, fin: boolean, retransmit: boolean): void {
    const payload = len > 0 ? this.readSend(seqDiff(seq, this.sndBase), len) : EMPTY
    if (retransmit) this.stack.stats.retransmits++
    this.ackPending = false
    this.stack._send(this.remote, {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq,
      ack: this.rcvNxt,
      flags: TCP_ACK | (len > 0 ? TCP_PSH : 0) | (fin ? TCP_FIN : 0),
      window: this.windowField(),
      crc: this.crcOn,
      tsVal: tsNow(),
      tsEcr: retransmit ? 0 : this.tsRecent, // an echo sent late by our own timer would inflate the peer's RTT
      payload,
    })
  }

  private readSend(offset: number, len: number): Buffer {
    let i = 0
    while (i < this.sndChunks.length && offset >= this.sndChunks[i]!.length) offset -= this.sndChunks[i++]!.length
    const first = this.sndChunks[i]!
    if (offset + len <= first.length) return first.subarray(offset, offset + len)
    const out = Buffer.allocUnsafe(len)
    let o = 0
    while (o < len) {
      const c = this.sndChunks[i++]!
      const n = Math.min(len - o, c.length - offset)
      c.copy(out, o, offset, offset + n)
      o += n
      offset = 0
    }
    return out
  }

  private dropSent(n: number): void {
    this.sndBytes -= n
    this.sndBase = seqAdd(this.sndBase, n)
    while (n > 0) {
      const c = this.sndChunks[0]!
      if (c.length <= n) {
        this.sndChunks.shift()
        n -= c.length
      } else {
        this.sndChunks[0] = c.subarray(n)
        n = 0
      }
    }
  }

  private releaseWriters(): void {
    while (this.writeCbs.length > 0 && this.sndBytes < this.opt.sendBuffer) this.writeCbs.shift()!()
  }

  /** Retransmit the oldest unacknowledged segment (SYN, data, or FIN). */
  private retransmitFirst(): void {
    this.rttSeq = undefined // Karn: no samples across retransmissions
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') {
      this.stack.stats.retransmits++
      this.sendSyn(this.state === 'SYN_RECEIVED', true)
      return
    }
    const dataEnd = seqAdd(this.sndBase, this.sndBytes)
    const outstandingEnd = seqLt(this.sndNxt, dataEnd) ? this.sndNxt : dataEnd
    const dataOut = seqDiff(outstandingEnd, this.sndUna)
    if (dataOut > 0) {
      const len = Math.min(dataOut, this.effMss)
      const fin = this.finSent && seqAdd(this.sndUna, len) === this.finSeq
      this.sendData(this.sndUna, len, fin, true)
    } else if (this.finSent && this.sndUna === this.finSeq) {
      this.sendData(this.finSeq, 0, true, true)
    }
  }

  private outstanding(): boolean {
    return this.sndNxt !== this.sndUna
  }

  private armRtx(): void {
    if (this.rtxTimer || !this.outstanding()) return
    const ms = Math.min(this.opt.maxRtoMs, this.rto * 2 ** this.backoff)
    this.rtxTimer = setTimeout(() => this.onRtxTimeout(), ms)
  }

  private clearRtx(): void {
    if (this.rtxTimer) clearTimeout(this.rtxTimer)
    this.rtxTimer = undefined
  }

  private onRtxTimeout(): void {
    this.rtxTimer = undefined
    if (!this.outstanding() || this.state === 'CLOSED') return
    if (now() - this.oldestSince > this.opt.userTimeoutMs) {
      const what = this.state === 'SYN_SENT' ? 'connecting to' : 'waiting for an acknowledgement from'
      this._abort(
        new LinkError(
          'TCP_TIMEOUT',
          `timed out after ${Math.round(this.opt.userTimeoutMs / 1000)} s ${what} ${this.peerName()}`,
          {
            suggestions: ['Check that the device is attached and running'],
          },
        ),
      )
      return
    }
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') {
      this.backoff = Math.min(this.backoff + 1, this.opt.maxBackoff)
      this.retransmitFirst()
      this.armRtx()
      return
    }
    // A lost segment on a serial line is usually corruption, not congestion: first shrink the segment size
    // (a shorter frame is likelier to survive); back the timer off only once segments are already at the floor.
    // On a line already known to be noisy (segments at the floor) resend everything outstanding at once. Otherwise
    // the timeout may be spurious (a stalled event loop): resend only the first segment; the rest follows when
    // its ACK shows the loss was real, or at the next timeout. Eifel undoes a spurious one (see processAck).
    const lossy = this.effMss <= this.opt.minSegment
    const wasPaused = this.goBack && this.goBackPaused
    if (this.crcOn && !this.goBack) {
      this.rtoTsVal = tsNow()
      this.preRtoMss = this.effMss
    }
    if (this.effMss > this.opt.minSegment) {
      this.effMss = Math.max(this.opt.minSegment, Math.floor(this.effMss / 4))
      this.stack.segmentHint = this.effMss
    } else if (this.lastRecv <= this.lastRtoAt) this.backoff = Math.min(this.backoff + 1, this.opt.maxBackoff)
    // (the peer answered since the last timeout: it is alive and the line is noisy, so keep the timer short)
    this.lastRtoAt = now()
    this.cleanBytes = 0
    this.dupAcks = 0
    this.inRecovery = false
    this.rttSeq = undefined
    this.goBack = true
    this.goBackPaused = !lossy && !wasPaused && this.crcOn
    this.resendNxt = this.sndUna
    this.resend()
    this.armRtx()
  }

  private sampleRtt(ack: number, tsEcr: number | undefined): void {
    let r: number
    if (this.crcOn) {
      // timestamps make every new ACK that echoes one a valid sample, retransmitted or not
      if (!tsEcr) return
      r = ((tsNow() - tsEcr) >>> 0) / 10
      if (r > 600000) return // clock wrap or garbage
    } else {
      if (this.rttSeq === undefined || seqLt(ack, this.rttSeq)) return
      r = now() - this.rttStart
    }
    this.rttSeq = undefined
    if (this.srtt === 0) {
      this.srtt = r
      this.rttvar = r / 2
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r)
      this.srtt = 0.875 * this.srtt + 0.125 * r
    }
    this.rto = Math.min(this.opt.maxRtoMs, Math.max(this.opt.minRtoMs, this.srtt + Math.max(4 * this.rttvar, 5)))
  }

  private armPersist(): void {
    if (this.persistTimer) return
    const ms = Math.min(this.opt.maxRtoMs, this.rto * 2 ** this.persistBackoff)
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined
      if (this.state === 'CLOSED') return
      if (now() - this.lastRecv > this.opt.userTimeoutMs) {
        this._abort(new LinkError('TCP_TIMEOUT', `${this.peerName()} stopped answering window probes`))
        return
      }
      this.persistBackoff = Math.min(this.persistBackoff + 1, 8)
      this.sendProbe()
      this._output()
      if (this.sndWnd === 0) this.armPersist()
    }, ms)
  }

  /** A segment one below sndNxt: the peer must answer it with an ACK carrying its window (RFC 793/1122). */
  private sendProbe(): void {
    this.stack._send(this.remote, {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: seqAdd(this.sndNxt, -1),
      ack: this.rcvNxt,
      flags: TCP_ACK,
      window: this.windowField(),
      crc: this.crcOn,
      tsVal: tsNow(),
      tsEcr: this.tsRecent,
      payload: EMPTY,
    })
  }

  private ackNow(): void {
    this.ackPending = true
    this._flushAck()
  }

  _flushAck(): void {
    if (!this.ackPending || this.state === 'CLOSED' || this.state === 'SYN_SENT') return
    this.ackPending = false
    this.stack._send(this.remote, {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: this.sndNxt,
      ack: this.rcvNxt,
      flags: TCP_ACK,
      window: this.windowField(),
      crc: this.crcOn,
      tsVal: tsNow(),
      tsEcr: this.tsRecent,
      payload: EMPTY,
    })
  }

  private sendRst(): void {
    this.sendRstAt(this.sndNxt)
  }

  private sendRstAt(seq: number): void {
    this.stack.stats.resetsSent++
    this.stack._send(this.remote, {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq,
      ack: this.rcvNxt,
      flags: TCP_RST | TCP_ACK,
      window: 0,
      crc: this.crcOn,
      tsVal: tsNow(),
      tsEcr: this.tsRecent,
      payload: EMPTY,
    })
  }

  private enterTimeWait(): void {
    this.state = 'TIME_WAIT'
    this.clearTimers()
    this.timeWaitUntil = now() + this.opt.timeWaitMs
    if (this.opt.timeWaitMs <= 0) this._terminate()
  }

  /** Periodic housekeeping from the stack (every 100 ms). */
  _tick(t: number): void {
    if (this.state === 'TIME_WAIT') {
      if (t >= this.timeWaitUntil) this._terminate()
      return
    }
    if (this.orphan && this.state === 'FIN_WAIT_2' && t - this.orphanSince > ORPHAN_FIN_WAIT_2_MS) {
      this._terminate()
      return
    }
    const idle = this.opt.keepAliveIdleMs
    if (idle > 0 && (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT' || this.state === 'FIN_WAIT_2')) {
      const silent = t - this.lastRecv
      if (silent < idle) return
      const due = Math.floor((silent - idle) / this.opt.keepAliveIntervalMs) + 1
      if (due > this.opt.keepAliveCount) {
        this._abort(
          new LinkError(
            'TCP_TIMEOUT',
            `${this.peerName()} stopped responding (no answer to ${this.opt.keepAliveCount} keepalive probes)`,
            {
              suggestions: ['Check that the device is attached and running'],
            },
          ),
        )
        return
      }
      if (due > this.keepAliveSent) {
        this.keepAliveSent = due
        this.sendProbe()
      }
    }
  }

  private clearTimers(): void {
    this.clearRtx()
    if (this.persistTimer) clearTimeout(this.persistTimer)
    this.persistTimer = undefined
  }

  /** Drop all state silently. */
  _terminate(): void {
    this.state = 'CLOSED'
    this.clearTimers()
    this.stack._remove(this)
    const cb = this.finalCb
    this.finalCb = undefined
    cb?.()
  }

  /** Fail the connection with `err`: the Duplex is destroyed with it (unless already gone). */
  _abort(err: LinkError, remove = true): void {
    if (
      this.state === 'TIME_WAIT' ||
      this.orphan ||
      (this.remoteFinDone && this.finSent && this.sndUna === this.finSeq)
    ) {
      // both directions were closed and all our data acknowledged (at most the FIN is unacked): nothing is lost
      if (remove) this._terminate()
      else {
        this.state = 'CLOSED'
        this.clearTimers()
      }
      return
    }
    this.state = 'CLOSED'
    this.clearTimers()
    if (remove) this.stack._remove(this)
    const cb = this.finalCb
    this.finalCb = undefined
    if (cb) cb(err)
    if (this.onAccept && !this.onAcceptCalled) return // never handed out
    this.connecting = false
    if (!this.destroyed) this.destroy(err)
  }

  private touch(): void {
    this.idleTimer?.refresh()
  }

  private peerName(): string {
    return `${this.remoteAddress}:${this.remotePort}`
  }
}
