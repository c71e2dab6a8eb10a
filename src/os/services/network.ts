/**
 * The device's network service: what apps' sockets reach, the device's interfaces as apps see them, and the
 * per-app firewall view.
 *
 * - **Host map.** The simulator resolves host names through a map in the device (`hosts`, per device:
 *   `{"api.contoso.test": "127.0.0.1", "backup.test": "10.0.0.7"}`, also read from `<stateDir>/network.json`,
 *   `{"hosts": {...}, "ports": {"11000": 0}}`). A name the map does not list resolves to nothing: an
 *   AllowedConnections entry naming it allows no address (it never turns into the loopback).
 * - **Routes.** A connection to a device-visible address goes to the same address on the host, and only
 *   loopback addresses and the addresses of the host map are reachable (anything else: ENETUNREACH).
 * - **The OS's own ports.** The device's service endpoints (REST API listeners, the SNTP server) are in the
 *   LSM's registry (lsm/os-endpoints.ts): no app reaches them, whatever its manifest says.
 * - **Listening.** An app's bind to port P opens 127.0.0.1:P on the host, or `ports[P]` (0 = any free
 *   port); `listeners()` tells where each one is.
 * - **Resolver.** getaddrinfo (sphere.resolve) and DNS messages to 127.0.0.1:53 reach the device's resolver
 *   (services/dns.ts): the hosts map and the world's DNS-SD records (`dnsSd`). With `internet: true` (`sphere sim
 *   start --internet`) names the device does not know go to the host's resolver, and what it answered for a
 *   name the LSM allowed is remembered (bounded) so the firewall allows exactly those addresses for that name.
 *   The LSM rules on every lookup first (dns.query): an unlisted name is never looked up.
 * - **Firewall.** The LSM rules on every connect / bind from the manifest (AllowedConnections by what the
 *   names resolve to, AllowedTcpServerPorts, AllowedUdpServerPorts); `allowances()` feeds the REST
 *   firewall view.
 */
import {createHash} from 'node:crypto'
import dgram from 'node:dgram'
import {promises as dnsPromises} from 'node:dns'
import {existsSync, readFileSync} from 'node:fs'
import {isIPv4} from 'node:net'
import {join} from 'node:path'
import {Errno} from '../kernel/errno.js'
import {osEndpoints} from '../lsm/os-endpoints.js'
import type {AppPolicy} from '../lsm/policy.js'
import {
  IFACE_CONNECTED,
  IFACE_INTERNET,
  IFACE_IP,
  IFACE_UP,
  type DeviceProxy,
  type DhcpServerConfig,
  type HostListener,
  type NetHost,
  type NetInterfaceInfo,
  type StaticIpConfig,
} from '../runtime/net-host.js'
import type {StandIn} from '../runtime/trust.js'
import {DnsRecords, dnsName, parseQuestion, type DnsSdInstance} from './dns.js'
import {NetConfig, SERVICE_INTERFACE, SERVICE_IP, WIFI_INTERFACE, type AppNetworkAllowance} from './netconfig.js'

export interface NetworkOptions {
  /** Host name -> IPv4 address (case-insensitive names). Names not listed do not resolve. */
  hosts?: Record<string, string>
  /** Device port -> host port for apps' listening sockets (0 = any free port). Default: the same port. */
  ports?: Record<string, number>
  /** Host address listening sockets open on. Default 127.0.0.1. */
  listenHost?: string
  /** Names the device does not know go to the host's resolver (`sphere sim start --internet`). */
  internet?: boolean
}

/** Names (and addresses per name) the stack remembers from the host's resolver. */
const INTERNET_CACHE_NAMES = 256
const ADDRESSES_PER_NAME = 16
const LOOKUP_TIMEOUT_MS = 5000

/** SNTP / DHCP servers an app started (they keep running after the app stops, as on a device). */
export interface NetServices {
  sntp: string[]
  dhcp: {interfaceName: string; config: DhcpServerConfig}[]
}

