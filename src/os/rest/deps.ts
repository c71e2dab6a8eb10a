/** What the route handlers (routes/*.ts) are given: the backend, the services, the options, the event hub. */
import type {AnyRoute} from '../../protocol/api/index.js'
import type {SphereDeviceInfo} from '../../protocol/rest-api.js'
import type {RecordingStatus, RecoverResult, SnapshotInfo} from '../../protocol/api/index.js'
import type {CertStore} from '../services/certstore.js'
import {NetConfig} from '../services/netconfig.js'
import {SideloadSettings} from '../services/sideload-settings.js'
import {sharedDeviceStores} from '../services/system-services.js'
import {Telemetry} from '../services/telemetry.js'
import type {WifiConfig} from '../services/wifi.js'
import type {RestBackend} from './backend.js'
import type {RestError} from './errors.js'
import type {EventHub} from './events.js'

/** A request that may change the device, as a recording keeps it (src/os/replay). */
export interface RestInput {
  method: string
  /** Path and query, as sent. */
  url: string
  contentType?: string
  /** The request body (absent: none). */
  body?: Buffer
  /** The transport it came on. */
  transport?: string
}

/**
 * Where REST requests that may change the device enter it (record / replay). `enter` is called once the
 * body is read, before the handler runs; it resolves when the request may run (requests are applied one at
 * a time) with the function to call when it is done.
 */
export interface RestInputTap {
  enter(input: RestInput): Promise<() => void>
}

export const DEFAULT_MAX_IMAGE_BYTES = 8 * 1024 * 1024
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024

/** The state the REST API serves beyond what the Device models. */
export interface RestServices {
  certs: CertStore
  net: NetConfig
  wifi: WifiConfig
  telemetry: Telemetry
  sideload: SideloadSettings
}

/** Open the services persisted under `stateDir` (in memory when undefined). */
export function openRestServices(stateDir: string | undefined, deviceSeed?: string): RestServices {
  // the certificate store and Wi-Fi networks are shared with the device's apps (CertStore_* / WifiConfig_* calls)
  const stores = sharedDeviceStores(stateDir)
  return {
    certs: stores.certs,
    net: NetConfig.open(stateDir, deviceSeed),
    wifi: stores.wifi,
    telemetry: Telemetry.open(stateDir),
    sideload: SideloadSettings.open(stateDir),
  }
}

export interface RestServerOptions {
  /** Where the services keep their state (the device's state dir). Undefined: in memory. */
  stateDir?: string
  /** Use these services instead of opening them from stateDir. */
  services?: RestServices
  /** Largest accepted image upload (default 8 MiB). */
  maxImageBytes?: number
  /** Largest accepted JSON body (default 64 KiB). */
  maxJsonBytes?: number
  /** Reported in /sphere/device. */
  name?: string
  transport?: string
  /** Heartbeat period of /sphere/events (default 5000 ms). */
  heartbeatMs?: number
  /** Called with each device error a route answers with. */
  onRouteError?: (spec: AnyRoute, error: RestError) => void
  /** Record / replay: every request but a GET enters the device through this tap (router.ts). */
  inputs?: RestInputTap
  /** Record / replay and snapshots (absent: the device keeps no input log; snapshots are refused). */
  replay?: ReplayServices
  /** Called with each restart phase (daemon logging). */
  onRestart?: (phase: 'begin' | 'end', error?: unknown) => void
}

/** Record / replay and snapshots as the daemon provides them (src/os/replay/service.ts). */
export interface ReplayServices {
  recording(): RecordingStatus
  snapshots(): SnapshotInfo[]
  saveSnapshot(name: string): Promise<SnapshotInfo>
  restoreSnapshot(name: string): Promise<SnapshotInfo>
  deleteSnapshot(name: string): void
}

export interface RouteDeps {
  readonly backend: RestBackend
  readonly services: RestServices
  readonly opts: RestServerOptions
  readonly hub: EventHub
  /** /sphere/device: the backend's view plus the server's name and transport. */
  deviceInfo(): SphereDeviceInfo
  /** Reboot the device (listeners paused, streams ended). */
  restart(): Promise<void>
  /** Recover the device: erase flash and configuration, write the shipped OS, boot (simulated devices). */
  recover(): Promise<RecoverResult>
}
