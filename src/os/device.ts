import {IMAGE_TYPE_APPLICATIONS, sdkTestTrustAnchor, verifyImagePackage, type TrustAnchors} from '../image/index.js'
import {SphereError} from '../util/errors.js'
import {World} from './hw/world.js'
import {NS_PER_MS, NS_PER_S, type ClockMode} from './kernel/clock.js'
import type {AuditRecord, OsEvent, OsEventType} from './kernel/events.js'
import {Kernel, type MemoryTotals} from './kernel/kernel.js'
import {Lsm} from './lsm/lsm.js'
import {DEVICE_CAPABILITY_CODES, type AppManifest, type DeviceCapability} from './lsm/policy.js'
import {AppLogs} from './services/app-log.js'
import {AppManager, type AppQuota, type AppStatus, type UnpackedImage} from './services/app-manager.js'
import {attachSystemServices, type SystemServices} from './services/system-services.js'
import {StateStore, type DeviceIdentity, type ManufacturingState} from './storage/state-store.js'
import {UsageStore} from './storage/usage-store.js'
import {auditCapabilities, CapabilityUsage, type CapabilityAuditReport} from './services/advisor.js'
import {NetworkStack, type NetworkOptions} from './services/network.js'
import {UpdateAgent} from './services/update-agent.js'

/** The simulated OS version (reported like a real device's). */
export const OS_VERSION = '25.02'

export interface DeviceBootOptions {
  /** Where the device keeps its state (created if missing). */
  stateDir: string
  /** `realtime` (default) follows the host clock; `fast-forward` runs only inside runFor() and is deterministic. */
  clock?: ClockMode
  /** The world around the board (kept across a restart of the simulated device); default: a new RDB world. */
  world?: World
  /** CLOCK_REALTIME at boot (ms since 1970); fast-forward default 2025-01-01. */
  epochMs?: number
  /** Device capabilities written on first boot. Default: appDevelopment (a development simulator). */
  capabilities?: DeviceCapability[]
  /** Start the apps installed with auto-start. Default true. */
  autostart?: boolean
  /** Where instrumented app binaries are cached (default: <stateDir>/cache); may be shared by devices. */
  cacheDir?: string
  /** Keys image packages must be signed with (installPackage). Default: the SDK test key only. */
  trust?: TrustAnchors
  fuelQuantum?: number
  nsPerFuel?: number
  stopGraceMs?: number
  backoffMs?: number
  maxBackoffMs?: number
  /** Host map and port map of the network service (merged over `<stateDir>/network.json`). */
  network?: NetworkOptions
  /** A/B updates: starts a new app image gets, and how long it must run, before it is kept. */
  trialAttempts?: number
  trialWindowMs?: number
}

/** GET /images component (device REST API shape). */
export interface ImageComponent {
  /** Ours: 'trial' while a new image is being proven, 'rolled-back' after an automatic rollback. */
  update_state?: 'trial' | 'rolled-back'
  rolled_back_from?: string
  uid: string
  image_type: number
  is_update_staged: boolean
  does_image_type_require_restart: boolean
  images: {uid: string; length_in_bytes: number; uncompressed_length_in_bytes: number; replica_type: number}[]
  name: string
}

export interface ImagesResponse {
  is_ota_update_in_progress: boolean
  has_staged_updates: boolean
  restart_required: boolean
  components: ImageComponent[]
}

export interface MemoryStats {
  /** GET /stats/memory/groups/applications shape. */
  memoryStats: {
    currentMemoryUsageInBytes: number
    peakUserModeMemoryUsageInBytes: number
    userModeMemoryUsageInBytes: number
  }
  totals: MemoryTotals
  apps: {componentId: string; pid: number; uid: number; bytes: number; peakBytes: number}[]
}

const MANUFACTURING_STATES: readonly ManufacturingState[] = ['Blank', 'Module1Complete', 'DeviceComplete']

/**
 * The simulated MT3620 device: boots from its state directory and exposes the operations the device REST
 * API serves. One process can hold many devices (each has its own kernel, clock and state directory).
 */
export class Device {
  readonly kernel: Kernel
  readonly lsm: Lsm
  readonly world: World
  readonly store: StateStore
  readonly apps: AppManager
  readonly logs: AppLogs
  /** Sockets, interfaces, host map (services/network.ts). */
  readonly network: NetworkStack
  /** A/B slots, update history and `update-pending` notifications (services/update-agent.ts). */
  readonly updates: UpdateAgent
  private readonly usage: CapabilityUsage
  /** Power control, system events (update deferral), certificate store and Wi-Fi behind the applibs calls. */
  readonly system: SystemServices
  private identity: DeviceIdentity
  private readonly trust: TrustAnchors
  private flushTimer?: NodeJS.Timeout
  private down = false
  /** Unsubscribe from the world (it may outlive this device object, see DeviceBootOptions.world). */
  private readonly worldOff: (() => void)[] = []