const NTP_PORT = 123
const NTP_EPOCH_OFFSET_S = 2_208_988_800

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.')
}

function mac(seed: string, prefix: number[]): Uint8Array {
  const h = createHash('sha256').update(seed).digest()
  return new Uint8Array([...prefix, h[0]!, h[1]!, h[2]!])
}

export class NetworkStack implements NetHost {
  private links: NetConfig
  private readonly hosts = new Map<string, string>()
  private readonly ports = new Map<number, number>()
  private readonly listenHost: string
  private readonly staticIp = new Map<string, StaticIpConfig>()
  /** Interfaces whose DHCP address the app released (Networking_IpConfig_ReleaseIp) and has not renewed. */
  private readonly released = new Set<string>()
  private readonly macs = new Map<string, Uint8Array>()
  private readonly open = new Set<HostListener>()
  private readonly sntpSockets = new Map<string, dgram.Socket>()
  /** The OS endpoints this stack registered (its SNTP servers), by interface. */
  private readonly osPorts = new Map<string, () => void>()
  private readonly dhcp = new Map<string, DhcpServerConfig>()
  private readonly wlanIp: string
  /** The DNS-SD records and host map the device's resolver serves. */
  readonly dns = new DnsRecords((n) => this.hosts.get(n))
  /** What the host's resolver answered (internet mode), oldest first. */
  private readonly learned = new Map<string, string[]>()
  readonly internet: boolean
  timeSyncEnabled = true

  constructor(
    private readonly deviceSeed: string,
    /** CLOCK_REALTIME of the device, ns since 1970 (the SNTP server answers with it). */
    private readonly realtimeNs: () => number,
    opts: NetworkOptions = {},
  ) {
    this.links = NetConfig.open(undefined, deviceSeed)
    for (const [k, v] of Object.entries(opts.hosts ?? {})) this.setHost(k, v)
    for (const [k, v] of Object.entries(opts.ports ?? {})) this.ports.set(Number(k), v)
    this.listenHost = opts.listenHost ?? '127.0.0.1'
    this.internet = opts.internet === true
    const h = createHash('sha256').update(`${deviceSeed}/wlan0-ip`).digest()
    this.wlanIp = `192.168.1.${20 + (h[0]! % 200)}`
  }

  /** Options from `<stateDir>/network.json` (absent or unreadable: none), merged under `opts`. */
  static options(stateDir: string, opts: NetworkOptions = {}): NetworkOptions {
    const f = join(stateDir, 'network.json')
    let file: NetworkOptions = {}
    if (existsSync(f)) {
      try {
        file = JSON.parse(readFileSync(f, 'utf8')) as NetworkOptions
      } catch {
        file = {}
      }
    }
    return {
      ...file,
      ...opts,
      hosts: {...(file.hosts ?? {}), ...(opts.hosts ?? {})},
      ports: {...(file.ports ?? {}), ...(opts.ports ?? {})},
    }
  }

  /** Use the REST server's interface configuration (so `device network disable wlan0` reaches apps). */
  useNetConfig(n: NetConfig): void {
    this.links = n
  }

  get netConfig(): NetConfig {
    return this.links
  }

  // ---- names and routes ----

  /** Map a host name (or an IPv4 literal) to an address. */
  setHost(name: string, ip: string): void {
    if (!isIPv4(ip)) throw new Error(`not an IPv4 address: ${ip}`)
    this.hosts.set(name.toLowerCase(), ip)
  }

  /** Take a name out of the host map (it no longer resolves). */
  removeHost(name: string): void {
    this.hosts.delete(name.toLowerCase())
  }

  /** The address a name resolves to on this device (IPv4 literals resolve to themselves); undefined: unknown. */
  resolve(name: string): string | undefined {
    const n = name.toLowerCase()
    return this.hosts.get(n) ?? (isIPv4(n) ? n : undefined)
  }

