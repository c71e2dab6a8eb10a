/**
 * RestBackend: the narrow view of a device the REST server needs. `DeviceRestBackend` implements it over
 * the simulated `Device`; tests may implement it with a small in-memory double. State the Device does not
 * model (certificates, network, Wi-Fi, telemetry, sideload settings) lives in the server's own services.
 */
import type {
  AppQuotaResponse,
  AppStatusResponse,
  ImagesResponse,
  ManufacturingState,
  MemoryStatsResponse,
  SphereAppInfo,
  SphereAuditRecord,
  SphereCapabilityAudit,
  SphereDeviceInfo,
  SphereUpdateStatus,
  SphereLogEntry,
  SphereWorldState,
} from '../../protocol/rest-api.js'
import type {AppNetworkAllowance, NetConfig} from '../services/netconfig.js'

/** What a verified upload contains (from the package's metadata and manifest). */
export interface VerifiedPackage {
  componentId: string
  imageId: string
  /** Manifest `Name`. */
  name: string
  imageType: number
  sizeBytes: number
}

/** What a device recovery did (the backend's part; the server adds the configuration it erased). */
export interface RecoverReport {
  previousOsVersion: string
  /** The shipped OS version the device runs now. */
  osVersion: string
  /** The recovery images written. */
  images: {name: string; bytes: number}[]
  erased: {apps: number; boardConfigs: number}
}

/** Changes the backend reports; the server turns them into /sphere/events lines. */
export type BackendEvent =
  | {type: 'apps'}
  | {type: 'device'}
  | {type: 'world'}
  | {type: 'audit'; record: SphereAuditRecord}
  | {type: 'log'; componentId: string; entry: SphereLogEntry}
  | {type: 'crash'; componentId: string; reason: string; imageId?: string}

export interface RestBackend {
  // ---- identity, configuration ----
  /** Seconds since boot; strictly increasing, reset by restart(). */
  uptimeSeconds(): number
  deviceId(): string
  osVersion(): string
  /** Numeric device capability codes (GET device/capabilities). */
  capabilityCodes(): number[]
  /** The same capabilities by name (`appDevelopment`, `fieldServicing`, ...). */
  capabilityNames(): string[]
  /** Add capabilities by name (simulator-only). Throws OsError for an unknown name. */
  grantCapabilities(names: string[]): void
  /** Remove device capabilities (a simulator-only operation, e.g. enable-cloud-test). */
  revokeCapabilities(names: string[]): void
  /** Over-the-air style app update with A/B rollback (optional: not every backend has an update agent). */
  applyUpdate?(bytes: Uint8Array): Promise<{componentId: string; state: string}>
  /** Replace the persisted capabilities (device capability update). */
  setCapabilities(names: string[]): void
  /** Capabilities of a temporary session (device capability apply), not persisted; null ends the session. */
  setSessionCapabilities(names: string[] | null): void
  manufacturingState(): ManufacturingState
  setManufacturingState(state: 'Module1Complete' | 'DeviceComplete'): void
  /** /sphere/device (server fills in nothing; the backend knows its clock). */
  deviceInfo(): SphereDeviceInfo
  /** GET log: non-empty diagnostic bytes. */
  diagnosticLog(): Uint8Array
  memoryStats(): MemoryStatsResponse['memoryStats']

  // ---- images and apps ----
  images(): ImagesResponse
  /** Parse the package and check its signature against the device's trust store; throws OsError. */
  verifyPackage(bytes: Uint8Array): VerifiedPackage
  /** Put a verified package in the staging area (atomically: all or nothing). */
  stage(bytes: Uint8Array, pkg: VerifiedPackage): void
  /** Install every staged package, empty the staging area; start each when `start`. */
  installStaged(opts: {start: boolean}): Promise<void>
  /** Remove an installed app; a no-op for an unknown component. */
  uninstall(componentId: string): Promise<void>
  /** undefined: the app is not installed. */
  appStatus(componentId: string): AppStatusResponse | undefined
  /** Start / stop / start under the debugger. Throws OsError APP_NOT_INSTALLED for an unknown app. */
  controlApp(componentId: string, trigger: 'start' | 'stop' | 'startDebug'): Promise<AppStatusResponse>
  /** undefined: the app is not installed. */
  appQuota(componentId: string): AppQuotaResponse | undefined
  apps(): SphereAppInfo[]
  /** Log entries with seq > since; undefined when the device never had this app. */
  appLog(componentId: string, since: number): SphereLogEntry[] | undefined
  audit(since: number): SphereAuditRecord[]
  /** Outbound allowances of installed apps, for the firewall view (optional). */
  firewallAllowances?(): AppNetworkAllowance[]
  /** Share the server's interface configuration with the device (apps see wlan0 up/down). */
  useNetConfig?(net: NetConfig): void
  /** The least-privilege advisor's report; undefined when the app is not installed. */
  capabilityAudit?(componentId: string): SphereCapabilityAudit | undefined
  /** OS slots and update history. */
  updateStatus?(): SphereUpdateStatus
  /** Device recovery: erase the flash, write the shipped OS, boot (optional: a simulated device only). */
  recover?(): Promise<RecoverReport>

  // ---- world ----
  world(): SphereWorldState
  /** Apply `{path: value}` settings (e.g. `buttons.A: true`, `gpios.12: 0`); throws OsError WORLD_BAD_PATH. */
  setWorld(set: Record<string, unknown>): SphereWorldState
  /** Press (and release after holdMs) a board button. */
  press(button: string, holdMs?: number): Promise<SphereWorldState>
  /** Run the virtual clock forward (fast-forward devices); the new virtual time since boot in ms. */
  advance?(ms: number): Promise<number>
  /** Boot, scheduling point and virtual time (ms) of the device now. */
  position?(): {boot: number; step: number; virtualTimeMs: number}

  // ---- lifecycle ----
  /**
   * Change notifications; survives restart() (the backend re-attaches to the new boot). `types`: only those
   * (the backend then follows only the device events that make them).
   */
  subscribe(fn: (e: BackendEvent) => void, types?: readonly BackendEvent['type'][]): () => void
  /** Reboot: uptime restarts, installed apps survive. Resolves when the device is up again. */
  restart(): Promise<void>
}
