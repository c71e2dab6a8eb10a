import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import {Errno} from '../kernel/errno.js'
import {KObject} from '../kernel/objects.js'
import {packageMountPath} from './applibs/storage.js'
import {COST, type SysCtx} from './context.js'
import {DEVICE_AUTH_CERT_PATH, type HttpHost} from './http-host.js'
import {MAX_CA_CERTIFICATES, MAX_CA_FILE_BYTES, clientContext, pemBlocks, validCertificates, verifyRoots} from './trust.js'
import {HOST_LIMITS, NetErrno, chargeBytes, releaseBytes, socketOwner, type SocketOwner} from './sockets.js'
import {syscall, type Impl, type SyscallGroup} from './syscalls/types.js'

/**
 * libcurl as an OS library (DESIGN.md decision 12). The app links sdk/libapplibs/curl.c: it keeps the options
 * of an easy handle, and a transfer is `curl_open` (the request, encoded as below) -> an fd in the app's fd
 * table, then `curl_next` events until DONE. The HTTP/TLS work happens here, on the host, as one of the app's
 * sockets (it counts against HOST_LIMITS.socketsPerApp and its buffered bytes against the app's buffers); every
 * connection, each redirect hop included, is a `net.connect` the LSM decides and audits before it is opened.
 * Callbacks (WRITEFUNCTION, HEADERFUNCTION, XFERINFOFUNCTION, the multi socket / timer functions) run in the
 * app: the C library calls them with what `curl_next` returned; the host never calls into the app.
 *
 * The fd is pollable (epoll, EventLoop): readable when an event is queued or the transfer's deadline passed.
 * Backpressure: while more than HOST_LIMITS.socketBufferBytes wait for the app, the host stops reading.
 */

/** Request TLV tags (u32 tag, u32 length, bytes), as curl.c writes them. */
const T = {
  url: 1,
  method: 2,
  header: 3,
  body: 4,
  userAgent: 5,
  caInfo: 6,
  sslCert: 7,
  sslKey: 8,
  proxy: 9,
  noProxy: 10,
  proxyUserPwd: 11,
  userPwd: 12,
  flags: 13,
  timeoutMs: 14,
  connectTimeoutMs: 15,
  maxRedirs: 16,
  proxyPort: 17,
  protocols: 18,
  redirProtocols: 19,
  port: 20,
  referer: 21,
} as const

const F = {
  verbose: 1,
  follow: 2,
  verifyPeer: 4,
  verifyHost: 8,
  noBody: 16,
  failOnError: 32,
  debugFn: 64,
  post: 128,
  nonblock: 256,
} as const

/** Event types (u32 type, u32 length, payload), as curl.c reads them. */
export const EV = {header: 1, data: 2, done: 3, bodyStart: 4, debug: 5} as const

/** CURLcode values (curl 8.5 include/curl/curl.h). */
export const CURLE = {
  OK: 0,
  UNSUPPORTED_PROTOCOL: 1,
  URL_MALFORMAT: 3,
  COULDNT_RESOLVE_PROXY: 5,
  COULDNT_RESOLVE_HOST: 6,
  COULDNT_CONNECT: 7,
  WEIRD_SERVER_REPLY: 8,
  PARTIAL_FILE: 18,
  HTTP_RETURNED_ERROR: 22,
  OPERATION_TIMEDOUT: 28,
  SSL_CONNECT_ERROR: 35,
  TOO_MANY_REDIRECTS: 47,
  GOT_NOTHING: 52,
  SEND_ERROR: 55,
  RECV_ERROR: 56,
  SSL_CERTPROBLEM: 58,
  PEER_FAILED_VERIFICATION: 60,
  SSL_CACERT_BADFILE: 77,
} as const

const CURLPROTO_HTTP = 1
const CURLPROTO_HTTPS = 2
/** curl's CURL_MAX_WRITE_SIZE: the most one write callback gets. */
export const CURL_MAX_WRITE_SIZE = 16384
/** curl 8's default CURLOPT_MAXREDIRS. */
const DEFAULT_MAX_REDIRS = 30
/** curl's default connect timeout (300 s). */
const DEFAULT_CONNECT_TIMEOUT_MS = 300_000
/** Longest request an app may hand over (URL, headers, body). */
const MAX_REQUEST_BYTES = 256 * 1024
/** Largest header block a response may have (Azure Sphere's CURLOPT_HEADERFUNCTION limit is 16 KiB a header). */
const MAX_HEADER_BYTES = 16 * 1024

interface Request {
  url: string
  method?: string
  headers: string[]
  body?: Buffer
  userAgent?: string
  caInfo?: string
  sslCert?: string
  sslKey?: string
  proxy?: string
  proxyPort?: number
  noProxy?: string
  proxyUserPwd?: string
  userPwd?: string
  referer?: string
  flags: number
  timeoutMs: number
  connectTimeoutMs: number
  maxRedirs: number
  protocols: number
  redirProtocols: number
  port: number
}

