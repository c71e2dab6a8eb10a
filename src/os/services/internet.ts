/**
 * The local internet: named HTTPS (and HTTP) servers on 127.0.0.x with a test CA, declared in the world file's
 * `internet` key (docs/world.md), so an app that fetches `https://example.com/` runs offline with no code change.
 *
 * - **Names.** Each site gets its own loopback address (127.0.0.10, .11, ... unless the file names one), entered
 *   in the device's host map, so the firewall decides by name and by address as for any host.
 * - **Ports.** A site answers on device port 443 (HTTPS) and 80 (HTTP); the servers listen on free host ports
 *   and `endpoint()` maps the device address and port to them, for libcurl and for an app's own TCP sockets
 *   (wolfSSL over `connect`), so both reach the same server.
 * - **Trust.** The sites' certificates are issued by a test CA kept in `<stateDir>/internet/`. The app trusts it
 *   through the CA file it would use on a device (CURLOPT_CAINFO / wolfSSL_CTX_load_verify_locations in its image
 *   package): the world file lists the CA certificates, by subject common name, the test CA stands in for
 *   (`caStandsFor`). This is the device's trust store (`standIns()`: those plus the world's `tlsRoots`), which
 *   the one trust rule of the OS's TLS clients reads (runtime/trust.ts verifyRoots). A CA file with none of them
 *   verifies nothing here, as on a device it would not verify a server whose CA it lacks.
 * - **Content.** Per site: `pages` (path -> a body, a file, a redirect, a generated size, a delay, a status), a
 *   `root` directory of files, and `httpstat: true` for httpstat.us-style `/<status>?sleep=<ms>` answers.
 */
import {generateKeyPairSync} from 'node:crypto'
import {readFileSync, statSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {isIPv4, type AddressInfo} from 'node:net'
import {join, normalize, resolve as resolvePath, sep} from 'node:path'
import {OsError} from '../errors.js'
import type {HostEndpoint, HttpHost} from '../runtime/http-host.js'
import type {DeviceTrustStore, StandIn} from '../runtime/trust.js'
import type {NetworkStack} from './network.js'
import {buildCertificate} from './tls.js'
import {loadOrMakeCa, type StoredCa} from '../../util/x509.js'

export interface PageSpec {
  /** Response body (text). */
  body?: string
  /** A file (relative to the world file) served as the body. */
  file?: string
  /** `size` bytes of a repeating pattern (benchmarks, memory tests). */
  size?: number
  /** Answer with a redirect to this URL (status 302 unless `status` says otherwise). */
  redirect?: string
  status?: number
  type?: string
  headers?: Record<string, string>
  /** Wait this long (real milliseconds) before answering. */
  delayMs?: number
  /** Send the body without a Content-Length (chunked). */
  chunked?: boolean
  /** Answer with the request as JSON: method, url, headers (tests of what a client sends). */
  echo?: boolean
}

export interface SiteSpec {
  address?: string
  pages?: Record<string, PageSpec>
  /** A directory whose files the site serves (`/` -> index.html). */
  root?: string
  /** Answer `/<status>?sleep=<ms>` as httpstat.us does. */
  httpstat?: boolean
  /** HTTPS requires a client certificate issued by the test CA (the device's, see DeviceAuth). */
  clientAuth?: boolean
}

interface Site {
  name: string
  address: string
  spec: SiteSpec
  baseDir: string
  https?: https.Server
  http?: http.Server
  httpsPort: number
  httpPort: number
}

const FIRST_ADDRESS = 10
const bad = (msg: string): OsError => new OsError('WORLD_BAD_PATH', msg)

type TestCa = StoredCa

const loadOrMakeTestCa = (dir: string): TestCa =>
  loadOrMakeCa(dir, {subject: {O: 'sphere-sdk', CN: 'Sphere Local Internet Test CA'}, years: 10})

/** The body of a generated page: `size` bytes of a repeating printable pattern. */
export function patternBytes(size: number): Buffer {
  const unit = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n')
  const out = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += unit.length) unit.copy(out, i, 0, Math.min(unit.length, size - i))
  return out
}

