import type {SigningKeyClass} from '../../image/keys.js'
import {Errno} from '../kernel/errno.js'
import {escapeControl} from '../../util/escape.js'
import {AuditLog, type AuditTailStore} from './audit.js'
import type {AuditRecord} from '../kernel/events.js'
import {osEndpoints} from './os-endpoints.js'
import type {AppPolicy, DeviceCapability, ManufacturingState} from './policy.js'

/** Who asks: an app process, or the host side of the device (REST API, app manager). */
export type Subject = {kind: 'app'; componentId: string; pid: number} | {kind: 'host'; name: string}

/** Every operation the LSM rules on, with its object. */
export type Operation =
  | {op: 'gpio.open'; gpio: number}
  | {op: 'uart.open' | 'i2c.open' | 'spi.open'; isu: string}
  | {op: 'pwm.open' | 'adc.open'; controller: string}
  | {op: 'storage.open' | 'storage.delete'; owner: string}
  | {op: 'storage.package-file'; path: string}
  /** An app opens a flow to `host:port` (TCP connect, UDP connect, a datagram to a new destination). */
  | {op: 'net.connect'; host: string; port: number}
  /**
   * An app asks the device's resolver about `name` (getaddrinfo / gethostbyname, or a DNS message to
   * 127.0.0.1:53): allowed for names in AllowedConnections and names discovered through a DNS-SD service type
   * listed there (its instances and their hosts), so a lookup never reveals (nor leaks) an unlisted name.
   */
  | {op: 'dns.query'; name: string}
  /** An app binds a port (any port, 0 included) or listens on one. */
  | {op: 'net.listen'; protocol: 'tcp' | 'udp'; port: number}
  /**
   * A datagram or connection from `from` ("ip:port") arrives at the app's socket bound to device port `port`
   * (0: an ephemeral port). `flow` is 'outbound' when the socket itself opened a flow to exactly `from`.
   */
  | {op: 'net.inbound'; protocol: 'tcp' | 'udp'; port: number; from: string; flow: 'none' | 'outbound'}
  /** A datagram the app sends from its UDP server port `port` back to `to`, a client that reached it. */
  | {op: 'net.reply'; protocol: 'udp'; port: number; to: string}
  /** A host resource of the app (host sockets, socket buffers, inter-app queues) at its limit (see `deny`). */
  | {op: 'resource.limit'; resource: string; limit: number}
  | {op: 'app.connect'; componentId: string}
  | {op: 'process.signal'; pid: number; owner: string; signo: number}
  | {op: 'process.debug'; componentId: string}
  | {op: 'time.set'}
  | {op: 'power.control'; action: string}
  /**
   * Install an image package (the install policy): `source` is the door it came through (a local sideload,
   * PUT /update/stage + POST /update/install, or an over-the-air delivery, POST /sphere/updates), `keyClass`
   * what the key it verified against is trusted for. Ruled on with the device capabilities and the
   * manufacturing state; see `decideInstall`.
   */
  | {op: 'image.install'; source: InstallSource; keyClass: SigningKeyClass; componentId: string}
  /** A boolean manifest capability (e.g. NetworkConfig); any one of a list allows. */
  | {op: 'capability'; capability: string | readonly string[]; action: string}
  /** A call outside what the OS implements (fork, execve, ptrace, path_symlink...): always denied. */
  | {op: 'syscall'; name: string}
  /** A write to the app's own mutable storage; only its refusal at the quota is recorded (see `deny`). */
  | {op: 'storage.write'; owner: string; quotaBytes: number}
  /** A growth of the app's memory; only its refusal (the RAM budget) is recorded (see `deny`). */
  | {op: 'memory.grow'; pages: number}

/**
 * Manifest capability keys the LSM rules on, so their use is recorded (`usedCapabilities`). A declared key
 * outside this list cannot be observed: the least-privilege advisor reports it as untracked, never unused.
 */
export const MONITORED_CAPABILITIES: readonly string[] = [
  'Gpio',
  'Uart',
  'I2cMaster',
  'SpiMaster',
  'Pwm',
  'Adc',
  'AllowedConnections',
  'AllowedTcpServerPorts',
  'AllowedUdpServerPorts',
  'AllowedApplicationConnections',
  'MutableStorage',
  'PowerControls',
  'SystemTime',
  // boolean capabilities checked with {op: 'capability'}
  'NetworkConfig',
  'SntpService',
  'DhcpService',
  'HardwareAddressConfig',
  'TimeSyncConfig',
  'ReadNetworkProxyConfig',
]

