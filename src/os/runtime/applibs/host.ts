import type {Kernel} from '../../kernel/kernel.js'

/**
 * What the applibs imports need from the services above the runtime (the runtime never imports services):
 * power control, system events, the certificate store and Wi-Fi configuration. The services register one
 * SystemHost per kernel (src/os/services/peripherals.ts); without one these calls fail with ENOSYS.
 */

/** One system event as `sysevent_read` hands it to the app (sdk/ABI.md). */
export interface SysEventRecord {
  /** SysEvent_Events bit: 1 UpdateReadyForInstall, 2 UpdateStarted, 4 NoUpdateAvailable. */
  event: number
  /** SysEvent_Status: 1 Pending, 2 Final, 3 Deferred, 4 Complete. */
  status: number
  maxDeferralMinutes: number
  /** SysEvent_UpdateType: 1 App, 2 System. */
  updateType: number
}

export interface SysEventSubscription {
  /** The oldest undelivered event, removed from the queue. */
  take(): SysEventRecord | undefined
  pending(): boolean
  close(): void
}

/** The certificate store, as the app-facing calls use it (structurally the services' CertStore). */
export interface CertStoreAccess {
  list(): string[]
  get(id: string): {notBefore: string; notAfter: string; subjectName: string; issuerName: string} | undefined
  has(id: string): boolean
  add(id: string, req: {certType: unknown; publicCert: unknown; privateKey?: unknown; password?: unknown}): void
  remove(id: string): boolean
  availableSpace(): number
  /** Rename (replacing the target); false when `from` is unknown. */
  move?(from: string, to: string): boolean
}

/** A stored Wi-Fi network as the app sees it. */
export interface WifiNetworkRecord {
  id: number
  ssid: string
  /** 'open' | 'psk' | 'eaptls' */
  securityState: string
  enabled: boolean
  configName?: string
  targetedScan: boolean
  clientIdentity?: string
  clientCertStoreIdentifier?: string
  rootCaCertStoreIdentifier?: string
}

export interface WifiScanRecord {
  ssid: string
  bssid: string
  freq: number
  signal: number
  securityState: string
}

/** Wi-Fi configuration for the WifiConfig_* calls. Errors are thrown as SphereError (code) or returned as -errno. */
export interface WifiAccess {
  /** Persisted networks plus the calling app's unsaved ones. */
  networks(): WifiNetworkRecord[]
  /** Add an empty, disabled network; returns its id. */
  addNetwork(): number
  update(id: number, patch: Partial<Omit<WifiNetworkRecord, 'id'>> & {psk?: string}): number
  forget(id: number): number
  forgetAll(): number
  persist(): number
  reload(): number
  scan(): WifiScanRecord[]
  /** The id of the connected network, or -ENOTCONN. */
  connectedId(): number
}

export interface SystemHost {
  /** PowerManagement_ForceSystemReboot: asynchronous; every app gets SIGTERM, then the device boots again. */
  restart(requester: string): void
  /** PowerManagement_ForceSystemPowerDown: apps stop; the device wakes after `maxResidencySeconds`. */
  powerDown(requester: string, maxResidencySeconds: number): void
  /** SysEvent_RegisterForEventNotifications. `onEvent` is called when an event is queued. */
  subscribeEvents(componentId: string, mask: number, onEvent: () => void): SysEventSubscription
  /** SysEvent_DeferEvent; 0 or -errno. */
  deferEvent(componentId: string, event: number, minutes: number): number
  /** SysEvent_ResumeEvent; 0 or -errno. */
  resumeEvent(componentId: string, event: number): number
  certs?: CertStoreAccess
  /** The OS version apps read with Applications_GetOsVersion. */
  osVersion?: string
  wifi?(componentId: string): WifiAccess | undefined
}

const hosts = new WeakMap<Kernel, SystemHost>()

export function setSystemHost(kernel: Kernel, host: SystemHost): void {
  hosts.set(kernel, host)
}

export function systemHost(kernel: Kernel): SystemHost | undefined {
  return hosts.get(kernel)
}
