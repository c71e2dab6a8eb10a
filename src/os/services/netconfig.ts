/**
 * Simulated network configuration: interfaces (`wlan0`, `eth0`, `azspheresvc`), the proxy, network status
 * and the firewall ruleset view. The proxy is persisted in `<stateDir>/netconfig.json`; interface up/down
 * is runtime state (every interface is up at boot, as on a real device).
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {hardwareAddressProblem, type FirewallRule, type FirewallRuleset, type NetInterface, type ProxyConfig} from '../../protocol/api/network.js'
import {OsError} from '../errors.js'

export const SERVICE_INTERFACE = 'azspheresvc'
export const WIFI_INTERFACE = 'wlan0'
export const SERVICE_IP = '192.168.35.2'
export const ETHERNET_INTERFACE = 'eth0'

/** The wire shapes of the device API's network resource (src/protocol/api/network.ts), as the OS serves them. */
export type {FirewallRule, FirewallRuleset, ProxyConfig} from '../../protocol/api/network.js'
export type InterfaceView = NetInterface

/** An app's outbound allowance, for the OUTPUT ruleset view. */
export interface AppNetworkAllowance {
  uid: number
  allowedHosts: string[]
  /** AllowedTcpServerPorts / AllowedUdpServerPorts: INPUT accept rules. */
  tcpServerPorts?: number[]
  udpServerPorts?: number[]
}

function mac(seed: string, prefix: number[]): string {
  const h = createHash('sha256').update(seed).digest()
  return [...prefix, h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, '0')).join(':')
}

export class NetConfig {
  private readonly file: string | undefined
  private readonly deviceSeed: string
  private up = new Map<string, boolean>([
    [WIFI_INTERFACE, true],
    ['eth0', true],
    [SERVICE_INTERFACE, true],
  ])
  private proxyConfig: ProxyConfig | undefined
  /** MAC addresses set with update-interface (Ethernet only), persisted; absent: the built-in address. */
  private hardwareAddresses = new Map<string, string>()
  private readonly listeners = new Set<() => void>()

  private constructor(file: string | undefined, deviceSeed: string) {
    this.file = file
    this.deviceSeed = deviceSeed
  }

  /** Open the persisted configuration under `stateDir` (undefined: in memory). `deviceSeed` makes MAC addresses stable. */
  static open(stateDir: string | undefined, deviceSeed = 'sphere-sim'): NetConfig {
    const n = new NetConfig(stateDir === undefined ? undefined : join(stateDir, 'netconfig.json'), deviceSeed)
    if (n.file && existsSync(n.file)) {
      try {
        const data = JSON.parse(readFileSync(n.file, 'utf8')) as {proxy?: ProxyConfig; hardwareAddresses?: Record<string, unknown>}
        if (data.proxy && typeof data.proxy === 'object') n.proxyConfig = data.proxy
        for (const [k, v] of Object.entries(data.hardwareAddresses ?? {}))
          if (k === ETHERNET_INTERFACE && typeof v === 'string' && hardwareAddressProblem(v) === undefined) n.hardwareAddresses.set(k, v)
      } catch {
        // unreadable: start without a proxy
      }
    }
    return n
  }

  /** Back to boot state: every interface up (the proxy is persistent configuration and stays). */
  reboot(): void {
    for (const k of this.up.keys()) this.up.set(k, true)
    this.changed()
  }

  /** Called after any change (the event stream uses it). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  interfaceNames(): string[] {
    return [...this.up.keys()]
  }

  isUp(name: string): boolean {
    return this.up.get(name) ?? false
  }

  get wifiUp(): boolean {
    return this.isUp(WIFI_INTERFACE)
  }

  /** The interface view, or undefined for an unknown name. `azspheresvc` has no hardwareAddress/ipAssignment. */
  iface(name: string): InterfaceView | undefined {
    if (!this.up.has(name)) return undefined
    const up = this.isUp(name)
    if (name === SERVICE_INTERFACE) {
      return {
        interfaceName: name,
        interfaceUp: true,
        connectedToNetwork: false,
        ipAcquired: false,
        connectedToInternet: false,
        ipAddresses: [SERVICE_IP],
      }
    }
    const hw =
      name === WIFI_INTERFACE
        ? mac(`${this.deviceSeed}/wlan0`, [0x00, 0x0c, 0x43])
        : (this.hardwareAddresses.get(name) ?? mac(`${this.deviceSeed}/eth0`, [0x02, 0x53, 0x50]))
    return {
      interfaceName: name,
      interfaceUp: up,
      connectedToNetwork: false,
      ipAcquired: false,
      connectedToInternet: false,
      ipAddresses: [],
      hardwareAddress: hw,
      ipAssignment: 'dynamic',
    }
  }