  private constructor(opts: DeviceBootOptions, store: StateStore, identity: DeviceIdentity) {
    this.store = store
    this.identity = identity
    this.world = opts.world ?? new World()
    this.kernel = new Kernel({
      clock: opts.clock ?? 'realtime',
      world: this.world,
      epochMs: opts.epochMs,
      fuelQuantum: opts.fuelQuantum,
      nsPerFuel: opts.nsPerFuel,
    })
    this.lsm = new Lsm(() => this.kernel.now())
    this.lsm.setDeviceCapabilities(identity.capabilities)
    this.network = new NetworkStack(
      identity.deviceId,
      () => this.kernel.clock.realtimeAt(this.kernel.now()),
      NetworkStack.options(store.root, opts.network),
    )
    this.lsm.setHostResolver((name) => this.network.resolve(name))
    this.usage = new CapabilityUsage(this.lsm, new UsageStore(store.root))
    this.updates = new UpdateAgent(store.root, OS_VERSION)
    this.lsm.onAudit((record) => this.kernel.bus.emit({type: 'audit', record}))
    this.worldOff.push(
      this.world.onChange((c) => this.kernel.bus.emit({type: 'gpio', gpio: c.gpio, level: c.level, source: c.source})),
    )
    this.logs = new AppLogs(store, this.kernel.bus, () => this.kernel.now())
    this.apps = new AppManager(this.kernel, this.lsm, store, this.logs, {
      seed: identity.deviceId,
      stopGraceMs: opts.stopGraceMs,
      backoffMs: opts.backoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      net: this.network,
      trialAttempts: opts.trialAttempts,
      trialWindowMs: opts.trialWindowMs,
      onUpdate: (e) => this.updates.onAppUpdate(e),
    })
    this.kernel.bus.subscribe((e) => {
      if (e.type !== 'app') return
      if (e.action === 'installed' && e.detail) this.usage.track(e.componentId, e.detail)
      else if (e.action === 'uninstalled') this.usage.forget(e.componentId)
    }, ['app'])
    this.trust = opts.trust ?? [sdkTestTrustAnchor()]
    this.worldOff.push(this.world.onPeripheral((c) => this.kernel.bus.emit({type: 'peripheral', ...c})))
    this.system = attachSystemServices({
      kernel: this.kernel,
      apps: this.apps,
      logs: this.logs,
      stateDir: opts.stateDir,
      stopGraceMs: opts.stopGraceMs,
      updates: this.updates,
    })
  }

  static async boot(opts: DeviceBootOptions): Promise<Device> {
    const store = StateStore.open(opts.stateDir, {cacheDir: opts.cacheDir})
    // a damaged state directory (truncated or bit-flipped files) is reported, never booted from
    const problems = store.verify()
    if (problems.length > 0) {
      throw new SphereError(
        'STATE_CORRUPT',
        `the device state in ${opts.stateDir} is damaged: ${problems.join('; ')}`,
        {
          suggestions: [
            'Reset the simulated device (sphere sim reset), or move its state directory away to keep it for inspection',
          ],
        },
      )
    }
    const identity = store.bootIdentity({capabilities: opts.capabilities ?? ['appDevelopment']})
    const d = new Device(opts, store, identity)
    await d.apps.loadInstalled()
    for (const r of d.apps.installed()) d.usage.track(r.componentId, r.imageId)
    if (opts.autostart ?? true) d.apps.autostart()
    if (d.kernel.mode === 'realtime') {
      d.kernel.startRealtime()
      d.flushTimer = setInterval(() => d.logs.flush(), 1000)
      d.flushTimer.unref()
    }
    return d
  }

  // ---- identity and configuration ---------------------------------------------------------------------

  osVersion(): {version: string} {
    return {version: this.updates.osVersion()}
  }

  deviceId(): string {
    return this.identity.deviceId
  }

  /** Seconds since boot (virtual). */
  uptimeSeconds(): number {
    return this.kernel.now() / NS_PER_S
  }

  capabilities(): {names: DeviceCapability[]; codes: number[]} {
    const names = [...this.identity.capabilities]
    return {names, codes: names.map((n) => DEVICE_CAPABILITY_CODES[n])}
  }

