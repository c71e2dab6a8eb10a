/**
 * Simulated Wi-Fi configuration: stored networks (lowest free ID first), the interface status and a scan
 * of simulated access points. Networks persist in `<stateDir>/wifi.json`; whether `wlan0` is up comes from
 * NetConfig. Views follow the device API exactly: never `psk`, `configName` and `clientCertStoreIdentifier`
 * only when set.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'

import type {WifiConfigState, WifiNetwork, WifiScanResult, WifiSecurity} from '../../protocol/api/wifi.js'

/** The wire shapes of the device API's Wi-Fi resource (src/protocol/api/wifi.ts), as the OS serves them. */
export type {WifiConfigState, WifiSecurity}

export interface StoredNetwork {
  id: number
  ssid: string
  securityState: WifiSecurity
  configState: WifiConfigState
  targetedScan: boolean
  psk?: string
  configName?: string
  clientCertStoreIdentifier?: string
  clientIdentity?: string
  rootCaCertStoreIdentifier?: string
}

/** The network view of the device API. */
export type WifiNetworkView = WifiNetwork
export type ScanResult = WifiScanResult

/** Access points the simulated radio "sees". */
export const SIMULATED_ACCESS_POINTS: readonly ScanResult[] = [
  {bssid: '02:53:50:00:00:01', freq: 2437, signal_level: -48, ssid: 'SphereSim-PSK', securityState: 'psk'},
  {bssid: '02:53:50:00:00:02', freq: 5220, signal_level: -61, ssid: 'SphereSim-Open', securityState: 'open'},
  {bssid: '02:53:50:00:00:03', freq: 2462, signal_level: -70, ssid: 'SphereSim-Enterprise', securityState: 'eaptls'},
]

/** Networks the device stores (POST wifi/config/networks answers noSpace beyond; apps get ENOMEM / ENOSPC). */
export const MAX_WIFI_NETWORKS = 37
export const PSK_MIN = 8

export type WifiErrorCode =
  'WIFI_NETWORK_NOT_FOUND' | 'WIFI_PSK_TOO_SHORT' | 'WIFI_NETWORK_EXISTS' | 'WIFI_INVALID' | 'WIFI_FULL'

const CONFIG_STATES: readonly string[] = ['enabled', 'disabled', 'unknown', 'temp-disabled']

export function networkView(n: StoredNetwork, connectionState: string): WifiNetworkView {
  const v: WifiNetworkView = {
    id: n.id,
    ssid: n.ssid,
    configState: n.configState,
    connectionState,
    securityState: n.securityState,
    targetedScan: n.targetedScan,
  }
  if (n.configName) v.configName = n.configName
  if (n.clientCertStoreIdentifier) v.clientCertStoreIdentifier = n.clientCertStoreIdentifier
  return v
}

export class WifiConfig {
  private networks: StoredNetwork[] = []
  private readonly file: string | undefined

  private constructor(file: string | undefined) {
    this.file = file
  }

  static open(stateDir: string | undefined): WifiConfig {
    const w = new WifiConfig(stateDir === undefined ? undefined : join(stateDir, 'wifi.json'))
    if (w.file && existsSync(w.file)) {
      try {
        const data = JSON.parse(readFileSync(w.file, 'utf8')) as {networks?: StoredNetwork[]}
        if (Array.isArray(data.networks))
          w.networks = data.networks
            .filter((n) => Number.isInteger(n?.id) && typeof n.ssid === 'string')
            .slice(0, MAX_WIFI_NETWORKS)
            .sort((a, b) => a.id - b.id)
      } catch {
        w.networks = []
      }
    }
    return w
  }

  /** Views in ID order (the stored list is kept sorted), each `disconnected`. */
  list(): WifiNetworkView[] {
    return this.networks.map((n) => networkView(n, 'disconnected'))
  }

  get(id: number): WifiNetworkView | undefined {
    const n = this.networks.find((x) => x.id === id)
    return n ? networkView(n, 'disconnected') : undefined
  }