  interfaces(): InterfaceView[] {
    return this.interfaceNames().map((n) => this.iface(n)!)
  }

  /** Set an interface up or down; false when the name is unknown. The service interface cannot go down. */
  setUp(name: string, up: boolean): boolean {
    if (!this.up.has(name)) return false
    if (name === SERVICE_INTERFACE) return true
    if (this.up.get(name) !== up) {
      this.up.set(name, up)
      this.changed()
    }
    return true
  }

  /**
   * Set the MAC address of an Ethernet interface (`device network update-interface`). Wi-Fi and the service
   * interface keep theirs, as on a real device. Throws NET_BAD_INTERFACE / NET_BAD_HARDWARE_ADDRESS.
   */
  setHardwareAddress(name: string, address: unknown): void {
    if (name !== ETHERNET_INTERFACE)
      throw new OsError('NET_BAD_INTERFACE', `The hardware address of ${name} cannot be changed: only the Ethernet interface ${ETHERNET_INTERFACE} takes one.`)
    const problem = hardwareAddressProblem(address)
    if (problem !== undefined)
      throw new OsError('NET_BAD_HARDWARE_ADDRESS', `Invalid hardware address ${JSON.stringify(address).slice(0, 40)}: ${problem}.`)
    this.hardwareAddresses.set(name, (address as string).toLowerCase())
    this.persist()
    this.changed()
  }

  /** Device recovery erased the configuration: no proxy, built-in MAC addresses, every interface up. */
  factoryReset(): void {
    this.proxyConfig = undefined
    this.hardwareAddresses.clear()
    for (const k of this.up.keys()) this.up.set(k, true)
    this.persist()
    this.changed()
  }

  status(): {deviceAuthenticationIsReady: boolean; networkTimeSync: string; proxy: string} {
    return {
      deviceAuthenticationIsReady: false,
      networkTimeSync: 'incomplete',
      proxy: this.proxyConfig?.enabled ? 'enabled' : 'disabled',
    }
  }

  proxy(): ProxyConfig | undefined {
    return this.proxyConfig
      ? {...this.proxyConfig, noProxyAddresses: [...this.proxyConfig.noProxyAddresses]}
      : undefined
  }