function decodeRequest(b: Buffer): Request | undefined {
  const r: Request = {
    url: '',
    headers: [],
    flags: 0,
    timeoutMs: 0,
    connectTimeoutMs: 0,
    maxRedirs: DEFAULT_MAX_REDIRS,
    protocols: 0,
    redirProtocols: 0,
    port: 0,
  }
  let off = 0
  while (off < b.length) {
    if (off + 8 > b.length) return undefined
    const tag = b.readUInt32LE(off)
    const len = b.readUInt32LE(off + 4)
    off += 8
    if (off + len > b.length) return undefined
    const v = b.subarray(off, off + len)
    off += len
    const s = (): string => v.toString('utf8').replace(/\0.*$/s, '')
    const u = (): number => (v.length >= 4 ? v.readInt32LE(0) : 0)
    switch (tag) {
      case T.url:
        r.url = s()
        break
      case T.method:
        r.method = s()
        break
      case T.header:
        r.headers.push(s())
        break
      case T.body:
        r.body = Buffer.from(v)
        break
      case T.userAgent:
        r.userAgent = s()
        break
      case T.caInfo:
        r.caInfo = s()
        break
      case T.sslCert:
        r.sslCert = s()
        break
      case T.sslKey:
        r.sslKey = s()
        break
      case T.proxy:
        r.proxy = s()
        break
      case T.noProxy:
        r.noProxy = s()
        break
      case T.proxyUserPwd:
        r.proxyUserPwd = s()
        break
      case T.userPwd:
        r.userPwd = s()
        break
      case T.referer:
        r.referer = s()
        break
      case T.flags:
        r.flags = u()
        break
      case T.timeoutMs:
        r.timeoutMs = u()
        break
      case T.connectTimeoutMs:
        r.connectTimeoutMs = u()
        break
      case T.maxRedirs:
        r.maxRedirs = u()
        break
      case T.proxyPort:
        r.proxyPort = u()
        break
      case T.protocols:
        r.protocols = u()
        break
      case T.redirProtocols:
        r.redirProtocols = u()
        break
      case T.port:
        r.port = u()
        break
      default:
        break // an option this OS does not act on
    }
  }
  return r
}

/** The DONE event's fixed part: what curl_easy_getinfo answers. */
interface Outcome {
  code: number
  httpCode: number
  redirects: number
  osErrno: number
  error: string
}

class CurlFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly osErrno = 0,
  ) {
    super(message)
  }
}

/** One transfer of an app: a host-backed kernel object its fd names. */
export class CurlTransfer extends KObject {
  readonly kind = 'socket' as const
  override hostBacked = true
  /** Queued events: type and payload (the 8-byte header is written into app memory when taken). */
  private readonly events: {type: number; payload: Buffer}[] = []
  private queued = 0
  private charged = 0
  private finished = false
  private delivered = false
  private closed = false
  private readonly deadline: number
  private connectDeadline: number
  private readonly startNs: number
  private t = {namelookup: 0, connect: 0, appconnect: 0, pretransfer: 0, starttransfer: 0}
  private sock?: net.Socket
  private res?: http.IncomingMessage
  private bytes = 0
  private contentLength = -1
  private headerSize = 0
  private effectiveUrl: string
  private contentType = ''
  private primaryIp = ''
  private primaryPort = 0
  private method = 'GET'
  private outcome: Outcome = {code: 0, httpCode: 0, redirects: 0, osErrno: 0, error: ''}
  /** Hops waiting for the app to read (room()). */
  private readonly roomWaiters: (() => void)[] = []

  constructor(
    private readonly c: SysCtx,
    private readonly owner: SocketOwner,
    private readonly host: HttpHost,
    private readonly req: Request,
  ) {
    super()
    this.nonblock = (req.flags & F.nonblock) !== 0
    owner.usage.sockets++
    this.startNs = c.kernel.now()
    this.deadline = req.timeoutMs > 0 ? this.startNs + req.timeoutMs * 1e6 : Infinity
    this.connectDeadline =
      this.startNs + (req.connectTimeoutMs > 0 ? req.connectTimeoutMs : DEFAULT_CONNECT_TIMEOUT_MS) * 1e6
    this.effectiveUrl = req.url
  }

  override describe(): string {
    return `curl ${this.effectiveUrl}`
  }

  override readable(now: number): boolean {
    return (
      this.events.length > 0 || (!this.finished && now >= this.activeDeadline()) || (this.finished && this.delivered)
    )
  }

  override readableAt(): number {
    return this.finished ? Infinity : this.activeDeadline()
  }

  private activeDeadline(): number {
    return this.t.connect === 0 ? Math.min(this.deadline, this.connectDeadline) : this.deadline
  }

  private get verbose(): boolean {
    return (this.req.flags & F.verbose) !== 0
  }

  /** A verbose line (curl's `*`, `>`, `<` lines): to the app's DEBUGFUNCTION if it has one, else its log. */
  private info(kind: 0 | 1 | 2, text: string): void {
    if (!this.verbose || this.closed) return
    const prefix = kind === 0 ? '* ' : kind === 1 ? '< ' : '> '
    if (this.req.flags & F.debugFn) {
      const b = Buffer.from(kind === 0 ? `${text}\n` : `${text}\r\n`)
      const p = Buffer.alloc(4 + b.length)
      p.writeUInt32LE(kind, 0)
      b.copy(p, 4)
      this.push(EV.debug, p)
    } else this.c.env.output('log', Buffer.from(`${prefix}${text}\n`))
  }