/** The door an image package comes through. */
export type InstallSource = 'sideload' | 'ota'

export interface Decision {
  allowed: boolean
  reason: string
  /** The errno an app sees when denied (EACCES for resources, EPERM for privileged operations). */
  errno: number
}

/**
 * The Linux-security-module of the simulated OS. One `check(subject, operation)` guards every peripheral
 * open, storage access, network connect/listen, inter-app connection, process operation and system
 * setting. Every decision is recorded in the audit log (and reported to listeners, e.g. the event bus).
 */
export class Lsm {
  private readonly policies = new Map<string, AppPolicy>()
  private deviceCaps = new Set<DeviceCapability>()
  private manufacturing: ManufacturingState = 'Blank'
  /** The audit log, with per-subject quotas and a persisted tail of denials (audit.ts). */
  private readonly audit = new AuditLog()
  private decisions = 0
  private readonly used = new Map<string, Set<string>>()
  private readonly listeners = new Set<(r: AuditRecord) => void>()
  private readonly useListeners = new Set<(componentId: string, used: string[]) => void>()
  /** Host name -> device-visible IPv4 addresses (AllowedConnections names are allowed by what they resolve to). */
  private resolve: (name: string) => string | readonly string[] | undefined = () => undefined
  /** A DNS-SD service type -> the names discovered through it (instances, their target hosts). */
  private discovered: (service: string) => readonly string[] = () => []
  private readonly now: () => number

  constructor(now: () => number = () => 0) {
    this.now = now
  }

  setPolicy(p: AppPolicy): void {
    this.policies.set(p.componentId, p)
  }

  removePolicy(componentId: string): void {
    this.policies.delete(componentId)
    this.used.delete(componentId)
  }

  policy(componentId: string): AppPolicy | undefined {
    return this.policies.get(componentId)
  }

  setDeviceCapabilities(caps: Iterable<DeviceCapability>): void {
    this.deviceCaps = new Set(caps)
  }

  deviceCapabilities(): DeviceCapability[] {
    return [...this.deviceCaps]
  }

  /** The manufacturing state the install policy rules with (device.json; DeviceComplete locks the device). */
  setManufacturingState(s: ManufacturingState): void {
    this.manufacturing = s
  }