  setCapabilities(caps: DeviceCapability[]): void {
    for (const c of caps)
      if (!(c in DEVICE_CAPABILITY_CODES))
        throw new SphereError('DEVICE_BAD_CAPABILITY', `unknown device capability ${c}`)
    this.identity = {...this.identity, capabilities: [...new Set(caps)]}
    this.store.writeIdentity(this.identity)
    this.lsm.setDeviceCapabilities(this.identity.capabilities)
  }

  manufacturingState(): ManufacturingState {
    return this.identity.manufacturingState
  }

  setManufacturingState(s: ManufacturingState): void {
    if (!MANUFACTURING_STATES.includes(s) || s === 'Blank') {
      throw new SphereError(
        'DEVICE_BAD_MANUFACTURING_STATE',
        `manufacturing state must be Module1Complete or DeviceComplete, not ${s}`,
      )
    }
    this.identity = {...this.identity, manufacturingState: s}
    this.store.writeIdentity(this.identity)
  }

  // ---- images and apps ------------------------------------------------------------------------------------

  listImages(): ImagesResponse {
    const staged = this.store.staged().length > 0
    return {
      is_ota_update_in_progress: false,
      has_staged_updates: staged,
      restart_required: false,
      components: this.apps.installed().map((r) => ({
        uid: r.componentId,
        image_type: IMAGE_TYPE_APPLICATIONS,
        is_update_staged: false,
        does_image_type_require_restart: false,
        images: [
          {uid: r.imageId, length_in_bytes: r.sizeBytes, uncompressed_length_in_bytes: r.sizeBytes, replica_type: 0},
          // A/B: the other slot, kept for rollback
          ...(r.previous
            ? [
                {
                  uid: r.previous.imageId,
                  length_in_bytes: r.previous.sizeBytes,
                  uncompressed_length_in_bytes: r.previous.sizeBytes,
                  replica_type: 1,
                },
              ]
            : []),
        ],
        name: r.name,
        ...(r.trial ? {update_state: 'trial'} : r.rolledBackFrom ? {update_state: 'rolled-back', rolled_back_from: r.rolledBackFrom.imageId} : {}),
      })),
    }
  }

  /** PUT /update/stage: keep the package until the next install (checked then). */
  stage(bytes: Uint8Array): void {
    this.store.stage(bytes)
  }

  /** POST /update/install: install every staged package and empty the staging area. */
  async installStaged(opts: {start?: boolean; ab?: boolean} = {}): Promise<AppStatus[]> {
    const out: AppStatus[] = []
    for (const s of this.store.staged()) {
      try {
        out.push(await this.installPackage(s.bytes, opts))
      } finally {
        this.store.unstage(s.name)
      }
    }
    return out
  }

  /** Parse, verify (signature against the trusted keys) and install an image package. */
  /**
   * Sideload / update path: the new image goes into the other A/B slot and runs on trial; if it fails to
   * start 3 times (a crash in its first seconds) the previous image is restored (`ab: false` replaces in place).
   */
  async installPackage(bytes: Uint8Array, opts: {start?: boolean; ab?: boolean} = {}): Promise<AppStatus> {
    const d = this.lsm.check({kind: 'host', name: 'sideload'}, {op: 'image.sideload', componentId: 'package'})
    if (!d.allowed)
      throw new SphereError('DEVICE_SIDELOAD_NOT_ALLOWED', `the device refuses sideloading: ${d.reason}`, {
        suggestions: ['Enable development mode (sphere device enable-development)'],
      })
    const v = verifyImagePackage(bytes, this.trust)
    if (!v.ok) throw new SphereError(v.code, `the image package was refused: ${v.reason}`)
    const pkg = v.package
    if (pkg.identity.imageType !== IMAGE_TYPE_APPLICATIONS) {
      throw new SphereError(
        'IMAGE_NOT_APPLICATION',
        `the image package holds a ${pkg.identity.imageTypeName} image, not an application`,
      )
    }
    if (!pkg.manifest)
      throw new SphereError(
        'MANIFEST_INVALID',
        `the image package has no valid app_manifest.json${pkg.manifestError ? `: ${pkg.manifestError}` : ''}`,
      )
    const version = pkg.debug?.buildDateSeconds ?? 0
    this.checkNotDowngrade(pkg.identity.componentId, version)
    return this.install(
      {
        componentId: pkg.identity.componentId,
        imageId: pkg.identity.imageId,
        manifest: pkg.manifest as unknown as AppManifest,
        files: pkg.files,
        version,
      },
      {...opts, ab: opts.ab ?? true},
    )
  }