  private push(type: number, payload: Uint8Array): void {
    if (this.closed) return
    const size = payload.length + 8
    this.events.push({type, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)})
    this.queued += size
    if (chargeBytes(this.owner.usage, size)) this.charged += size
    if (this.queued > HOST_LIMITS.socketBufferBytes) this.res?.pause()
    this.owner.notify(this as never)
  }

  /** Take the next event into app memory (at most `cap` bytes): bytes written, 0 after DONE, or -errno. */
  next(buf: number, cap: number): number {
    const now = this.c.kernel.now()
    if (!this.finished && now >= this.activeDeadline()) {
      const ms = Math.round((now - this.startNs) / 1e6)
      this.fail(
        this.t.connect === 0 && now >= this.connectDeadline
          ? new CurlFailure(CURLE.OPERATION_TIMEDOUT, `Connection timed out after ${ms} milliseconds`)
          : new CurlFailure(
              CURLE.OPERATION_TIMEDOUT,
              `Operation timed out after ${ms} milliseconds with ${this.bytes} ${this.contentLength >= 0 ? `out of ${this.contentLength} ` : ''}bytes received`,
            ),
      )
    }
    const e = this.events[0]
    if (!e) {
      if (this.finished) return 0
      return -Errno.EAGAIN
    }
    let payload = e.payload
    if (payload.length + 8 > cap) {
      // a data event longer than the app's buffer: hand over the part that fits, keep the rest
      if (e.type !== EV.data || cap <= 8) return -Errno.EINVAL
      payload = e.payload.subarray(0, cap - 8)
      e.payload = e.payload.subarray(cap - 8)
      this.release(payload.length)
    } else {
      this.events.shift()
      this.release(payload.length + 8)
      if (e.type === EV.done) this.delivered = true
    }
    const mem = this.c.mem
    mem.setU32(buf, e.type)
    mem.setU32(buf + 4, payload.length)
    mem.write(buf + 8, payload)
    if (this.queued <= HOST_LIMITS.socketBufferBytes / 2) {
      if (this.res?.isPaused()) this.res.resume()
      this.wakeRoom()
    }
    return payload.length + 8
  }

  /** Stop the host side of a transfer that was closed (its promise chain ends in run()). */
  private live(): void {
    if (this.closed) throw new CurlFailure(CURLE.RECV_ERROR, 'the transfer was closed')
  }

  /** Resolves once what waits for the app is within its buffer again (or the transfer was closed). */
  private room(): Promise<void> {
    if (this.queued <= HOST_LIMITS.socketBufferBytes || this.closed) return Promise.resolve()
    return new Promise((ok) => this.roomWaiters.push(ok))
  }

  private wakeRoom(): void {
    for (const ok of this.roomWaiters.splice(0)) ok()
  }

  private release(n: number): void {
    this.queued -= n
    const m = Math.min(n, this.charged)
    this.charged -= m
    releaseBytes(this.owner.usage, m)
  }

  override close(): void {
    if (this.closed) return
    this.closed = true
    this.sock?.destroy()
    this.res?.destroy()
    releaseBytes(this.owner.usage, this.charged)
    this.charged = 0
    this.events.length = 0
    this.queued = 0
    this.owner.usage.sockets = Math.max(0, this.owner.usage.sockets - 1)
    this.wakeRoom()
  }

  private elapsedUs(): number {
    return Math.max(0, Math.round((this.c.kernel.now() - this.startNs) / 1000))
  }

  private fail(f: CurlFailure): void {
    if (this.finished) return
    this.outcome.code = f.code
    this.outcome.error = f.message
    this.outcome.osErrno = f.osErrno
    if (f.code !== CURLE.OK) this.info(0, `Closing connection`)
    this.finish()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.sock?.destroy()
    const o = this.outcome
    const fixed = Buffer.alloc(4 * 4 + 8 * 9 + 4)
    let p = 0
    for (const v of [o.code, o.httpCode, o.redirects, o.osErrno]) {
      fixed.writeInt32LE(v, p)
      p += 4
    }
    const total = this.elapsedUs()
    for (const v of [
      total,
      this.t.namelookup,
      this.t.connect,
      this.t.appconnect,
      this.t.pretransfer,
      this.t.starttransfer,
      this.bytes,
      this.contentLength,
      this.headerSize,
    ]) {
      fixed.writeBigInt64LE(BigInt(v), p)
      p += 8
    }
    fixed.writeInt32LE(this.primaryPort, p)
    const strs = [this.effectiveUrl, this.contentType, o.error, this.primaryIp, this.method].map((s) =>
      Buffer.from(`${s}\0`),
    )
    this.push(EV.done, Buffer.concat([fixed, ...strs]))
  }

  /** Run the transfer (host side); every outcome ends in a DONE event. */
  async run(): Promise<void> {
    try {
      await this.perform()
    } catch (e) {
      if (e instanceof CurlFailure) this.fail(e)
      else this.fail(new CurlFailure(CURLE.RECV_ERROR, `Recv failure: ${(e as Error).message}`))
    }
  }

  private async perform(): Promise<void> {
    const r = this.req
    let url: URL
    try {
      url = new URL(r.url)
    } catch {
      throw new CurlFailure(
        CURLE.URL_MALFORMAT,
        r.url === '' ? 'No URL set' : `URL rejected: Malformed input to a URL function`,
      )
    }
    let method = r.method ?? (r.flags & F.noBody ? 'HEAD' : r.flags & F.post || r.body ? 'POST' : 'GET')
    let body = r.body
    for (let hop = 0; ; hop++) {
      // a transfer whose fd is gone (closed, or its app ended) makes no further connection; a redirect is not
      // followed while what the app has not read fills its buffer (the events of every hop are queued for it)
      await this.room()
      this.live()
      const allowed = hop === 0 ? r.protocols : r.redirProtocols || r.protocols
      const scheme = url.protocol.replace(/:$/, '')
      const bit = scheme === 'http' ? CURLPROTO_HTTP : scheme === 'https' ? CURLPROTO_HTTPS : 0
      if (bit === 0 || (allowed !== 0 && (allowed & bit) === 0))
        throw new CurlFailure(
          CURLE.UNSUPPORTED_PROTOCOL,
          `Protocol "${scheme}" not supported${bit === 0 ? '' : ' or disabled in libcurl'}`,
        )
      this.effectiveUrl = url.href
      this.method = method
      const res = await this.exchange(url, method, body, hop)
      const code = res.statusCode ?? 0
      const loc = res.headers.location
      if (r.flags & F.follow && loc && [301, 302, 303, 307, 308].includes(code)) {
        res.resume()
        await new Promise<void>((ok) => (res.complete ? ok() : res.once('end', ok).once('close', ok)))
        if (this.outcome.redirects >= r.maxRedirs && r.maxRedirs >= 0)
          throw new CurlFailure(CURLE.TOO_MANY_REDIRECTS, `Maximum (${r.maxRedirs}) redirects followed`)
        let next: URL
        try {
          next = new URL(loc, url)
        } catch {
          throw new CurlFailure(CURLE.URL_MALFORMAT, `Could not parse the redirect location ${loc}`)
        }
        this.info(0, `Connection #0 to host ${url.hostname} left intact`)
        this.info(0, `Issue another request to this URL: '${next.href}'`)
        this.outcome.redirects++
        if (code === 303 || ((code === 301 || code === 302) && method === 'POST')) {
          method = r.flags & F.noBody ? 'HEAD' : 'GET'
          body = undefined
        }
        url = next
        continue
      }
      await this.deliver(res, code)
      return
    }
  }

  /** One request / response on a fresh connection (the LSM decides the connection first). */
  private async exchange(
    url: URL,
    method: string,
    body: Buffer | undefined,
    hop: number,
  ): Promise<http.IncomingMessage> {
    const r = this.req
    const https = url.protocol === 'https:'
    const name = url.hostname.replace(/^\[|\]$/g, '')
    const port = url.port !== '' ? Number(url.port) : hop === 0 && r.port > 0 ? r.port : https ? 443 : 80
    const literal = net.isIPv4(name)
    // the firewall, per hop: AllowedConnections by name (or by the address a listed name resolves to)
    const denied = this.owner.check({op: 'net.connect', host: name, port})
    if (denied !== 0) {
      // as on a device: a name the firewall does not allow does not resolve; an address is refused
      if (!literal) throw new CurlFailure(CURLE.COULDNT_RESOLVE_HOST, `Could not resolve host: ${name}`, denied)
      throw new CurlFailure(
        CURLE.COULDNT_CONNECT,
        `Failed to connect to ${name} port ${port} after ${Math.round(this.elapsedUs() / 1000)} ms: Couldn't connect to server`,
        denied,
      )
    }
    const proxy = this.proxyFor(name)
    if (proxy) return this.viaProxy(proxy, url, name, port, literal, method, body)
    const ip = this.host.resolve(name)
    if (ip === undefined) throw new CurlFailure(CURLE.COULDNT_RESOLVE_HOST, `Could not resolve host: ${name}`)
    this.firewall(name, ip, port)
    this.t.namelookup = this.elapsedUs()
    const to = this.host.endpoint(ip, port)
    this.info(0, `  Trying ${ip}:${port}...`)
    if (!to)
      throw new CurlFailure(
        CURLE.COULDNT_CONNECT,
        `Failed to connect to ${name} port ${port} after ${Math.round(this.elapsedUs() / 1000)} ms: Couldn't connect to server`,
        Errno.ENETUNREACH,
      )
    const sock = await this.connect(to.host, to.port, name, port)
    this.live()
    this.primaryIp = ip
    this.primaryPort = port
    this.t.connect = this.elapsedUs()
    this.info(0, `Connected to ${name} (${ip}) port ${port}`)
    const trust = https && r.flags & F.verifyPeer ? await this.caCertificates() : undefined
    const clientCert = https ? this.clientIdentity() : undefined
    let stream: net.Socket = sock
    if (https) stream = await this.handshake(sock, name, literal, trust, clientCert)
    this.live()
    this.t.appconnect = https ? this.elapsedUs() : 0
    return this.request(stream, url, name, port, method, body)
  }

  /**
   * The firewall by address, once a name resolved: the address and port the connection really goes to are a
   * net.connect decision too (as an app's own connect is), so a listed name that resolves to the OS's own
   * service ports (the device API on the loopback, a name rebound to it) reaches nothing (a104).
   */
  private firewall(name: string, ip: string, port: number): void {
    if (net.isIPv4(name)) return // decided by address already
    const denied = this.owner.check({op: 'net.connect', host: ip, port})
    if (denied !== 0)
      throw new CurlFailure(
        CURLE.COULDNT_CONNECT,
        `Failed to connect to ${name} port ${port} after ${Math.round(this.elapsedUs() / 1000)} ms: Couldn't connect to server`,
        denied,
      )
  }

  /** The HTTP proxy a transfer to `name` goes through (CURLOPT_PROXY unless CURLOPT_NOPROXY exempts the name). */
  private proxyFor(name: string): {host: string; port: number} | undefined {
    const p = this.req.proxy
    if (!p) return undefined
    const exempt = (this.req.noProxy ?? '')
      .split(',')
      .map((x) => x.trim().toLowerCase().replace(/^\./, ''))
      .filter(Boolean)
    const n = name.toLowerCase()
    if (exempt.includes('*') || exempt.some((x) => n === x || n.endsWith(`.${x}`))) return undefined
    let u: URL
    try {
      u = new URL(p.includes('://') ? p : `http://${p}`)
    } catch {
      throw new CurlFailure(CURLE.COULDNT_RESOLVE_PROXY, `Could not resolve proxy: ${p}`)
    }
    if (u.protocol !== 'http:') throw new CurlFailure(CURLE.UNSUPPORTED_PROTOCOL, `Unsupported proxy scheme for '${p}'`)
    const pp = this.req.proxyPort ?? 0
    const port = pp > 0 ? pp : u.port !== '' ? Number(u.port) : 1080
    return {host: u.hostname.replace(/^\[|\]$/g, ''), port}
  }

  /**
   * A hop through an HTTP proxy: the proxy connection is itself a net.connect decision (the target was decided
   * by the caller); HTTPS goes through a CONNECT tunnel, HTTP as an absolute-URI request.
   */
  private async viaProxy(
    proxy: {host: string; port: number},
    url: URL,
    name: string,
    port: number,
    literal: boolean,
    method: string,
    body: Buffer | undefined,
  ): Promise<http.IncomingMessage> {
    const r = this.req
    const denied = this.owner.check({op: 'net.connect', host: proxy.host, port: proxy.port})
    const ip = denied === 0 ? this.host.resolve(proxy.host) : undefined
    if (ip === undefined)
      throw new CurlFailure(CURLE.COULDNT_RESOLVE_PROXY, `Could not resolve proxy: ${proxy.host}`, denied)
    this.firewall(proxy.host, ip, proxy.port)
    this.t.namelookup = this.elapsedUs()
    this.info(0, `  Trying ${ip}:${proxy.port}...`)
    const to = this.host.endpoint(ip, proxy.port)
    if (!to)
      throw new CurlFailure(
        CURLE.COULDNT_CONNECT,
        `Failed to connect to ${proxy.host} port ${proxy.port} after ${Math.round(this.elapsedUs() / 1000)} ms: Couldn't connect to server`,
        Errno.ENETUNREACH,
      )
    const sock = await this.connect(to.host, to.port, proxy.host, proxy.port)
    this.live()
    this.primaryIp = ip
    this.primaryPort = proxy.port
    this.t.connect = this.elapsedUs()
    this.info(0, `Connected to ${proxy.host} (${ip}) port ${proxy.port}`)
    const auth: Record<string, string> = r.proxyUserPwd
      ? {'Proxy-Authorization': `Basic ${Buffer.from(r.proxyUserPwd).toString('base64')}`}
      : {}
    if (url.protocol !== 'https:') return this.request(sock, url, name, port, method, body, auth)
    this.info(0, `Establish HTTP proxy tunnel to ${name}:${port}`)
    this.info(2, `CONNECT ${name}:${port} HTTP/1.1`)
    const tunnel = await new Promise<net.Socket>((ok, fail) => {
      const q = http.request({
        method: 'CONNECT',
        path: `${name}:${port}`,
        headers: {Host: `${name}:${port}`, ...auth},
        createConnection: () => sock,
        setHost: false,
      })
      q.once('connect', (res, s) => {
        this.info(1, `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd())
        if (res.statusCode !== 200) {
          s.destroy()
          fail(new CurlFailure(CURLE.RECV_ERROR, `CONNECT tunnel failed, response ${res.statusCode}`))
        } else ok(s)
      })
      q.once('error', (e) => fail(new CurlFailure(CURLE.RECV_ERROR, `CONNECT tunnel failed: ${e.message}`)))
      q.end()
    })
    this.live()
    this.info(0, 'CONNECT phase completed')
    const trust = r.flags & F.verifyPeer ? await this.caCertificates() : undefined
    const stream = await this.handshake(tunnel, name, literal, trust, this.clientIdentity())
    this.live()
    this.t.appconnect = this.elapsedUs()
    return this.request(stream, url, name, port, method, body)
  }

  private connect(host: string, port: number, name: string, devPort: number): Promise<net.Socket> {
    return new Promise((ok, fail) => {
      const s = net.connect({host, port})
      this.sock = s
      const wait = Math.max(0, (this.activeDeadline() - this.c.kernel.now()) / 1e6)
      s.setTimeout(Math.min(wait, 2 ** 31 - 1))
      s.once('connect', () => {
        s.setTimeout(0)
        ok(s)
      })
      s.once('timeout', () => {
        s.destroy()
        fail(
          new CurlFailure(
            CURLE.OPERATION_TIMEDOUT,
            `Connection timed out after ${Math.round(this.elapsedUs() / 1000)} milliseconds`,
          ),
        )
      })
      s.once('error', (e) =>
        fail(
          new CurlFailure(
            CURLE.COULDNT_CONNECT,
            `Failed to connect to ${name} port ${devPort} after ${Math.round(this.elapsedUs() / 1000)} ms: ${e.message.includes('ECONNREFUSED') ? 'Connection refused' : "Couldn't connect to server"}`,
            Errno.ECONNREFUSED,
          ),
        ),
      )
    })
  }

  private handshake(
    sock: net.Socket,
    name: string,
    literal: boolean,
    trust: string[] | undefined,
    cert: {cert: string; key: string} | undefined,
  ): Promise<net.Socket> {
    const r = this.req
    this.info(0, 'ALPN: curl offers http/1.1')
    return new Promise((ok, fail) => {
      const t = tls.connect({
        socket: sock,
        servername: literal ? undefined : name,
        // one context per distinct set of roots and identity, made once (runtime/trust.ts)
        secureContext: clientContext({ca: trust ?? [], ...(cert ?? {})}),
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      })
      this.sock = t
      t.once('secureConnect', () => {
        const peer = t.getPeerX509Certificate()
        this.info(0, `SSL connection using ${t.getProtocol() ?? 'TLS'} / ${t.getCipher().standardName}`)
        if (peer) {
          this.info(0, 'Server certificate:')
          this.info(0, ` subject: ${peer.subject.replace(/\n/g, '; ')}`)
          this.info(0, ` issuer: ${peer.issuer.replace(/\n/g, '; ')}`)
        }
        if (r.flags & F.verifyPeer && !t.authorized) {
          t.destroy()
          const why = String(t.authorizationError ?? 'certificate verify failed')
          const text =
            why === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' || why === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
              ? 'unable to get local issuer certificate'
              : why === 'SELF_SIGNED_CERT_IN_CHAIN'
                ? 'self-signed certificate in certificate chain'
                : why === 'DEPTH_ZERO_SELF_SIGNED_CERT'
                  ? 'self-signed certificate'
                  : why === 'CERT_HAS_EXPIRED'
                    ? 'certificate has expired'
                    : why.toLowerCase().replace(/_/g, ' ')
          fail(new CurlFailure(CURLE.PEER_FAILED_VERIFICATION, `SSL certificate problem: ${text}`))
          return
        }
        if (r.flags & F.verifyPeer) this.info(0, ' SSL certificate verify ok.')
        if (r.flags & F.verifyHost && peer) {
          const bad = tls.checkServerIdentity(literal ? '' : name, {
            subjectaltname: peer.subjectAltName ?? '',
            subject: {},
          } as never)
          const ipOk = literal && (peer.subjectAltName ?? '').split(', ').includes(`IP Address:${name}`)
          if (bad && !ipOk) {
            t.destroy()
            fail(
              new CurlFailure(
                CURLE.PEER_FAILED_VERIFICATION,
                `SSL: no alternative certificate subject name matches target host name '${name}'`,
              ),
            )
            return
          }
        }
        ok(t)
      })
      t.once('error', (e) => fail(new CurlFailure(CURLE.SSL_CONNECT_ERROR, `TLS connect error: ${e.message}`)))
    })
  }

  private request(
    stream: net.Socket,
    url: URL,
    name: string,
    port: number,
    method: string,
    body: Buffer | undefined,
    /** Set when the request goes to an HTTP proxy: its headers, and the absolute URI as the request target. */
    proxyHeaders?: Record<string, string>,
  ): Promise<http.IncomingMessage> {
    const r = this.req
    const headers: [string, string][] = []
    const hostHeader =
      (url.protocol === 'https:' && port === 443) || (url.protocol === 'http:' && port === 80)
        ? name
        : `${name}:${port}`
    const own = new Map<string, string | null>()
    for (const h of r.headers) {
      const m = /^([^:;]+)([:;])\s*(.*)$/.exec(h)
      if (!m) continue
      own.set(m[1]!.toLowerCase(), m[2] === ';' ? '' : m[3] === '' ? null : m[3]!)
      if (m[3] !== '' || m[2] === ';') headers.push([m[1]!, m[2] === ';' ? '' : m[3]!])
    }
    const add = (k: string, v: string | undefined): void => {
      if (v !== undefined && !own.has(k.toLowerCase())) headers.unshift([k, v])
    }
    if (body && method !== 'GET' && method !== 'HEAD') {
      add('Content-Type', 'application/x-www-form-urlencoded')
      add('Content-Length', String(body.length))
    }
    add('Accept', '*/*')
    if (r.referer) add('Referer', r.referer)
    add('User-Agent', r.userAgent)
    if (r.userPwd) add('Authorization', `Basic ${Buffer.from(r.userPwd).toString('base64')}`)
    add('Host', hostHeader)
    for (const [k, v] of Object.entries(proxyHeaders ?? {})) add(k, v)
    const path = proxyHeaders ? url.href : `${url.pathname}${url.search}`
    this.info(2, `${method} ${path} HTTP/1.1`)
    for (const [k, v] of headers) this.info(2, `${k}: ${v}`)
    this.info(2, '')
    this.t.pretransfer = this.elapsedUs()
    return new Promise((ok, fail) => {
      const q = http.request({
        method,
        path,
        headers: headers.map(([k, v]) => [k, v]).flat(),
        createConnection: () => stream,
        maxHeaderSize: MAX_HEADER_BYTES,
        setHost: false,
      })
      q.once('response', (res) => {
        this.res = res
        this.t.starttransfer = this.elapsedUs()
        this.outcome.httpCode = res.statusCode ?? 0
        const status = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()
        const lines = [status]
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
        lines.push('')
        for (const l of lines) {
          this.info(1, l)
          const b = Buffer.from(`${l}\r\n`)
          this.headerSize += b.length
          this.push(EV.header, b)
        }
        this.contentType = String(res.headers['content-type'] ?? '')
        const cl = Number(res.headers['content-length'])
        this.contentLength = Number.isFinite(cl) && res.headers['content-length'] !== undefined ? cl : -1
        ok(res)
      })
      q.once('error', (e) => {
        const m = e.message
        if (/socket hang up|ECONNRESET/.test(m)) fail(new CurlFailure(CURLE.GOT_NOTHING, 'Empty reply from server'))
        else if (/Parse Error|HPE_/.test(m))
          fail(new CurlFailure(CURLE.WEIRD_SERVER_REPLY, 'Unsupported HTTP version in response'))
        else fail(new CurlFailure(CURLE.SEND_ERROR, `Send failure: ${m}`))
      })
      if (body && method !== 'GET' && method !== 'HEAD') q.end(body)
      else q.end()
    })
  }

  /** Hand the final response's body to the app (bounded by HOST_LIMITS.socketBufferBytes at a time). */
  private deliver(res: http.IncomingMessage, code: number): Promise<void> {
    const r = this.req
    if (r.flags & F.failOnError && code >= 400) {
      res.destroy()
      return Promise.reject(new CurlFailure(CURLE.HTTP_RETURNED_ERROR, `The requested URL returned error: ${code}`))
    }
    const lenBuf = Buffer.alloc(12)
    lenBuf.writeBigInt64LE(BigInt(this.contentLength), 0)
    lenBuf.writeInt32LE(code, 8)
    this.push(EV.bodyStart, lenBuf)
    return new Promise((ok, fail) => {
      res.on('data', (chunk: Buffer) => {
        if (this.closed) return
        for (let i = 0; i < chunk.length; i += CURL_MAX_WRITE_SIZE) {
          const part = chunk.subarray(i, i + CURL_MAX_WRITE_SIZE)
          this.bytes += part.length
          this.push(EV.data, part)
        }
      })
      res.once('end', () => {
        if (this.contentLength >= 0 && this.bytes < this.contentLength) {
          fail(
            new CurlFailure(
              CURLE.PARTIAL_FILE,
              `transfer closed with ${this.contentLength - this.bytes} bytes remaining to read`,
            ),
          )
          return
        }
        this.info(0, `Connection #0 to host ${new URL(this.effectiveUrl).hostname} left intact`)
        this.finish()
        ok()
      })
      res.once('aborted', () =>
        fail(
          new CurlFailure(
            CURLE.PARTIAL_FILE,
            this.contentLength >= 0
              ? `transfer closed with ${this.contentLength - this.bytes} bytes remaining to read`
              : 'transfer closed with outstanding read data remaining',
          ),
        ),
      )
      res.once('error', (e) => fail(new CurlFailure(CURLE.RECV_ERROR, `Recv failure: ${e.message}`)))
    })
  }

  /** The roots to verify with: the certificates of the app's CAINFO file (a file of its image package) and the device's stand-ins for them (runtime/trust.ts). */
  private async caCertificates(): Promise<string[]> {
    const path = this.req.caInfo
    if (path === undefined || path === '') return verifyRoots([], this.c.env.tlsTrust)
    const bad = (why = ''): CurlFailure =>
      new CurlFailure(CURLE.SSL_CACERT_BADFILE, `error setting certificate verify locations:  CAfile: ${path} CApath: none${why}`)
    const text = this.packageFile(path, (p) => `error setting certificate verify locations:  CAfile: ${p} CApath: none`)
    const pems = pemBlocks(text)
    if (pems === 'too-many') throw bad(` (more than ${MAX_CA_CERTIFICATES} certificates)`)
    const ok = await validCertificates(pems)
    this.live()
    if (ok.length === 0) throw bad()
    this.info(0, ` CAfile: ${path}`)
    return verifyRoots(ok, this.c.env.tlsTrust)
  }

  private clientIdentity(): {cert: string; key: string} | undefined {
    const {sslCert, sslKey} = this.req
    if (!sslCert) return undefined
    if (sslCert === DEVICE_AUTH_CERT_PATH) {
      // the device's own certificate (mutual authentication, DeviceAuth_*): the manifest must name a tenant
      const denied = this.owner.check({op: 'capability', capability: 'DeviceAuthentication', action: 'use the device certificate'})
      if (denied !== 0) throw new CurlFailure(CURLE.SSL_CERTPROBLEM, `could not load PEM client certificate from ${sslCert}`, denied)
      return this.host.deviceIdentity()
    }
    const cert = this.packageFile(sslCert, (p) => `could not load PEM client certificate from ${p}`, CURLE.SSL_CERTPROBLEM)
    const key = this.packageFile(sslKey ?? sslCert, (p) => `unable to set private key file: '${p}' type PEM`, CURLE.SSL_CERTPROBLEM)
    return {cert, key}
  }

  /**
   * A file the app names by absolute path (at most MAX_CA_FILE_BYTES): only files of its own image package (the path
   * Storage_GetAbsolutePathInImagePackage gives) are readable; anything else, `..` included, is refused.
   */
  private packageFile(path: string, msg: (p: string) => string, code: number = CURLE.SSL_CACERT_BADFILE): string {
    const root = `${packageMountPath(this.c.proc.componentId)}/`
    // a file of the app's own package goes by its package-relative path; anything else by the path it gave,
    // which the LSM refuses (absolute, `..`): the same storage.package-file decision Storage_OpenFileInImagePackage takes
    const rel = path.startsWith(root) ? path.slice(root.length) : path
    if (this.owner.check({op: 'storage.package-file', path: rel}) !== 0) throw new CurlFailure(code, msg(path))
    const f = this.c.env.openPackageFile(rel)
    if (typeof f === 'number') throw new CurlFailure(code, msg(path))
    // read and scanned in one turn of the host: at most what costs it about a millisecond (runtime/trust.ts)
    if (f.size() > MAX_CA_FILE_BYTES) throw new CurlFailure(code, `${msg(path)} (larger than ${MAX_CA_FILE_BYTES / 1024} KiB)`)
    return Buffer.from(f.read(0, f.size())).toString('utf8')
  }
}

function curlImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel, lsm, subject} = c
  const fds = proc.fds
  const owner = socketOwner(kernel, lsm, proc, subject)
  return {
    curl_open(req: number, len: number): number {
      if (len > MAX_REQUEST_BYTES) return -Errno.E2BIG
      const host = c.env.http
      if (!host) return -NetErrno.ENETDOWN
      if (owner.atSocketLimit()) return -Errno.EMFILE
      const r = decodeRequest(Buffer.from(mem.read(req, len)))
      if (!r) return -Errno.EINVAL
      const t = new CurlTransfer(c, owner, host, r)
      const fd = fds.add(t)
      if (fd < 0) {
        t.close()
        return fd
      }
      void t.run()
      return fd
    },
    curl_next(fd: number, buf: number, cap: number): number {
      const o = fds.get(fd)
      if (!o) return -Errno.EBADF
      if (!(o instanceof CurlTransfer)) return -Errno.EINVAL
      const wait = c.admit(Math.min(cap >>> 0, CURL_MAX_WRITE_SIZE) * COST.nsPerByte)
      if (wait !== 0) return wait
      const n = o.next(buf, cap >>> 0)
      if (n !== -Errno.EAGAIN || o.nonblock) return n
      if (c.pendingSignals() !== 0) return -Errno.EINTR
      return c.block([o], Infinity)
    },
  }
}

export const curlGroup: SyscallGroup = {
  source: 'src/os/runtime/curl.ts',
  bind: curlImports,
  entries: [
    syscall('sphere', 'curl_open', 'const void *req, uint32_t len', {
      returns: 'fd',
      mem: ['req[len]!'],
      policy: {inImpl: 'each connection of the transfer (every redirect hop) is a net.connect decided when it is made'},
      doc: "libcurl: start a transfer described by a TLV request (u32 tag, u32 len, bytes; sdk/libapplibs/curl.c); the fd is pollable and closed with close(); E2BIG past 256 KiB, EMFILE at the app's socket limit",
    }),
    syscall('sphere', 'curl_next', 'int32_t fd, void *buf, uint32_t cap', {
      returns: 'n',
      mem: ['buf[cap]!'],
      policy: {inImpl: 'reads what the transfer the app started received'},
      heavy: 'bytes received',
      doc: 'libcurl: the next event (u32 type, u32 len, payload: 1 header line, 2 body bytes, 3 done, 4 body start, 5 debug text) or 0 after done; blocks unless the transfer is non-blocking (-EAGAIN); a body event is split to fit `cap`',
    }),
  ],
}