  /**
   * Every address a name stands for on this device, for the firewall: the hosts map, a DNS-SD target host, a
   * DNS-SD service type (its instances' addresses), what the host resolver answered for it (internet mode).
   */
  addresses(name: string): string[] {
    const n = dnsName(name)
    const out = new Set<string>()
    const a = this.dns.address(n) ?? (isIPv4(n) ? n : undefined)
    if (a) out.add(a)
    for (const x of this.dns.serviceAddresses(n)) out.add(x)
    for (const x of this.learned.get(n) ?? []) out.add(x)
    return [...out]
  }

  /** Names discovered through a DNS-SD service type (its instances and their hosts). */
  discovered(service: string): string[] {
    return this.dns.serviceNames(service)
  }

  private roots: StandIn[] = []

  /** The world's `tlsRoots` (PEM): test roots standing in for the CAs of an app's own CA file (runtime/trust.ts). */
  tlsRoots(): readonly string[] {
    return this.roots.map((r) => r.pem)
  }

  /** The world's `tlsRoots` with what each stands in for (a plain PEM: any CA). */
  tlsStandIns(): readonly StandIn[] {
    return this.roots
  }

  setTlsRoots(roots: readonly (string | StandIn)[]): void {
    this.roots = roots.map((r) => (typeof r === 'string' ? {pem: r, standsFor: 'any'} : r))
  }

  /** Replace the DNS-SD instances the device's resolver advertises (the world file's `dnsSd`). */
  setDnsSd(list: readonly DnsSdInstance[]): void {
    this.dns.setInstances(list)
  }

  /**
   * getaddrinfo's answer (the LSM allowed the name already): the device's records, else (internet mode) the
   * host's resolver, whose answer is remembered for the firewall. [] = the name does not resolve.
   */
  lookup(name: string): string[] | Promise<string[]> {
    const n = dnsName(name)
    const local = this.dns.address(n)
    if (local) return [local]
    if (isIPv4(n)) return [n]
    if (!this.internet) return []
    const timeout = new Promise<string[]>((_, reject) => {
      const t = setTimeout(() => reject(new Error('lookup timed out')), LOOKUP_TIMEOUT_MS)
      t.unref()
    })
    return Promise.race([dnsPromises.lookup(n, {family: 4, all: true}), timeout]).then(
      (rs) => {
        const ips = [...new Set((rs as {address: string}[]).map((r) => r.address))].slice(0, ADDRESSES_PER_NAME)
        this.learned.delete(n)
        if (this.learned.size >= INTERNET_CACHE_NAMES) this.learned.delete(this.learned.keys().next().value!)
        if (ips.length > 0) this.learned.set(n, ips)
        return ips
      },
      (e: unknown) => {
        const code = (e as {code?: string}).code
        if (code === 'ENOTFOUND' || code === 'ENODATA') return []
        throw e
      },
    )
  }

  /** The question name of a DNS query to the device's resolver (undefined: not a query it answers). */
  dnsQuestion(msg: Uint8Array): string | undefined {
    return parseQuestion(msg)?.name
  }

  /** The device resolver's answer to a DNS query (undefined: malformed, dropped). */
  dnsAnswer(msg: Uint8Array): Uint8Array | undefined {
    return this.dns.answer(msg)
  }

  /** The device's proxy configuration: the one store the REST API (net/proxy) and Networking_Proxy_* share. */
  proxy(): DeviceProxy | undefined {
    return this.links.proxy()
  }

  applyProxy(p: DeviceProxy | undefined): number {
    if (p === undefined) {
      this.links.deleteProxy()
      return 0
    }
    try {
      this.links.setProxy(p)
      return 0
    } catch {
      return -Errno.EINVAL
    }
  }

  route(ip: string): string | number {
    if (isLoopback(ip) || [...this.hosts.values()].includes(ip)) return ip
    if (this.dns.list().some((i) => i.address === ip)) return ip
    // the internet: every address is routable; what an app may reach is the LSM's decision (by name)
    if (this.internet && isIPv4(ip)) return ip
    return -Errno.ENETUNREACH
  }

