/** Wi-Fi endpoints (device REST API §8-§9): stored networks, interface, scan, diagnostics. */
import {route} from './spec.js'

export type WifiSecurity = 'open' | 'psk' | 'eaptls'
export type WifiConfigState = 'enabled' | 'disabled' | 'unknown' | 'temp-disabled'

export interface WifiNetwork {
  id: number
  ssid: string
  configState: WifiConfigState
  connectionState: string
  securityState: WifiSecurity
  targetedScan: boolean
  configName?: string
  clientCertStoreIdentifier?: string
}

export interface WifiScanResult {
  bssid: string
  freq: number
  signal_level: number
  ssid: string
  securityState: WifiSecurity
}

/** POST wifi/config/networks. The request says `targetScan`; the network view answers `targetedScan`. */
export interface AddWifiNetworkRequest {
  ssid: string
  securityState: WifiSecurity
  psk?: string
  configState?: WifiConfigState
  /** Sent only when true. */
  targetScan?: boolean
  configName?: string
  clientCertStoreIdentifier?: string
  clientIdentity?: string
  rootCaCertStoreIdentifier?: string
}

export const networks = route<undefined, {values: WifiNetwork[]}>()({
  name: 'wifi.networks',
  method: 'GET',
  path: '/wifi/config/networks',
  errors: ['wifiDisabled'],
  summary: 'Stored Wi-Fi networks',
})
export const addNetwork = route<AddWifiNetworkRequest, WifiNetwork>()({
  name: 'wifi.add',
  method: 'POST',
  path: '/wifi/config/networks',
  request: 'json',
  errors: ['pskTooShort', 'networkExists', 'noSpace'],
  summary: 'Store a Wi-Fi network',
})
export const network = route<undefined, WifiNetwork>()({
  name: 'wifi.network',
  method: 'GET',
  path: '/wifi/config/networks/{networkId}',
  errors: ['networkNotFound'],
  summary: 'One stored network',
})
export const updateNetwork = route<{configState?: WifiConfigState; psk?: string}, WifiNetwork>()({
  name: 'wifi.update',
  method: 'PATCH',
  path: '/wifi/config/networks/{networkId}',
  request: 'json',
  errors: ['networkNotFound', 'pskTooShort'],
  summary: 'Change a stored network (e.g. configState enabled / disabled)',
})
export const deleteNetwork = route()({
  name: 'wifi.delete',
  method: 'DELETE',
  path: '/wifi/config/networks/{networkId}',
  errors: ['networkNotFound', 'wifiDisabled'],
  summary: 'Forget a stored network',
})
export const wifiInterface = route<undefined, Record<string, unknown>>()({
  name: 'wifi.interface',
  method: 'GET',
  path: '/wifi/interface',
  summary: 'The Wi-Fi interface state',
})
export const setWifiInterface = route<{reloadConfig?: boolean}>()({
  name: 'wifi.setInterface',
  method: 'PATCH',
  path: '/wifi/interface',
  request: 'json',
  summary: 'Reload the Wi-Fi configuration',
})
export const scan = route<undefined, {values: WifiScanResult[]}>()({
  name: 'wifi.scan',
  method: 'GET',
  path: '/wifi/scan',
  errors: ['wifiDisabled'],
  summary: 'Access points in range',
})
/** One failed connection attempt (GET wifi/diagnostics/networks). */
export interface WifiDiagnostic {
  /** When the attempt was made (ISO 8601, device clock). */
  timestamp: string
  networkId: number
  ssid: string
  /** WifiConfig_NetworkDiagnostics error name: NetworkNotFound, WrongKey, SecurityTypeMismatch, ... */
  error: string
  /** Its WifiConfig_NetworkDiagnostics error number. */
  errorCode: number
  configState: string
  connectionState: string
}

export const diagnostics = route<undefined, {values: WifiDiagnostic[]}>()({
  name: 'wifi.diagnostics',
  method: 'GET',
  path: '/wifi/diagnostics/networks',
  errors: ['wifiDisabled'],
  summary: 'Failed connection attempts, every network',
})
export const networkDiagnostics = route<undefined, WifiDiagnostic>()({
  name: 'wifi.networkDiagnostics',
  method: 'GET',
  path: '/wifi/diagnostics/networks/{networkId}',
  errors: ['networkNotFound', 'wifiDisabled'],
  summary: 'Failed connection attempts for one network',
})