  /** Validate and store a proxy configuration (replaces any earlier one). Throws PROXY_INVALID. */
  setProxy(body: unknown): ProxyConfig {
    const b = body as Record<string, unknown> | null
    const bad = (what: string): never => {
      throw new OsError('PROXY_INVALID', `Invalid proxy configuration: ${what}.`)
    }
    if (!b || typeof b !== 'object' || Array.isArray(b)) bad('expected a JSON object')
    const o = b as Record<string, unknown>
    if (typeof o.enabled !== 'boolean') bad('enabled must be a boolean')
    if (typeof o.address !== 'string' || o.address === '' || o.address.length > 255)
      bad('address must be a non-empty string')
    if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535)
      bad('port must be an integer 1-65535')
    const noProxy = o.noProxyAddresses ?? []
    if (!Array.isArray(noProxy) || noProxy.some((x) => typeof x !== 'string'))
      bad('noProxyAddresses must be an array of strings')
    if (o.authenticationType !== 'anonymous' && o.authenticationType !== 'basic')
      bad("authenticationType must be 'anonymous' or 'basic'")
    const cfg: ProxyConfig = {
      enabled: o.enabled as boolean,
      address: o.address as string,
      port: o.port as number,
      noProxyAddresses: [...(noProxy as string[])],
      authenticationType: o.authenticationType as 'anonymous' | 'basic',
    }
    if (cfg.authenticationType === 'basic') {
      if (typeof o.username !== 'string' || typeof o.password !== 'string')
        bad('basic authentication needs username and password')
      cfg.username = o.username as string
      cfg.password = o.password as string
    }
    // the same configuration again changes nothing: no write, no change event
    if (JSON.stringify(cfg) === JSON.stringify(this.proxyConfig)) return this.proxy()!
    this.proxyConfig = cfg
    this.persist()
    this.changed()
    return this.proxy()!
  }

  deleteProxy(): void {
    if (!this.proxyConfig) return
    this.proxyConfig = undefined
    this.persist()
    this.changed()
  }

  /**
   * The firewall view: the fixed device policy (service interface open, established traffic allowed,
   * everything else dropped) plus one OUTPUT accept rule per app allowance.
   */
  firewallRulesets(apps: readonly AppNetworkAllowance[] = []): FirewallRuleset[] {
    const any = {sourceIP: '0.0.0.0', sourceMask: '0.0.0.0', destinationIP: '0.0.0.0', destinationMask: '0.0.0.0'}
    const counters = {packets: 0, bytes: 0}
    const base = (extra: FirewallRule): FirewallRule => ({
      ...any,
      uid: 0,
      tcpMask: [],
      tcpCmp: [],
      tcpInv: false,
      protocol: 'any',
      ...extra,
      ...counters,
    })
    const output: FirewallRule[] = [
      base({action: 'accept', interfaceInName: '', interfaceOutName: 'lo', state: 'any'}),
      base({action: 'accept', interfaceInName: '', interfaceOutName: SERVICE_INTERFACE, state: 'any'}),
      base({action: 'accept', interfaceInName: '', interfaceOutName: '', state: 'established'}),
    ]
    for (const app of apps) {
      for (const host of app.allowedHosts) {
        output.push(
          base({
            action: 'accept',
            uid: app.uid,
            interfaceInName: '',
            interfaceOutName: '',
            state: 'new',
            protocol: 'tcp',
            destinationIP: host,
            destinationMask: '255.255.255.255',
            destinationPortRange: {min: 0, max: 65535},
            sourcePortRange: {min: 0, max: 65535},
          }),
        )
      }
    }
    output.push(base({action: 'drop', interfaceInName: '', interfaceOutName: '', state: 'any'}))
    const input: FirewallRule[] = [
      base({action: 'accept', interfaceInName: 'lo', interfaceOutName: '', state: 'any'}),
      base({
        action: 'accept',
        interfaceInName: SERVICE_INTERFACE,
        interfaceOutName: '',
        state: 'any',
        protocol: 'tcp',
        destinationPortRange: {min: 443, max: 443},
      }),
      base({action: 'accept', interfaceInName: '', interfaceOutName: '', state: 'established'}),
    ]
    for (const app of apps) {
      for (const [protocol, ports] of [
        ['tcp', app.tcpServerPorts ?? []],
        ['udp', app.udpServerPorts ?? []],
      ] as const) {
        for (const port of ports) {
          input.push(
            base({
              action: 'accept',
              uid: app.uid,
              interfaceInName: '',
              interfaceOutName: '',
              state: 'new',
              protocol,
              destinationPortRange: {min: port, max: port},
              sourcePortRange: {min: 0, max: 65535},
            }),
          )
        }
      }
    }
    input.push(base({action: 'drop', interfaceInName: '', interfaceOutName: '', state: 'any'}))
    return [
      {hook: 'PREROUTING', isValid: true, rules: []},
      {hook: 'INPUT', isValid: true, rules: input},
      {
        hook: 'FORWARD',
        isValid: true,
        rules: [base({action: 'drop', interfaceInName: '', interfaceOutName: '', state: 'any'})],
      },
      {hook: 'OUTPUT', isValid: true, rules: output},
      {hook: 'POSTROUTING', isValid: true, rules: []},
    ]
  }

  private persist(): void {
    if (this.file)
      writeFileAtomic(
        this.file,
        JSON.stringify({proxy: this.proxyConfig ?? null, hardwareAddresses: Object.fromEntries(this.hardwareAddresses)}),
        {mode: 0o600},
      )
  }

  private changed(): void {
    for (const fn of this.listeners) {
      try {
        fn()
      } catch {
        // listeners never break configuration changes
      }
    }
  }
}
