/**
 * Wi-Fi diagnostics (GET wifi/diagnostics/networks, `device network show-diagnostics`): the last failed
 * connection attempt of each stored network, derived from the simulated radio.
 *
 * The simulated device tries an enabled network when its SSID is on the air (SIMULATED_ACCESS_POINTS) or
 * when it is configured for a targeted scan (it probes for the SSID directly). A network it never tries has
 * no entry, as on a device that has recorded no failed attempt. Outcomes:
 *   - targeted scan, SSID not on the air      NetworkNotFound
 *   - on the air with another security type   SecurityTypeMismatch
 *   - psk whose key is not the access point's WrongKey
 *   - eaptls whose client certificate is not in the certificate store: AuthenticationFailed
 *   - otherwise the attempt succeeds and nothing is recorded.
 * The error numbers are WifiConfig_NetworkDiagnostics' (applibs wificonfig.h).
 */
import type {WifiDiagnostic as WireDiagnostic} from '../../protocol/api/wifi.js'
import {SIMULATED_ACCESS_POINTS, type StoredNetwork} from './wifi.js'

/** The pre-shared keys of the simulated access points (`device network show-diagnostics --help` names them). */
export const SIMULATED_ACCESS_POINT_KEYS: Readonly<Record<string, string>> = {'SphereSim-PSK': 'sphere-sim-psk'}

export const WIFI_DIAGNOSTIC_ERRORS = {
  ConnectionFailed: 1,
  NetworkNotFound: 2,
  NoPskIncluded: 3,
  WrongKey: 4,
  AuthenticationFailed: 5,
  SecurityTypeMismatch: 6,
} as const

export type WifiDiagnosticError = keyof typeof WIFI_DIAGNOSTIC_ERRORS

/** The wire shape (src/protocol/api/wifi.ts) with `error` narrowed to the names above. */
export type WifiDiagnostic = Omit<WireDiagnostic, 'error'> & {error: WifiDiagnosticError}

/** Why the device's last attempt to join `n` failed, or undefined when it did not try or did not fail. */
export function attemptFailure(n: StoredNetwork, hasCert: (id: string) => boolean): WifiDiagnosticError | undefined {
  if (n.configState !== 'enabled') return undefined
  const ap = SIMULATED_ACCESS_POINTS.find((a) => a.ssid === n.ssid)
  if (!ap) return n.targetedScan ? 'NetworkNotFound' : undefined
  if (ap.securityState !== n.securityState) return 'SecurityTypeMismatch'
  if (n.securityState === 'psk') {
    if (!n.psk) return 'NoPskIncluded'
    return n.psk === SIMULATED_ACCESS_POINT_KEYS[ap.ssid] ? undefined : 'WrongKey'
  }
  if (n.securityState === 'eaptls')
    return n.clientCertStoreIdentifier && hasCert(n.clientCertStoreIdentifier) ? undefined : 'AuthenticationFailed'
  return undefined
}

/** The diagnostics of every stored network that failed, in ID order, stamped `nowIso`. */
export function wifiDiagnostics(networks: readonly StoredNetwork[], hasCert: (id: string) => boolean, nowIso: string): WifiDiagnostic[] {
  const out: WifiDiagnostic[] = []
  for (const n of networks) {
    const error = attemptFailure(n, hasCert)
    if (!error) continue
    out.push({
      timestamp: nowIso,
      networkId: n.id,
      ssid: n.ssid,
      error,
      errorCode: WIFI_DIAGNOSTIC_ERRORS[error],
      configState: n.configState,
      connectionState: 'disconnected',
    })
  }
  return out
}