  isLocalAddress(ip: string): boolean {
    if (ip === '0.0.0.0' || isLoopback(ip)) return true
    return this.interfaces().some((i) => i.addresses.includes(ip))
  }

  listenOn(_protocol: 'tcp' | 'udp', port: number): {host: string; port: number} {
    return {host: this.listenHost, port: this.ports.get(port) ?? port}
  }

  addListener(l: HostListener): () => void {
    this.open.add(l)
    return () => this.open.delete(l)
  }

  /** Host sockets open for apps (and the OS's SNTP server), e.g. to find where a test reaches an app. */
  listeners(): HostListener[] {
    return [...this.open]
  }

  // ---- interfaces ----

  isReady(): boolean {
    return this.links.isUp(WIFI_INTERFACE) && !this.released.has(WIFI_INTERFACE)
  }

  interfaces(): NetInterfaceInfo[] {
    return this.links.interfaceNames().map((name) => {
      const up = this.links.isUp(name)
      if (name === SERVICE_INTERFACE)
        return {
          name,
          up: true,
          ipType: 0,
          medium: 0,
          status: IFACE_UP | IFACE_CONNECTED | IFACE_IP,
          addresses: [SERVICE_IP],
        }
      const st = this.staticIp.get(name)
      const wifi = name === WIFI_INTERFACE
      const addresses = !up ? [] : st?.ip ? [st.ip] : this.released.has(name) ? [] : wifi ? [this.wlanIp] : []
      const status = !up
        ? 0
        : IFACE_UP | IFACE_CONNECTED | (addresses.length > 0 ? IFACE_IP | (wifi ? IFACE_INTERNET : 0) : 0)
      return {
        name,
        up,
        ipType: st?.ip ? 0 : 1,
        medium: wifi ? 1 : 2,
        status,
        hardwareAddress:
          this.macs.get(name) ??
          (wifi
            ? mac(`${this.deviceSeed}/wlan0`, [0x00, 0x0c, 0x43])
            : mac(`${this.deviceSeed}/eth0`, [0x02, 0x53, 0x50])),
        addresses,
        ...(st?.ip && st.mask ? {netmask: st.mask} : {}),
      }
    })
  }

  private known(name: string): number {
    if (!this.links.interfaceNames().includes(name)) return -Errno.ENOENT
    if (name === SERVICE_INTERFACE) return -Errno.EPERM
    return 0
  }

  setInterfaceUp(name: string, up: boolean): number {
    const e = this.known(name)
    if (e) return e
    this.links.setUp(name, up)
    return 0
  }

  applyIpConfig(name: string, cfg: StaticIpConfig): number {
    const e = this.known(name)
    if (e) return e
    if (cfg.ip !== undefined && (!isIPv4(cfg.ip) || cfg.ip === '0.0.0.0')) return -Errno.EINVAL
    this.staticIp.set(name, cfg)
    return 0
  }

  /**
   * DHCP release (the interface keeps its link but has no address until a renew) or renew. Static
   * addressing has nothing to release or renew (EPERM); a down interface cannot (EAGAIN).
   */
  renewIp(name: string, release = false): number {
    const e = this.known(name)
    if (e) return e
    if (this.staticIp.get(name)?.ip) return -Errno.EPERM
    if (!this.links.isUp(name)) return -Errno.EAGAIN
    if (release) this.released.add(name)
    else this.released.delete(name)
    return 0
  }

  setHardwareAddress(name: string, m: Uint8Array): number {
    const e = this.known(name)
    if (e) return e
    if (name === WIFI_INTERFACE) return -Errno.EPERM // Ethernet only
    this.macs.set(name, new Uint8Array(m))
    return 0
  }