  onAudit(fn: (r: AuditRecord) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Decisions recorded since boot (the log keeps at most 10,000 records, repeated denials coalesced). */
  get auditCount(): number {
    return this.decisions
  }

  /**
   * The audit log, most recent last: at most 10,000 records (when full, the subject holding the most loses
   * its oldest), the first denial of each kind per subject always kept, and the denials persisted from
   * earlier boots (`previousBoot`).
   */
  auditLog(filter: {componentId?: string; deniedOnly?: boolean} = {}): AuditRecord[] {
    return this.audit.list({
      subject: filter.componentId === undefined ? undefined : `app:${filter.componentId}`,
      deniedOnly: filter.deniedOnly,
    })
  }

  /** Keep the tail of denials in `store` (restored now, written as it changes): a restart loses no denial. */
  attachAuditStore(store: AuditTailStore): void {
    this.audit.attach(store)
  }

  /** Write the persisted tail of denials if it changed (the device calls it periodically and at shutdown). */
  flushAudit(): void {
    this.audit.flush()
  }

  /** Capabilities an app actually used (allowed checks), e.g. `Gpio:8`, `MutableStorage`. */
  usedCapabilities(componentId: string): string[] {
    return [...(this.used.get(componentId) ?? [])].sort()
  }

  /** Called with the whole used set whenever an app uses a capability for the first time (to persist it). */
  onFirstUse(fn: (componentId: string, used: string[]) => void): () => void {
    this.useListeners.add(fn)
    return () => this.useListeners.delete(fn)
  }

  /** Restore a used-capabilities record (after a restart); replaces what is recorded for the app. */
  restoreUsed(componentId: string, caps: readonly string[]): void {
    if (caps.length === 0) this.used.delete(componentId)
    else this.used.set(componentId, new Set(caps))
  }

  /**
   * How AllowedConnections host names resolve (the device's hosts map, DNS-SD records, what the host resolver
   * answered an allowed lookup), and which names a listed DNS-SD service type discovered. IP literals need no
   * resolving.
   */
  setHostResolver(
    fn: (name: string) => string | readonly string[] | undefined,
    discovered: (service: string) => readonly string[] = () => [],
  ): void {
    this.resolve = fn
    this.discovered = discovered
  }

  private addresses(name: string): readonly string[] {
    const r = this.resolve(name)
    return r === undefined ? [] : typeof r === 'string' ? [r] : r
  }

  check(subject: Subject, operation: Operation): Decision {
    const d = subject.kind === 'app' ? this.decideApp(subject, operation) : this.decideHost(operation)
    this.record(subject, operation, d)
    return d
  }

  /**
   * Record a denial the kernel decided itself (a resource limit such as the storage quota), so every refusal
   * an app meets is in the audit log, not only the policy decisions.
   */
  deny(subject: Subject, operation: Operation, reason: string, errno: number): Decision {
    const d = deny(reason, errno)
    this.record(subject, operation, d)
    return d
  }

  private decideHost(o: Operation): Decision {
    switch (o.op) {
      case 'process.debug':
        return this.deviceCaps.has('appDevelopment')
          ? allow('device has appDevelopment')
          : deny('debugging needs the appDevelopment device capability', Errno.EPERM)
      case 'image.install':
        return this.decideInstall(o)
      default:
        return allow('host operation')
    }
  }

  /**
   * The install policy, for both doors. Development mode is the appDevelopment capability on a device that
   * is not DeviceComplete (a finished product ignores it); a fieldServicing session unlocks local commands.
   * - sideload: allowed in development mode or with fieldServicing, whatever key (the signature was checked
   *   against the trust store already); refused otherwise, naming DeviceComplete when that is the reason.
   * - ota: a cloud-signed image is allowed in any state (cloud deployments are how a finished product is
   *   updated); a development-signed one (development key, SDK test key) only in development mode. A
   *   fieldServicing session is a local servicing permission, not a way to take development images over
   *   the air.
   */
  private decideInstall(o: Extract<Operation, {op: 'image.install'}>): Decision {
    const complete = this.manufacturing === 'DeviceComplete'
    const devMode = this.deviceCaps.has('appDevelopment') && !complete
    const devSigned = o.keyClass !== 'cloud'
    if (o.source === 'sideload') {
      if (devMode) return allow('sideload: the device has appDevelopment')
      if (this.deviceCaps.has('fieldServicing')) return allow('sideload: a fieldServicing capability is applied')
      return deny(
        complete
          ? 'the device is DeviceComplete: sideloading needs a fieldServicing capability'
          : 'sideloading needs the appDevelopment (or fieldServicing) device capability',
        Errno.EPERM,
      )
    }
    if (!devSigned) return allow('update signed with a key the device trusts for cloud deployments')
    if (devMode) return allow(`a ${o.keyClass}-signed update: the device has appDevelopment`)
    return deny(
      complete
        ? `the device is DeviceComplete: an over-the-air update must be signed for cloud deployment, not with the ${o.keyClass} key`
        : `a ${o.keyClass}-signed update needs the appDevelopment device capability; over the air the device accepts only images signed for cloud deployment`,
      Errno.EPERM,
    )
  }

  private decideApp(s: {componentId: string; pid: number}, o: Operation): Decision {
    const p = this.policies.get(s.componentId)
    if (!p) return deny('no policy for this component', Errno.EACCES)
    const has = (set: ReadonlySet<string | number>, v: string | number, cap: string, what: string): Decision =>
      set.has(v)
        ? this.use(s.componentId, `${cap}:${v}`, `${what} is in Capabilities.${cap}`)
        : deny(`${what} is not in Capabilities.${cap}`, Errno.EACCES)
    switch (o.op) {
      case 'gpio.open':
        return has(p.gpio, o.gpio, 'Gpio', `GPIO ${o.gpio}`)
      case 'uart.open':
        return has(p.uart, o.isu, 'Uart', o.isu)
      case 'i2c.open':
        return has(p.i2cMaster, o.isu, 'I2cMaster', o.isu)
      case 'spi.open':
        return has(p.spiMaster, o.isu, 'SpiMaster', o.isu)
      case 'pwm.open':
        return has(p.pwm, o.controller, 'Pwm', o.controller)
      case 'adc.open':
        return has(p.adc, o.controller, 'Adc', o.controller)
      case 'storage.open':
      case 'storage.delete':
        if (o.owner !== s.componentId) return deny(`mutable storage of ${o.owner} belongs to another app`, Errno.EACCES)
        if (p.mutableStorageBytes === undefined) return deny('no MutableStorage capability', Errno.EACCES)
        return this.use(s.componentId, 'MutableStorage', 'own mutable storage with MutableStorage capability')
      case 'storage.package-file':
        if (
          o.path.length === 0 ||
          o.path.startsWith('/') ||
          o.path.startsWith('.') ||
          o.path.split('/').includes('..')
        ) {
          return deny(`path ${JSON.stringify(o.path)} escapes the image package`, Errno.EINVAL)
        }
        return allow('read-only file of the app image package')
      case 'net.connect': {
        const svc = osEndpoints.find(o.host, o.port)
        if (svc)
          return deny(
            `${o.host}:${o.port} is the device's ${svc.name}: the OS's own service ports are out of every app's reach`,
            Errno.EACCES,
          )
        return (
          this.connectionGrant(s.componentId, p, o.host) ??
          deny(`${o.host.toLowerCase()} is not in Capabilities.AllowedConnections`, Errno.EACCES)
        )
      }
      case 'dns.query': {
        const name = o.name.toLowerCase().replace(/\.$/, '')
        if (p.allowedConnections.has(name))
          return this.use(s.componentId, `AllowedConnections:${name}`, `${name} is in Capabilities.AllowedConnections`)
        const via = [...p.allowedConnections].find((n) => this.discovered(n).includes(name))
        if (via)
          return this.use(s.componentId, `AllowedConnections:${via}`, `${name} was discovered through ${via}, which is in Capabilities.AllowedConnections`)
        return deny(`${name} is not in Capabilities.AllowedConnections: the resolver answers only names the app may reach`, Errno.EACCES)
      }
      case 'net.listen': {
        if (o.port === 0) {
          // an ephemeral port: no manifest lists it, so nothing unsolicited ever reaches it (see net.inbound)
          if (o.protocol === 'udp' && p.allowedConnections.size > 0)
            return allow('an ephemeral UDP port: it receives only replies within flows the app opens')
          return deny(
            o.protocol === 'tcp'
              ? 'TCP port 0 (any free port) is not in Capabilities.AllowedTcpServerPorts'
              : 'UDP port 0 (any free port) serves only flows to AllowedConnections hosts, and the app has none',
            Errno.EACCES,
          )
        }
        return o.protocol === 'tcp'
          ? has(p.tcpServerPorts, o.port, 'AllowedTcpServerPorts', `TCP port ${o.port}`)
          : has(p.udpServerPorts, o.port, 'AllowedUdpServerPorts', `UDP port ${o.port}`)
      }
      case 'net.inbound': {
        const [ports, cap, proto] =
          o.protocol === 'tcp'
            ? [p.tcpServerPorts, 'AllowedTcpServerPorts', 'TCP']
            : [p.udpServerPorts, 'AllowedUdpServerPorts', 'UDP']
        if (o.port !== 0 && ports.has(o.port))
          return this.use(s.componentId, `${cap}:${o.port}`, `${proto} port ${o.port} is in Capabilities.${cap}`)
        if (o.flow === 'outbound') {
          const host = o.from.slice(0, o.from.lastIndexOf(':'))
          const grant = this.connectionGrant(s.componentId, p, host)
          if (grant?.allowed) return allow(`a reply within a flow the app opened to ${o.from}`)
        }
        return deny(
          `${o.from} -> ${proto} port ${o.port}: the port is not in Capabilities.${cap} and the app opened no flow to ${o.from}`,
          Errno.EACCES,
        )
      }
      case 'net.reply':
        return o.port !== 0 && p.udpServerPorts.has(o.port)
          ? allow(`a reply from UDP port ${o.port} (in Capabilities.AllowedUdpServerPorts) to ${o.to}, which reached it`)
          : deny(`UDP port ${o.port} is not in Capabilities.AllowedUdpServerPorts: no reply to ${o.to}`, Errno.EACCES)
      case 'resource.limit':
        return deny(`${o.resource} is at its limit (${o.limit})`, Errno.ENOBUFS)
      case 'app.connect':
        return has(p.appConnections, o.componentId.toLowerCase(), 'AllowedApplicationConnections', o.componentId)
      case 'process.signal':
        return o.owner === s.componentId && o.pid === s.pid
          ? allow('a process may signal itself')
          : deny(`pid ${o.pid} is not this process`, Errno.EPERM)
      case 'process.debug':
        return deny('apps cannot debug other processes', Errno.EPERM)
      case 'time.set':
        return p.systemTime
          ? this.use(s.componentId, 'SystemTime', 'Capabilities.SystemTime is true')
          : deny('no SystemTime capability', Errno.EPERM)
      case 'power.control':
        return p.powerControls.has(o.action)
          ? this.use(s.componentId, `PowerControls:${o.action}`, `${o.action} is in Capabilities.PowerControls`)
          : deny(`${o.action} is not in Capabilities.PowerControls`, Errno.EPERM)
      case 'image.install':
        return deny('apps cannot install images', Errno.EPERM)
      case 'syscall':
        return deny(`${o.name} is not a call this OS provides`, Errno.ENOSYS)
      case 'memory.grow':
        return allow('within the RAM budget')
      case 'storage.write':
        return o.owner === s.componentId && p.mutableStorageBytes !== undefined
          ? allow('own mutable storage')
          : deny(`mutable storage of ${o.owner} is not this app's`, Errno.EACCES)
      case 'capability': {
        const caps = typeof o.capability === 'string' ? [o.capability] : o.capability
        const have = caps.find((k) => p.flags.has(k))
        return have
          ? this.use(s.componentId, have, `Capabilities.${have} is true`)
          : deny(`no ${caps.join(' or ')} capability`, Errno.EACCES)
      }
    }
  }

  /** AllowedConnections' grant of `host` (an IPv4 literal, or a name the device's host map resolves), if any. */
  private connectionGrant(componentId: string, p: AppPolicy, hostIn: string): Decision | undefined {
    const host = hostIn.toLowerCase()
    if (p.allowedConnections.has(host))
      return this.use(componentId, `AllowedConnections:${host}`, `${host} is in Capabilities.AllowedConnections`)
    // names allow the address they resolve to (with several, each is credited: the app may have meant any)
    const names = [...p.allowedConnections].filter((n) => this.addresses(n).includes(host))
    if (names.length === 0) return undefined
    for (const n of names.slice(1)) this.use(componentId, `AllowedConnections:${n}`, '')
    return this.use(
      componentId,
      `AllowedConnections:${names[0]}`,
      `${host} is ${names.join(', ')} in Capabilities.AllowedConnections`,
    )
  }

  private use(componentId: string, cap: string, reason: string): Decision {
    let set = this.used.get(componentId)
    if (!set) this.used.set(componentId, (set = new Set()))
    if (!set.has(cap)) {
      set.add(cap)
      const all = [...set].sort()
      for (const fn of this.useListeners) fn(componentId, all)
    }
    return allow(reason)
  }

  private record(s: Subject, o: Operation, d: Decision): void {
    const {op, ...obj} = o
    this.decisions++
    const r: AuditRecord = {
      seq: 0,
      t: this.now(),
      subject: s.kind === 'app' ? `app:${s.componentId}` : `host:${s.name}`,
      pid: s.kind === 'app' ? s.pid : undefined,
      operation: op,
      object: describeObject(obj),
      allowed: d.allowed,
      reason: escapeControl(d.reason),
      errno: d.allowed ? undefined : d.errno,
    }
    if (r.pid === undefined) delete r.pid
    if (r.errno === undefined) delete r.errno
    const stored = this.audit.add(r)
    for (const fn of this.listeners) fn(stored)
  }
}

function allow(reason: string): Decision {
  return {allowed: true, reason, errno: 0}
}
function deny(reason: string, errno: number): Decision {
  return {allowed: false, reason, errno}
}

/** The audit object text: `key=value` pairs, control characters escaped (app strings stay on one line). */
export function describeObject(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}=${escapeControl(String(v))}`)
    .join(' ')
}