  /**
   * Downgrade protection. An app image's version is the build date (Unix seconds) in its Debug metadata
   * section, which the SDK stamps at every build and the signature covers; an image without one counts as 0.
   * An update older than the installed image of the same component is refused (IMAGE_DOWNGRADE) before
   * anything is written; the same version may be reinstalled. Called at stage time too.
   */
  checkNotDowngrade(componentId: string, version: number): void {
    const cid = componentId.toLowerCase()
    const cur = this.apps.installed().find((r) => r.componentId === cid)
    if (cur?.version !== undefined && version < cur.version) {
      const at = (s: number): string => new Date(s * 1000).toISOString()
      throw new SphereError(
        'IMAGE_DOWNGRADE',
        `the image package (built ${at(version)}) is older than the installed ${cur.name} (built ${at(cur.version)}): downgrades are refused`,
        {suggestions: ['Rebuild the app (a new build has a newer build date), or uninstall the installed one first']},
      )
    }
  }

  /** Install from an unpacked, already verified image. */
  install(img: UnpackedImage, opts: {start?: boolean; ab?: boolean} = {}): Promise<AppStatus> {
    return this.apps.install(img, opts)
  }

  uninstall(componentId: string): Promise<void> {
    return this.apps.uninstall(componentId)
  }

  appStatus(componentId: string): AppStatus {
    return this.apps.status(componentId)
  }

  startApp(componentId: string, opts: {debug?: boolean} = {}): AppStatus {
    return this.apps.start(componentId, opts)
  }

  stopApp(componentId: string): Promise<AppStatus> {
    return this.apps.stop(componentId)
  }

  appQuota(componentId: string): AppQuota {
    return this.apps.quota(componentId)
  }

  appLog(componentId: string): string {
    return this.logs.read(componentId.toLowerCase())
  }

  memoryStats(): MemoryStats {
    const totals = this.kernel.memoryTotals()
    return {
      memoryStats: {
        currentMemoryUsageInBytes: totals.appsBytes,
        peakUserModeMemoryUsageInBytes: totals.peakAppsBytes,
        userModeMemoryUsageInBytes: totals.appsBytes,
      },
      totals,
      apps: this.kernel
        .processes()
        .map((p) => ({
          componentId: p.componentId,
          pid: p.pid,
          uid: p.uid,
          bytes: p.memoryBytes,
          peakBytes: p.peakMemoryBytes,
        })),
    }
  }

  auditLog(filter: {componentId?: string; deniedOnly?: boolean} = {}): AuditRecord[] {
    return this.lsm.auditLog(filter)
  }

  usedCapabilities(componentId: string): string[] {
    return this.lsm.usedCapabilities(componentId.toLowerCase())
  }

  /** The least-privilege advisor's report for an installed app (throws APP_NOT_INSTALLED). */
  auditCapabilities(componentId: string): CapabilityAuditReport {
    const cid = componentId.toLowerCase()
    const rec = this.apps.installed().find((r) => r.componentId === cid)
    const image = this.apps.image(cid)
    if (!rec || !image)
      throw new SphereError('APP_NOT_INSTALLED', `no application with component ID ${cid} is installed`, {
        suggestions: ['List installed apps with: sphere device image list-installed'],
      })
    return auditCapabilities(
      {componentId: cid, name: rec.name, imageId: rec.imageId, manifest: image.manifest},
      this.lsm.usedCapabilities(cid),
      this.usage.since(cid),
    )
  }

  // ---- world, events, time --------------------------------------------------------------------------------

  pressButton(name: string): void {
    this.world.pressButton(name)
  }

  releaseButton(name: string): void {
    this.world.releaseButton(name)
  }

  ledOn(name: string): boolean {
    return this.world.ledOn(name)
  }

  pinLevel(gpio: number): 0 | 1 {
    return this.world.level(gpio)
  }

  subscribe(fn: (e: OsEvent) => void, types?: readonly OsEventType[]): () => void {
    return this.kernel.bus.subscribe(fn, types)
  }

  /** Fast-forward: run `ms` of virtual time. Realtime: wait that long. */
  async runFor(ms: number): Promise<void> {
    if (this.kernel.mode === 'fast-forward') await this.kernel.runFor(ms * NS_PER_MS)
    else await new Promise((r) => setTimeout(r, ms))
  }

  async shutdown(): Promise<void> {
    if (this.down) return
    this.down = true
    if (this.flushTimer) clearInterval(this.flushTimer)
    this.kernel.stop()
    this.network.shutdown()
    this.logs.flush()
    for (const off of this.worldOff.splice(0)) off()
  }
}