  /** Add a network (lowest free ID). Returns the view with `connectionState: "unknown"`. */
  add(body: unknown): WifiNetworkView {
    const o = body as Record<string, unknown>
    const bad = (what: string): never => {
      throw new SphereError('WIFI_INVALID', `Invalid Wi-Fi network: ${what}.`)
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) bad('expected a JSON object')
    if (typeof o.ssid !== 'string' || o.ssid.length === 0 || Buffer.byteLength(o.ssid) > 32)
      bad('ssid must be 1-32 bytes')
    if (o.securityState !== 'open' && o.securityState !== 'psk' && o.securityState !== 'eaptls')
      bad("securityState must be 'open', 'psk' or 'eaptls'")
    const configState = o.configState ?? 'enabled'
    if (configState !== 'enabled' && configState !== 'disabled') bad("configState must be 'enabled' or 'disabled'")
    const n: StoredNetwork = {
      id: 0,
      ssid: o.ssid as string,
      securityState: o.securityState as WifiSecurity,
      configState: configState as WifiConfigState,
      targetedScan: o.targetScan === true,
    }
    if (n.securityState === 'psk') {
      if (typeof o.psk !== 'string') bad('a psk network needs psk')
      if ((o.psk as string).length < PSK_MIN) throw new SphereError('WIFI_PSK_TOO_SHORT', 'PSK is too short.')
      if ((o.psk as string).length > 64) bad('psk must be at most 64 characters')
      n.psk = o.psk as string
    }
    if (n.securityState === 'eaptls') {
      if (typeof o.clientCertStoreIdentifier !== 'string' || o.clientCertStoreIdentifier === '')
        bad('an eaptls network needs clientCertStoreIdentifier')
    }
    for (const k of [
      'configName',
      'clientCertStoreIdentifier',
      'clientIdentity',
      'rootCaCertStoreIdentifier',
    ] as const) {
      const v = o[k]
      if (v === undefined || v === null) continue
      if (typeof v !== 'string') bad(`${k} must be a string`)
      if (v !== '') n[k] = v as string
    }
    if (n.configName && this.networks.some((x) => x.configName === n.configName))
      throw new SphereError('WIFI_NETWORK_EXISTS', 'Network already exists')
    if (this.networks.length >= MAX_WIFI_NETWORKS)
      throw new SphereError('WIFI_FULL', 'No room for another Wi-Fi network.')
    const used = new Set(this.networks.map((x) => x.id))
    while (used.has(n.id)) n.id++
    this.commit([...this.networks, n])
    return networkView(n, 'unknown')
  }

  /** PATCH: the PSK length is checked before the ID lookup. */
  update(id: number, body: unknown): WifiNetworkView {
    const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>
    if (o.psk !== undefined) {
      if (typeof o.psk !== 'string') throw new SphereError('WIFI_INVALID', 'psk must be a string.')
      if (o.psk.length < PSK_MIN) throw new SphereError('WIFI_PSK_TOO_SHORT', 'PSK is too short.')
    }
    const cur = this.networks.find((x) => x.id === id)
    if (!cur) throw new SphereError('WIFI_NETWORK_NOT_FOUND', 'Network not found')
    if (o.configState !== undefined && (typeof o.configState !== 'string' || !CONFIG_STATES.includes(o.configState))) {
      throw new SphereError('WIFI_INVALID', "configState must be 'unknown', 'enabled', 'disabled' or 'temp-disabled'.")
    }
    const next: StoredNetwork = {...cur}
    if (typeof o.configState === 'string') next.configState = o.configState as WifiConfigState
    if (typeof o.psk === 'string' && cur.securityState === 'psk') next.psk = o.psk
    this.commit(this.networks.map((x) => (x.id === id ? next : x)))
    return networkView(next, 'disconnected')
  }

  remove(id: number): boolean {
    if (!this.networks.some((x) => x.id === id)) return false
    this.commit(this.networks.filter((x) => x.id !== id))
    return true
  }

  /** The stored networks with their secrets (for the OS's own connection attempts; never served). */
  stored(): StoredNetwork[] {
    return this.networks.map((n) => ({...n}))
  }

  scan(): ScanResult[] {
    return SIMULATED_ACCESS_POINTS.map((a) => ({...a}))
  }

  /** GET wifi/interface: ordinary Wi-Fi status keys only (no JSON-Schema keyword names at the top level). */
  interfaceStatus(hardwareAddress: string, up: boolean): Record<string, unknown> {
    return {
      configState: up ? 'enabled' : 'disabled',
      connectionState: 'disconnected',
      securityState: 'unknown',
      mode: 'station',
      key_mgmt: 'NONE',
      wpa_state: up ? 'DISCONNECTED' : 'INTERFACE_DISABLED',
      address: hardwareAddress,
      id: -1,
    }
  }

  private commit(next: StoredNetwork[]): void {
    next.sort((a, b) => a.id - b.id)
    if (this.file) writeFileAtomic(this.file, JSON.stringify({networks: next}), {mode: 0o600})
    this.networks = next
  }
}