  startSntpServer(name: string): number {
    const e = this.known(name)
    if (e) return e
    if (!this.links.isUp(name)) return -Errno.EAGAIN
    if (this.sntpSockets.has(name)) return 0
    const at = this.listenOn('udp', NTP_PORT)
    const sock = dgram.createSocket('udp4')
    sock.on('error', () => undefined)
    // host callbacks of the OS's own server: whatever a client sends, a failure ends the answer, not the OS
    sock.on('message', (msg, rinfo) => {
      try {
        if (msg.length < 48) return
        sock.send(this.ntpReply(msg), rinfo.port, rinfo.address, () => undefined)
      } catch {
        // a closed socket or a bad peer address: no answer
      }
    })
    const addr = this.staticIp.get(name)?.ip ?? '0.0.0.0'
    sock.bind(at.port, at.host, () => {
      try {
        const hostPort = sock.address().port
        this.open.add({
          componentId: 'os:sntp',
          pid: 0,
          protocol: 'udp',
          deviceAddress: addr,
          devicePort: NTP_PORT,
          hostAddress: at.host,
          hostPort,
        })
        this.osPorts.set(name, osEndpoints.add({protocol: 'udp', host: at.host, port: hostPort, name: 'SNTP server'}))
      } catch {
        // closed before it was bound (shutdown)
      }
    })
    sock.unref()
    this.sntpSockets.set(name, sock)
    return 0
  }

  /** An SNTP (RFC 4330) server reply carrying the device's clock. */
  private ntpReply(req: Buffer): Buffer {
    const out = Buffer.alloc(48)
    const ns = this.realtimeNs()
    const sec = Math.floor(ns / 1e9) + NTP_EPOCH_OFFSET_S
    const frac = Math.floor(((ns % 1e9) / 1e9) * 2 ** 32)
    const version = (req[0]! >> 3) & 7 || 4
    out[0] = (version << 3) | 4 // LI 0, mode 4 (server)
    out[1] = 2 // stratum 2: synchronised from an upstream server
    out[2] = req[2]!
    out[3] = 0xec
    out.write('SPHR', 12, 'ascii')
    for (const off of [16, 32, 40]) {
      out.writeUInt32BE(sec >>> 0, off)
      out.writeUInt32BE(frac >>> 0, off + 4)
    }
    req.copy(out, 24, 40, 48) // originate = the client's transmit timestamp
    return out
  }

  startDhcpServer(name: string, cfg: DhcpServerConfig): number {
    const e = this.known(name)
    if (e) return e
    if (!this.staticIp.get(name)?.ip) return -Errno.EPERM // the interface needs a static address first
    if (!this.links.isUp(name)) return -Errno.EAGAIN
    this.dhcp.set(name, cfg)
    return 0
  }

  services(): NetServices {
    return {
      sntp: [...this.sntpSockets.keys()],
      dhcp: [...this.dhcp].map(([interfaceName, config]) => ({interfaceName, config})),
    }
  }

  /** The per-app rules of the firewall view: outbound by resolved address, inbound by server port. */
  allowances(apps: readonly {uid: number; policy: AppPolicy}[]): AppNetworkAllowance[] {
    return apps
      .map(({uid, policy}) => ({
        uid,
        allowedHosts: [
          ...new Set([...policy.allowedConnections].flatMap((n) => this.addresses(n))),
        ].sort(),
        tcpServerPorts: [...policy.tcpServerPorts].sort((a, b) => a - b),
        udpServerPorts: [...policy.udpServerPorts].sort((a, b) => a - b),
      }))
      .filter((a) => a.allowedHosts.length + a.tcpServerPorts.length + a.udpServerPorts.length > 0)
  }

  /** Close the OS's own host sockets (apps' sockets close with their processes). */
  shutdown(): void {
    for (const s of this.sntpSockets.values()) {
      try {
        s.close()
      } catch {
        // already closed
      }
    }
    this.sntpSockets.clear()
    for (const remove of this.osPorts.values()) remove()
    this.osPorts.clear()
    this.open.clear()
  }
}
