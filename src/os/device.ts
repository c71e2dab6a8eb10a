import {
  IMAGE_TYPE_APPLICATIONS,
  IMAGE_TYPE_BOARD_CONFIG,
  parseImagePackage,
  readBoardConfig,
  sdkTestTrustAnchor,
  verifyImagePackage,
  type ImagePackage,
  type TrustAnchors,
} from '../image/index.js'
import {signingKeyClass} from '../image/keys.js'
import {SphereError} from '../util/errors.js'
import {APP_FLASH_BYTES} from './hw/chip.js'
import {World} from './hw/world.js'
import {NS_PER_MS, NS_PER_S, type ClockMode} from './kernel/clock.js'
import type {AuditRecord, OsEvent, OsEventType} from './kernel/events.js'
import {Kernel, type MemoryTotals, type SchedulerTap} from './kernel/kernel.js'
import {FdTable} from './kernel/objects.js'
import {HOST_LIMITS} from './runtime/index.js'
import {Lsm, type InstallSource} from './lsm/lsm.js'
import {DEVICE_CAPABILITY_CODES, type AppManifest, type DeviceCapability} from './lsm/policy.js'
import {AppLogs, type LogLine} from './services/app-log.js'
import {AppManager, type AppQuota, type AppStatus, type UnpackedImage} from './services/app-manager.js'
import {attachSystemServices, type SystemServices} from './services/system-services.js'
import {StateStore, type DeviceIdentity, type ManufacturingState} from './storage/state-store.js'
import {UsageStore} from './storage/usage-store.js'
import {AuditStore} from './storage/audit-store.js'
import {auditCapabilities, CapabilityUsage, type CapabilityAuditReport} from './services/advisor.js'
import {LocalInternet} from './services/internet.js'
import {DeviceIot} from './services/iot-hub.js'
import {NetworkStack, type NetworkOptions} from './services/network.js'
import {UpdateAgent} from './services/update-agent.js'
import {BoardConfigStore} from './services/board-config.js'

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
  /** Record / replay (src/os/replay): the scheduler tap every input goes through. */
  tap?: SchedulerTap
  /** Fast-forward: serve waits in place when provably next (KernelOptions.inPlaceWaits; default true). */
  inPlaceWaits?: boolean
  /**
   * With `clock: 'fast-forward'`: drive the deterministic clock from the host event loop so that it follows
   * wall time (a recorded "realtime" device, see Kernel.startPaced).
   */
  paced?: boolean
  /** Called with the device once it is constructed, before its apps start (record / replay follow boots). */
  onBoot?: (dev: Device) => void
  /**
   * Ours, not a real device's: several high-level apps side by side (the security suite's victim beside its
   * attackers; `sphere sim start --multi-app`). Default false: one high-level app and its real-time partners, a
   * second high-level app replacing the first, as on an MT3620. Resource conflicts are refused either way.
   */
  multiApp?: boolean
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

/** What one app holds on the host side of the OS, each figure with the limit the OS enforces. */
export interface AppHostUsage {
  fds: {used: number; limit: number}
  sockets: {used: number; limit: number}
  /** Socket buffers and inter-app queues together. */
  bufferBytes: {used: number; peak: number; limit: number}
  logBytes: {used: number; limit: number}
}

