/**
 * The device REST API as route specs, one file per resource. `ROUTES` is every endpoint the device
 * serves; the server must register exactly these (checked at start-up and by test/os/rest/routes.test.ts).
 */
import * as apps from './apps.js'
import * as certstore from './certstore.js'
import * as device from './device.js'
import * as images from './images.js'
import * as network from './network.js'
import * as replay from './replay.js'
import * as sphere from './sphere.js'
import type {AnyRoute} from './spec.js'
import * as wifi from './wifi.js'

export {apps, certstore, device, images, network, replay, sphere, wifi}
export * from './spec.js'
export type {CertDetails, AddCertRequest} from './certstore.js'
export type {NetInterface, ProxyConfig, FirewallRule, FirewallRuleset} from './network.js'
export {hardwareAddressProblem} from './network.js'
export type {WifiDiagnostic, WifiNetwork, WifiScanResult, AddWifiNetworkRequest, WifiSecurity, WifiConfigState} from './wifi.js'
export type {RecoverResult, SphereCapabilities} from './sphere.js'
export type {ClockAdvanceResponse, RecordingStatus, SnapshotInfo} from './replay.js'

/** Every route, by resource. */
export const API = {device, apps, images, certstore, network, wifi, sphere, replay} as const

function isRoute(v: unknown): v is AnyRoute {
  return typeof v === 'object' && v !== null && typeof (v as AnyRoute).path === 'string' && typeof (v as AnyRoute).method === 'string'
}

/** Every route the device serves. */
export const ROUTES: readonly AnyRoute[] = Object.values(API).flatMap((mod) => Object.values(mod).filter(isRoute))