/** Send `size` pattern bytes without holding them: 64 KiB at a time, as fast as the client takes them. */
function streamPattern(
  r: http.ServerResponse,
  size: number,
  head: boolean,
  status: number,
  type: string,
  extra: Record<string, string> | undefined,
  chunked: boolean | undefined,
): void {
  const headers: Record<string, string> = {'Content-Type': type, ...extra}
  if (!chunked) headers['Content-Length'] = String(size)
  r.writeHead(status, headers)
  if (head) {
    r.end()
    return
  }
  const block = patternBytes(65 * 1008) // whole repeats of the 65-byte unit, so blocks join seamlessly
  let left = size
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, block.length)
      left -= n
      if (!r.write(n === block.length ? block : block.subarray(0, n))) {
        r.once('drain', pump)
        return
      }
    }
    r.end()
  }
  r.once('close', () => (left = 0))
  pump()
}

/**
 * Run one step of answering a request: an exception (a request no rule foresaw, a page the world describes
 * badly) ends that response, 500 if nothing was sent yet, and never escapes into the host's event loop.
 */
function guarded(r: http.ServerResponse, step: () => void): void {
  try {
    step()
  } catch {
    if (!r.headersSent) {
      r.writeHead(500, {'Content-Type': 'text/plain', Connection: 'close'})
      r.end('internal error\n')
    } else r.destroy()
  }
}

export class LocalInternet implements HttpHost, DeviceTrustStore {
  private ca?: TestCa
  private readonly sites = new Map<string, Site>()
  private readonly byAddress = new Map<string, Site>()
  private readonly standsFor = new Set<string>()
  private starting: Promise<void>[] = []

  private identity?: {cert: string; key: string}

  constructor(
    private readonly stateDir: string,
    private readonly network: NetworkStack,
    /** The device ID: the common name of the device's client certificate. */
    private readonly deviceId = 'sphere-device',
  ) {}

  /** The device's client certificate (issued by the test CA, CN = the device ID) and key, made on first use. */
  deviceIdentity(): {cert: string; key: string} {
    if (this.identity) return this.identity
    const ca = this.testCa()
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    const now = Date.now()
    const cert = buildCertificate({
      subject: {O: 'sphere-sdk device', CN: this.deviceId.slice(0, 64)},
      issuer: {O: 'sphere-sdk', CN: 'Sphere Local Internet Test CA'},
      publicKey,
      signingKey: ca.key,
      issuerPublicKey: ca.cert.publicKey,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(Math.min(now + 30 * 86_400_000, Date.parse(ca.cert.validTo))),
      clientAuth: true,
    })
    this.identity = {cert: cert + ca.certPem, key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString()}
    return this.identity
  }

  /** The test CA certificate (PEM), made on first use. */
  caPem(): string {
    return this.testCa().certPem
  }

  private testCa(): TestCa {
    this.ca ??= loadOrMakeTestCa(join(this.stateDir, 'internet'))
    return this.ca
  }