export interface MemoryStats {
  /** GET /stats/memory/groups/applications shape. */
  memoryStats: {
    currentMemoryUsageInBytes: number
    peakUserModeMemoryUsageInBytes: number
    userModeMemoryUsageInBytes: number
  }
  totals: MemoryTotals
  apps: {componentId: string; pid: number; uid: number; bytes: number; peakBytes: number; host: AppHostUsage}[]
  /** The app flash partition: installed and staged images share it. */
  appFlash: {installedBytes: number; stagedBytes: number; limit: number}
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
  /** The local internet: named HTTPS servers with a test CA, from the world file (services/internet.ts). */
  readonly internet: LocalInternet
  /** The device's Azure IoT side: its certificate for IoT Hub / DPS, where hub names go, cloud state (services/iot-hub.ts). */
  readonly iot: DeviceIot
  /** A/B slots, update history and `update-pending` notifications (services/update-agent.ts). */
  readonly updates: UpdateAgent
  /** Installed board configurations (image type 21, services/board-config.ts). */
  readonly boardConfigs: BoardConfigStore
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
      tap: opts.tap,
      inPlaceWaits: opts.inPlaceWaits,
    })
    this.lsm = new Lsm(() => this.kernel.now())
    this.lsm.setDeviceCapabilities(identity.capabilities)
    this.lsm.attachAuditStore(new AuditStore(store.root))
    this.network = new NetworkStack(
      identity.deviceId,
      () => this.kernel.clock.realtimeAt(this.kernel.now()),
      NetworkStack.options(store.root, opts.network),
    )
    this.lsm.setHostResolver(
      (name) => this.network.addresses(name),
      (service) => this.network.discovered(service),
    )
    this.internet = new LocalInternet(store.root, this.network, identity.deviceId)
    this.iot = new DeviceIot(store.root, this.network, identity.deviceId)
    this.lsm.setManufacturingState(identity.manufacturingState)
    this.usage = new CapabilityUsage(this.lsm, new UsageStore(store.root))
    this.updates = new UpdateAgent(store.root, OS_VERSION)
    this.boardConfigs = BoardConfigStore.open(store.root)
    this.lsm.onAudit((record) => this.kernel.bus.emit({type: 'audit', record}))
    this.worldOff.push(
      // one event per GPIO change (7,200 a device-hour for blink): built only when someone takes it
      this.world.onChange((c) => {
        const bus = this.kernel.bus
        if (bus.hasListeners('gpio')) bus.emit({type: 'gpio', gpio: c.gpio, level: c.level, source: c.source})
        else bus.skip()
      }),
    )
    this.logs = new AppLogs(store, this.kernel.bus, () => this.kernel.now())
    this.apps = new AppManager(this.kernel, this.lsm, store, this.logs, {
      seed: identity.deviceId,
      stopGraceMs: opts.stopGraceMs,
      backoffMs: opts.backoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      net: this.network,
      http: this.internet,
      iot: this.iot,
      tlsTrust: this.internet,
      trialAttempts: opts.trialAttempts,
      trialWindowMs: opts.trialWindowMs,
      onUpdate: (e) => this.updates.onAppUpdate(e),
      multiApp: opts.multiApp,
    })
    this.kernel.bus.subscribe(
      (e) => {
        if (e.type !== 'app') return
        if (e.action === 'installed' && e.detail) this.usage.track(e.componentId, e.detail)
        else if (e.action === 'uninstalled') this.usage.forget(e.componentId)
      },
      ['app'],
    )
    this.trust = opts.trust ?? [sdkTestTrustAnchor()]
    // serial bytes from host bridges enter through this boot's kernel (recorded); a replay gets them by name
    this.world.hostGate = (input, apply) => this.kernel.hostInput(input, apply)
    if (opts.tap?.replaying)
      for (const [isu, port] of this.world.uarts)
        this.kernel.registerHostTarget(`uart:${isu}`, (event, args) => {
          if (event === 'data' && typeof args[0] === 'string') port.inject(new Uint8Array(Buffer.from(args[0], 'base64')))
        })
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
    opts.onBoot?.(d)
    await d.apps.loadInstalled()
    for (const r of d.apps.installed()) d.usage.track(r.componentId, r.imageId)
    if (opts.autostart ?? true) d.apps.autostart()
    if (d.kernel.mode === 'realtime' || opts.paced) {
      if (opts.paced) d.kernel.startPaced()
      else d.kernel.startRealtime()
      d.flushTimer = setInterval(() => {
        d.logs.flush()
        d.lsm.flushAudit()
      }, 1000)
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
    this.lsm.setManufacturingState(s)
  }

  // ---- images and apps ------------------------------------------------------------------------------------

  listImages(): ImagesResponse {
    const staged = this.store.stagedEntries().length > 0
    return {
      is_ota_update_in_progress: false,
      has_staged_updates: staged,
      restart_required: false,
      components: [
        ...this.apps.installed().map((r) => ({
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
          ...(r.trial
            ? {update_state: 'trial'}
            : r.rolledBackFrom
              ? {update_state: 'rolled-back', rolled_back_from: r.rolledBackFrom.imageId}
              : {}),
        })),
        ...this.boardConfigs.list().map((b) => ({
          uid: b.componentId,
          image_type: IMAGE_TYPE_BOARD_CONFIG,
          is_update_staged: false,
          does_image_type_require_restart: false,
          images: [{uid: b.imageId, length_in_bytes: b.sizeBytes, uncompressed_length_in_bytes: b.sizeBytes, replica_type: 0}],
          name: b.name,
        })),
      ],
    }
  }

  /**
   * PUT /update/stage: verify the package, rule on it with the install policy (a sideload), and keep it until
   * the next install, replacing a package staged before for the same component. The staging area is on the
   * app flash partition: once the staged packages are installed, each component holds its staged package or
   * its installed image, and that must fit (OS_FLASH_FULL otherwise; the device API's noSpace).
   */
  stage(bytes: Uint8Array): {componentId: string} {
    const {pkg} = this.authorize(bytes, 'sideload', {boardConfig: true})
    const cid = pkg.identity.componentId.toLowerCase()
    const staged = this.store.stagedEntries().filter((e) => e.componentId !== cid)
    const stagedFor = new Set(staged.map((e) => e.componentId))
    const others =
      staged.reduce((n, e) => n + e.sizeBytes, 0) +
      this.apps
        .installed()
        .filter((r) => r.componentId !== cid && !stagedFor.has(r.componentId))
        .reduce((n, r) => n + r.sizeBytes, 0)
    if (others + bytes.length > APP_FLASH_BYTES) {
      throw new SphereError(
        'OS_FLASH_FULL',
        `no room to stage ${pkg.manifest?.Name ?? cid} (${bytes.length} B): ${Math.max(0, APP_FLASH_BYTES - others)} B of the ${APP_FLASH_BYTES} B app flash are free (ENOSPC)`,
      )
    }
    this.store.stage(cid, bytes)
    return {componentId: cid}
  }

  /**
   * POST /update/install: install the staged packages one at a time (each read when its turn comes) and
   * empty the staging area. Each is ruled on again: capabilities may have changed since it was staged.
   */
  async installStaged(opts: {start?: boolean; ab?: boolean} = {}): Promise<AppStatus[]> {
    const out: AppStatus[] = []
    for (const e of this.store.stagedEntries()) {
      const claim = this.store.claimStaged(e.name)
      if (!claim) continue // a concurrent install took it
      try {
        if (parseImagePackage(claim.bytes).identity.imageType === IMAGE_TYPE_BOARD_CONFIG) this.installBoardConfig(claim.bytes)
        else out.push(await this.installPackage(claim.bytes, {...opts, source: 'sideload'}))
      } finally {
        claim.done()
      }
    }
    return out
  }

  /**
   * Parse, verify (signature against the trusted keys), rule on (the install policy, for `source`) and
   * install an image package. The new image goes into the other A/B slot and runs on trial; if it fails to
   * start 3 times (a crash in its first seconds) the previous image is restored (`ab: false` replaces in
   * place). `source` is the door: 'ota' (the default: this is the over-the-air update path) or 'sideload'.
   */
  async installPackage(
    bytes: Uint8Array,
    opts: {start?: boolean; ab?: boolean; source?: InstallSource} = {},
  ): Promise<AppStatus> {
    const {pkg} = this.authorize(bytes, opts.source ?? 'ota')
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
      {start: opts.start, ab: opts.ab ?? true},
    )
  }

  /**
   * Verify a package and ask the LSM whether it may be installed through `source` (the one install
   * decision both doors take, audited). Throws IMAGE_* for a bad package, DEVICE_SIDELOAD_NOT_ALLOWED for
   * a refused sideload, IMAGE_UNTRUSTED for an update not signed with a key trusted over the air.
   */
  private authorize(bytes: Uint8Array, source: InstallSource, kinds: {boardConfig?: boolean} = {}): {pkg: ImagePackage} {
    const v = verifyImagePackage(bytes, this.trust)
    if (!v.ok) throw new SphereError(v.code, `the image package was refused: ${v.reason}`)
    const pkg = v.package
    // a sideload may carry a board configuration (checked: preset and component ID); everything else is an app
    if (kinds.boardConfig && pkg.identity.imageType === IMAGE_TYPE_BOARD_CONFIG) readBoardConfig(pkg)
    else if (pkg.identity.imageType !== IMAGE_TYPE_APPLICATIONS) {
      throw new SphereError(
        'IMAGE_NOT_APPLICATION',
        `the image package holds a ${pkg.identity.imageTypeName} image, not an application`,
      )
    }
    const keyClass = signingKeyClass(v.anchorKind)
    const d = this.lsm.check(
      {kind: 'host', name: source === 'ota' ? 'update' : 'sideload'},
      {op: 'image.install', source, keyClass, componentId: pkg.identity.componentId.toLowerCase()},
    )
    if (!d.allowed) {
      if (source === 'sideload')
        throw new SphereError('DEVICE_SIDELOAD_NOT_ALLOWED', `the device refuses sideloading: ${d.reason}`)
      throw new SphereError('IMAGE_UNTRUSTED', `the device refuses the update: ${d.reason}`)
    }
    return {pkg}
  }

  /**
   * Downgrade protection. An app image's version is the build date (Unix seconds) in its Debug metadata
   * section, which the SDK stamps at every build and the signature covers; an image without one counts as 0.
   * An update older than the installed image of the same component is refused (IMAGE_DOWNGRADE) before
   * anything is written; the same version may be reinstalled. Called at stage time too.
   */
  checkNotDowngrade(componentId: string, version: number): void {
    this.apps.checkNotDowngrade(componentId, version)
  }

  /**
   * Install a sideloaded board configuration package (verified and ruled on like an app sideload). It
   * replaces the board configuration installed before.
   */
  installBoardConfig(bytes: Uint8Array): {componentId: string} {
    const {pkg} = this.authorize(bytes, 'sideload', {boardConfig: true})
    const bc = readBoardConfig(pkg)
    const componentId = pkg.identity.componentId.toLowerCase()
    this.boardConfigs.install({componentId, imageId: pkg.identity.imageId, name: bc.Name, preset: bc.Preset, sizeBytes: bytes.length})
    return {componentId}
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

  /** The app's log lines with their origin (the app's stdout / stderr, or the OS: 'system'). */
  appLogEntries(componentId: string): LogLine[] {
    return this.logs.entries(componentId.toLowerCase())
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
      apps: this.kernel.processes().map((p) => ({
        componentId: p.componentId,
        pid: p.pid,
        uid: p.uid,
        bytes: p.memoryBytes,
        peakBytes: p.peakMemoryBytes,
        host: this.hostUsage(p.componentId, p),
      })),
      appFlash: {
        installedBytes: this.apps.installed().reduce((n, r) => n + r.sizeBytes, 0),
        stagedBytes: this.store.stagedEntries().reduce((n, e) => n + e.sizeBytes, 0),
        limit: APP_FLASH_BYTES,
      },
    }
  }

  /** What an app (its running process, if any) holds on the host side, against each limit. */
  hostUsage(componentId: string, proc = this.apps.process(componentId)): AppHostUsage {
    const u = proc?.hostUsage
    return {
      fds: {used: proc ? proc.fds.list().length : 0, limit: FdTable.MAX_FDS},
      sockets: {used: u?.sockets ?? 0, limit: HOST_LIMITS.socketsPerApp},
      bufferBytes: {used: u?.bufferBytes ?? 0, peak: u?.peakBufferBytes ?? 0, limit: HOST_LIMITS.bufferBytesPerApp},
      logBytes: this.logs.usage(componentId.toLowerCase()),
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

  /**
   * Stop the device: every app process ends, sockets close, logs and the audit tail are flushed.
   * `powerLoss`: the power is cut; nothing is flushed (what the apps and the OS had already written survives).
   */
  async shutdown(opts: {powerLoss?: boolean} = {}): Promise<void> {
    if (this.down) return
    this.down = true
    if (this.flushTimer) clearInterval(this.flushTimer)
    this.kernel.stop()
    this.network.shutdown()
    this.internet.shutdown()
    if (!opts.powerLoss) {
      this.logs.flush()
      this.lsm.flushAudit()
    }
    for (const off of this.worldOff.splice(0)) off()
  }
}