  /** Apply the world file's `internet` value (see docs/world.md). Servers start listening asynchronously. */
  configure(value: unknown, baseDir: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('internet must be a mapping')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'caStandsFor') {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
          throw bad('internet.caStandsFor must be a list of CA certificate common names')
        for (const n of v) this.standsFor.add(n)
      } else if (k === 'sites') {
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          throw bad('internet.sites must map host names to sites')
        for (const [name, spec] of Object.entries(v as Record<string, unknown>)) this.addSite(name, spec, baseDir)
      } else throw bad(`internet.${k}: unknown (use caStandsFor, sites)`)
    }
  }

  /** Add (or replace) a site. */
  addSite(nameIn: string, specIn: unknown, baseDir: string): void {
    const name = nameIn.toLowerCase()
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name) || isIPv4(name))
      throw bad(`internet.sites.${nameIn}: not a host name`)
    if (typeof specIn !== 'object' || specIn === null || Array.isArray(specIn))
      throw bad(`internet.sites.${nameIn} must be a mapping (pages, root, httpstat, clientAuth, address)`)
    const spec = specIn as SiteSpec
    for (const k of Object.keys(spec))
      if (!['address', 'pages', 'root', 'httpstat', 'clientAuth'].includes(k))
        throw bad(`internet.sites.${nameIn}.${k}: unknown (use pages, root, httpstat, clientAuth, address)`)
    if (spec.pages !== undefined && (typeof spec.pages !== 'object' || spec.pages === null))
      throw bad(`internet.sites.${nameIn}.pages must map paths to pages`)
    for (const [p, page] of Object.entries(spec.pages ?? {})) {
      if (!p.startsWith('/')) throw bad(`internet.sites.${nameIn}.pages: ${p} must start with /`)
      if (typeof page !== 'object' || page === null) throw bad(`internet.sites.${nameIn}.pages.${p} must be a mapping`)
    }
    const old = this.sites.get(name)
    if (old) this.closeSite(old)
    let address = spec.address
    if (address !== undefined && (!isIPv4(address) || !address.startsWith('127.')))
      throw bad(`internet.sites.${nameIn}.address must be a 127.x.y.z address`)
    if (address === undefined) {
      let n = FIRST_ADDRESS
      while (this.byAddress.has(`127.0.0.${n}`)) n++
      address = `127.0.0.${n}`
    }
    const site: Site = {name, address, spec, baseDir, httpsPort: 0, httpPort: 0}
    this.sites.set(name, site)
    this.byAddress.set(address, site)
    this.network.setHost(name, address)
    this.starting.push(this.start(site))
  }

  /** Resolves when every site's servers listen. */
  async ready(): Promise<void> {
    const s = this.starting
    this.starting = []
    await Promise.all(s)
  }

  private async start(site: Site): Promise<void> {
    const ca = this.testCa()
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    const now = Date.now()
    const cert = buildCertificate({
      subject: {O: 'sphere-sdk local internet', CN: site.name},
      issuer: {O: 'sphere-sdk', CN: 'Sphere Local Internet Test CA'},
      publicKey,
      signingKey: ca.key,
      issuerPublicKey: ca.cert.publicKey,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(Math.min(now + 397 * 86_400_000, Date.parse(ca.cert.validTo))),
      dnsNames: [site.name],
      ipAddresses: [site.address],
    })
    // the request comes from an app: whatever it holds, a failure answers that request, never reaches the host
    const handler = (q: http.IncomingMessage, r: http.ServerResponse): void => guarded(r, () => this.answer(site, q, r))
    site.https = https.createServer(
      {
        key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
        cert: cert + ca.certPem,
        ...(site.spec.clientAuth ? {requestCert: true, rejectUnauthorized: true, ca: ca.certPem} : {}),
      },
      handler,
    )
    site.http = http.createServer(handler)
    const listen = (s: http.Server): Promise<number> =>
      new Promise<number>((ok, fail) => {
        s.once('error', fail)
        // the site's own loopback address where the host has it (Linux: all of 127/8), else 127.0.0.1
        s.listen(0, site.address, () => ok((s.address() as AddressInfo).port))
      }).catch(() => new Promise<number>((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as AddressInfo).port))))
    site.httpsPort = await listen(site.https)
    site.httpPort = await listen(site.http)
  }

  private answer(site: Site, q: http.IncomingMessage, r: http.ServerResponse): void {
    const badRequest = (): void => {
      r.writeHead(400, {'Content-Type': 'text/plain', Connection: 'close'})
      r.end('bad request target\n')
    }
    // a target the app wrote (`//[`, `http://[`, a bad port) is not a URL: 400, as a server answers it
    let url: URL
    try {
      url = new URL(q.url ?? '/', 'http://x')
    } catch {
      return badRequest()
    }
    const send = (
      status: number,
      body: Buffer,
      type = 'text/html; charset=UTF-8',
      extra: Record<string, string> = {},
      chunked = false,
    ): void => {
      const headers: Record<string, string> = {'Content-Type': type, ...extra}
      if (!chunked) headers['Content-Length'] = String(body.length)
      r.writeHead(status, headers)
      r.end(q.method === 'HEAD' ? undefined : body)
    }
    q.resume()
    const page = site.spec.pages?.[url.pathname]
    if (page) {
      const go = (): void => {
        if (page.redirect) {
          send(page.status ?? 302, Buffer.from(`Redirecting to ${page.redirect}\n`), 'text/plain', {
            Location: page.redirect,
            ...page.headers,
          })
          return
        }
        if (page.echo) {
          send(
            page.status ?? 200,
            Buffer.from(JSON.stringify({method: q.method, url: q.url, headers: q.headers})),
            'application/json',
          )
          return
        }
        if (page.size !== undefined && page.file === undefined) {
          streamPattern(
            r,
            page.size,
            q.method === 'HEAD',
            page.status ?? 200,
            page.type ?? 'application/octet-stream',
            page.headers,
            page.chunked,
          )
          return
        }
        let body: Buffer
        try {
          body =
            page.file !== undefined ? readFileSync(resolvePath(site.baseDir, page.file)) : Buffer.from(page.body ?? '')
        } catch {
          send(500, Buffer.from('unreadable page file\n'), 'text/plain')
          return
        }
        send(page.status ?? 200, body, page.type, page.headers, page.chunked)
      }
      if (page.delayMs) setTimeout(() => guarded(r, go), page.delayMs).unref()
      else go()
      return
    }
    if (site.spec.httpstat) {
      const m = /^\/(\d{3})$/.exec(url.pathname)
      if (m) {
        const status = Number(m[1])
        const sleep = Math.min(Number(url.searchParams.get('sleep') ?? 0) || 0, 230_000)
        setTimeout(
          () => guarded(r, () => send(status, Buffer.from(`${status} ${http.STATUS_CODES[status] ?? ''}`.trim()), 'text/plain')),
          sleep,
        ).unref()
        return
      }
    }
    if (site.spec.root !== undefined) {
      const root = resolvePath(site.baseDir, site.spec.root)
      let path: string
      try {
        path = decodeURIComponent(url.pathname)
      } catch {
        return badRequest() // a malformed escape (`%zz`)
      }
      const rel = normalize(path).replace(/^(\.\.(\/|\\|$))+/, '')
      let file = join(root, rel)
      if (file === root || file.startsWith(root + sep)) {
        try {
          if (statSync(file).isDirectory()) file = join(file, 'index.html')
          const type = file.endsWith('.html')
            ? 'text/html; charset=UTF-8'
            : file.endsWith('.json')
              ? 'application/json'
              : 'application/octet-stream'
          send(200, readFileSync(file), type)
          return
        } catch {
          // not found below
        }
      }
    }
    send(404, Buffer.from('<!doctype html><title>404 Not Found</title><h1>Not Found</h1>\n'))
  }

  // ---- HttpHost ----

  resolve(name: string): string | undefined {
    return this.network.resolve(name)
  }

  endpoint(ip: string, port: number): HostEndpoint | undefined {
    const site = this.byAddress.get(ip)
    if (site) {
      const p = port === 443 ? site.httpsPort : port === 80 ? site.httpPort : 0
      if (p === 0) return undefined
      const listening = site.https?.address() as AddressInfo | null
      return {host: listening?.address ?? '127.0.0.1', port: p}
    }
    const to = this.network.route(ip)
    return typeof to === 'number' ? undefined : {host: to, port}
  }

  // ---- DeviceTrustStore ----

  /** The device's test roots: the world's `tlsRoots`, and the test CA for the `caStandsFor` names. */
  standIns(): StandIn[] {
    const out = [...this.network.tlsStandIns()]
    if (this.standsFor.size > 0) out.push({pem: this.caPem(), standsFor: [...this.standsFor]})
    return out
  }

  /** Sites and where they listen (for tests and benches). */
  list(): {name: string; address: string; httpsPort: number; httpPort: number}[] {
    return [...this.sites.values()].map((s) => ({
      name: s.name,
      address: s.address,
      httpsPort: s.httpsPort,
      httpPort: s.httpPort,
    }))
  }

  private closeSite(s: Site): void {
    s.https?.close()
    s.https?.closeAllConnections()
    s.http?.close()
    s.http?.closeAllConnections()
    this.sites.delete(s.name)
    this.byAddress.delete(s.address)
  }

  shutdown(): void {
    for (const s of [...this.sites.values()]) this.closeSite(s)
  }
}
