/**
 * RestBackend over the simulated Device (src/os/device.ts). Keeps what the REST API needs on top of the
 * Device: sequence-numbered app log entries, change notifications that survive a restart, and the
 * restart itself (shutdown + boot from the same state dir).
 */
import {declaredCapabilities} from '../services/advisor.js'
import {osImageComponents} from '../services/os-images.js'
import {SYSTEM_PREFIX} from '../services/app-log.js'
import {
  verifyImagePackage,
  sdkTestTrustAnchor,
  IMAGE_TYPE_APPLICATIONS,
  IMAGE_TYPE_BOARD_CONFIG,
  readBoardConfig,
  type TrustAnchors,
} from '../../image/index.js'
import type {
  AppStatusResponse,
  ImagesResponse,
  ManufacturingState,
  SphereAppInfo,
  SphereAuditRecord,
  SphereCapabilityAudit,
  SphereDeviceInfo,
  SphereUpdateStatus,
  SphereLogEntry,
  SphereWorldState,
} from '../../protocol/rest-api.js'
import type {WaitKind} from '../../protocol/app-state.js'
import {blinkHz, type PinActivityFields} from '../../protocol/pin-activity.js'
import {escapeControl} from '../../util/escape.js'
import {OsError} from '../errors.js'
import {Device, type DeviceBootOptions} from '../device.js'
import {APP_RAM_CAP_BYTES} from '../hw/chip.js'
import {NS_PER_MS} from '../kernel/clock.js'
import type {AuditRecord, OsEvent, OsEventType} from '../kernel/events.js'
import {DEVICE_CAPABILITY_CODES, type DeviceCapability} from '../lsm/policy.js'
import type {AppNetworkAllowance, NetConfig} from '../services/netconfig.js'
import {setWorldPath, worldExtras} from '../services/world-file.js'
import type {BackendEvent, RecoverReport, RestBackend, VerifiedPackage} from './backend.js'
import {eraseForRecovery} from '../services/recovery.js'

/** Entries kept per app for /sphere/apps/{cid}/log (older ones are still in the device's log text). */
const LOG_RING = 2000
/** Device events the backend always follows: they fill the log rings GET .../log serves. */
const LOG_EVENTS: readonly OsEventType[] = ['log', 'log-dropped']
/** The device events each backend event comes from, beyond the logs (followed only for subscribers of it). */
const DEVICE_EVENTS_FOR: Record<BackendEvent['type'], readonly OsEventType[]> = {
  apps: ['process', 'memory', 'app'],
  crash: ['process'],
  world: ['gpio', 'peripheral'],
  audit: ['audit'],
  log: [],
  device: [],
}
const ALL_BACKEND_EVENTS = Object.keys(DEVICE_EVENTS_FOR) as BackendEvent['type'][]

interface LogRing {
  seq: number
  entries: SphereLogEntry[]
}

export interface DeviceBackendOptions {
  /** Debug ports reported for startDebug (a real device reports 2345 / 2342). */
  gdbPort?: number
  outPort?: number
}

export class DeviceRestBackend implements RestBackend {
  private dev: Device
  private bootOpts: DeviceBootOptions
  private readonly trust: TrustAnchors
  /** Subscribers and the event types each asked for (undefined: all). */
  private readonly listeners = new Map<(e: BackendEvent) => void, readonly BackendEvent['type'][] | undefined>()
  /** Ends this backend's subscriptions to the current Device (its events, its cloud state). */
  private unsubscribe: (() => void) | undefined
  private readonly logs = new Map<string, LogRing>()
  private bootWall = Date.now()
  private readonly opts: DeviceBackendOptions

  private constructor(dev: Device, bootOpts: DeviceBootOptions, opts: DeviceBackendOptions) {
    this.dev = dev
    this.bootOpts = bootOpts
    this.trust = bootOpts.trust ?? [sdkTestTrustAnchor()]
    this.opts = opts
    this.attach()
  }

  /** Boot a Device from `bootOpts` and serve it. */
  static async boot(bootOpts: DeviceBootOptions, opts: DeviceBackendOptions = {}): Promise<DeviceRestBackend> {
    return new DeviceRestBackend(await Device.boot(bootOpts), bootOpts, opts)
  }

  /** Serve an already booted Device; restart() re-boots it with the same options. */
  static fromDevice(dev: Device, bootOpts: DeviceBootOptions, opts: DeviceBackendOptions = {}): DeviceRestBackend {
    return new DeviceRestBackend(dev, bootOpts, opts)
  }

  /** The current Device (a new object after each restart). */
  get device(): Device {
    return this.dev
  }

  async shutdown(): Promise<void> {
    this.detach()
    await this.dev.shutdown()
  }

  private attach(): void {
    this.detach()
    // the log rings are kept whether or not anyone streams events; the rest only turns into events for
    // subscribers, so it is subscribed only while there are some (a fleet's members mostly have none)
    const offLogs = this.dev.subscribe((e) => this.onDeviceEvent(e), LOG_EVENTS)
    this.unsubscribe = () => {
      offLogs()
      this.detachLive()
    }
    if (this.listeners.size > 0) this.attachLive()
  }

  private unsubscribeLive: (() => void) | undefined

  /** Follow the device events the subscribers' types need (again, after a subscriber came or went). */
  private attachLive(): void {
    this.detachLive()
    const wanted = new Set<BackendEvent['type']>()
    for (const types of this.listeners.values()) for (const t of types ?? ALL_BACKEND_EVENTS) wanted.add(t)
    const deviceTypes = new Set<OsEventType>()
    for (const t of wanted) for (const d of DEVICE_EVENTS_FOR[t]) deviceTypes.add(d)
    if (deviceTypes.size === 0 && !wanted.has('device')) return
    const offEvents = deviceTypes.size > 0 ? this.dev.subscribe((e) => this.onDeviceEvent(e), [...deviceTypes]) : () => {}
    // an app's IoT Hub connection changed: the device info carries it (the monitor's header)
    const offCloud = wanted.has('device') ? this.dev.iot.onState(() => this.emit({type: 'device'})) : () => {}
    this.unsubscribeLive = () => {
      offEvents()
      offCloud()
    }
  }

  private detachLive(): void {
    this.unsubscribeLive?.()
    this.unsubscribeLive = undefined
    if (this.netConfig) this.dev.network.useNetConfig(this.netConfig)
  }

  private detach(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  private netConfig?: NetConfig

  useNetConfig(net: NetConfig): void {
    this.netConfig = net
    this.dev.network.useNetConfig(net)
  }

  firewallAllowances(): AppNetworkAllowance[] {
    const apps = this.dev.apps.installed().flatMap((r) => {
      const policy = this.dev.lsm.policy(r.componentId)
      return policy ? [{uid: r.uid, policy}] : []
    })
    return this.dev.network.allowances(apps)
  }

  capabilityAudit(componentId: string): SphereCapabilityAudit | undefined {
    if (!this.dev.apps.installed().some((r) => r.componentId === componentId)) return undefined
    return this.dev.auditCapabilities(componentId) as unknown as SphereCapabilityAudit
  }

  updateStatus(): SphereUpdateStatus {
    return {osVersion: this.dev.updates.osVersion(), os: this.dev.updates.osState(), history: this.dev.updates.history()}
  }

  private emit(e: BackendEvent): void {
    for (const [fn, types] of this.listeners) {
      if (types && !types.includes(e.type)) continue
      try {
        fn(e)
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  private onDeviceEvent(e: OsEvent): void {
    switch (e.type) {
      case 'log': {
        const entry = this.pushLog(e.componentId, e.line, e.t, e.stream)
        this.emit({type: 'log', componentId: e.componentId, entry})
        break
      }
      case 'log-dropped': {
        const entry = this.pushLog(e.componentId, `[os] ${e.dropped} lines dropped (output flood)`, e.t, 'system')
        this.emit({type: 'log', componentId: e.componentId, entry})
        break
      }
      case 'audit':
        this.emit({type: 'audit', record: auditRecord(e.record)})
        break
      case 'gpio':
      case 'peripheral':
        this.emit({type: 'world'})
        break
      case 'process':
        if (e.state === 'crashed')
          this.emit({
            type: 'crash',
            componentId: e.componentId,
            reason: e.reason ?? `exit ${e.exitCode ?? '?'}`,
            imageId: this.dev.appStatus(e.componentId).imageId,
          })
        this.emit({type: 'apps'})
        break
      case 'memory':
      case 'app':
        this.emit({type: 'apps'})
        break
    }
  }

  private pushLog(cid: string, line: string, tNs: number, stream: SphereLogEntry['stream']): SphereLogEntry {
    let ring = this.logs.get(cid)
    if (!ring) {
      // the device appended this line to its log text before emitting the event: the seeded ring has it
      this.logs.set(cid, (ring = this.ringFromText(cid)))
      const last = ring.entries.at(-1)
      if (last && last.text === line && last.stream === stream) {
        last.time = tNs / NS_PER_MS
        return last
      }
    }
    const entry: SphereLogEntry = {seq: ++ring.seq, time: tNs / NS_PER_MS, stream, text: line}
    ring.entries.push(entry)
    if (ring.entries.length > LOG_RING) ring.entries.splice(0, ring.entries.length - LOG_RING)
    return entry
  }

  /**
   * Seed an app's log ring from the lines the device kept (previous boots, written before we attached). The
   * origin of each line comes with it from the device, never from its text.
   */
  private ringFromText(cid: string): LogRing {
    const kept = this.dev.appLogEntries(cid).slice(-LOG_RING)
    return {
      seq: kept.length,
      entries: kept.map((l, i) => ({
        seq: i + 1,
        time: 0,
        stream: l.stream,
        text: l.stream === 'system' ? `${SYSTEM_PREFIX}${l.text}` : l.text,
      })),
    }
  }

  // ---- identity ----

  uptimeSeconds(): number {
    // wall time since boot, so it also increases for a fast-forward device between runs
    return (Date.now() - this.bootWall) / 1000
  }

  deviceId(): string {
    return this.dev.deviceId()
  }

  osVersion(): string {
    return this.dev.osVersion().version
  }

  capabilityCodes(): number[] {
    return this.capabilityNames().map((n) => DEVICE_CAPABILITY_CODES[n as DeviceCapability])
  }

  /** Persisted capabilities plus those of a temporary capability session. */
  capabilityNames(): string[] {
    return [...new Set([...this.dev.capabilities().names, ...this.session])]
  }

  private session: DeviceCapability[] = []

  setCapabilities(names: string[]): void {
    for (const n of names)
      if (!(n in DEVICE_CAPABILITY_CODES)) throw new OsError('DEVICE_BAD_CAPABILITY', `unknown device capability ${n}`)
    this.dev.setCapabilities(names as DeviceCapability[])
    this.applySession()
    this.emit({type: 'device'})
  }

  setSessionCapabilities(names: string[] | null): void {
    for (const n of names ?? [])
      if (!(n in DEVICE_CAPABILITY_CODES)) throw new OsError('DEVICE_BAD_CAPABILITY', `unknown device capability ${n}`)
    this.session = (names ?? []) as DeviceCapability[]
    this.applySession()
    this.emit({type: 'device'})
  }

  private applySession(): void {
    this.dev.lsm.setDeviceCapabilities(this.capabilityNames() as DeviceCapability[])
  }

  grantCapabilities(names: string[]): void {
    for (const n of names)
      if (!(n in DEVICE_CAPABILITY_CODES))
        throw new OsError('DEVICE_BAD_CAPABILITY', `unknown device capability ${n}`)
    this.dev.setCapabilities([...this.dev.capabilities().names, ...(names as DeviceCapability[])])
    this.emit({type: 'device'})
  }

  revokeCapabilities(names: string[]): void {
    for (const n of names)
      if (!(n in DEVICE_CAPABILITY_CODES))
        throw new OsError('DEVICE_BAD_CAPABILITY', `unknown device capability ${n}`)
    this.dev.setCapabilities(this.dev.capabilities().names.filter((c) => !names.includes(c)))
    this.emit({type: 'device'})
  }

  manufacturingState(): ManufacturingState {
    return this.dev.manufacturingState()
  }

  setManufacturingState(state: 'Module1Complete' | 'DeviceComplete'): void {
    this.dev.setManufacturingState(state)
  }

  deviceInfo(): SphereDeviceInfo {
    const k = this.dev.kernel
    const cloud = this.dev.iot.cloudStates()
    return {
      deviceId: this.dev.deviceId(),
      osVersion: this.osVersion(),
      uptime: Math.floor(this.uptimeSeconds()),
      capabilities: this.capabilityNames(),
      manufacturingState: this.manufacturingState(),
      // a recorded realtime device runs paced: the deterministic clock, following wall time
      clock: {mode: k.paced ? 'realtime' : k.mode, virtualTimeMs: k.now() / NS_PER_MS, speed: 1},
      ...(cloud.length > 0 ? {cloud} : {}),
    }
  }

  diagnosticLog(): Uint8Array {
    const lines = [
      `sphere simulated MT3620, OS ${this.osVersion()}`,
      `device ${this.deviceId()}`,
      `uptime ${Math.floor(this.uptimeSeconds())} s, manufacturing state ${this.manufacturingState()}, capabilities ${this.capabilityNames().join(',') || '-'}`,
    ]
    for (const a of this.dev.apps.installed()) {
      const st = this.dev.appStatus(a.componentId)
      lines.push(
        `app ${a.componentId} ${a.name}: ${st.state}${st.crashReason ? ` (last crash: ${st.crashReason})` : ''}, restarts ${st.restarts}`,
      )
    }
    for (const r of this.dev.auditLog({deniedOnly: true}).slice(-50))
      lines.push(`denied ${r.subject} ${r.operation} ${r.object}: ${r.reason}`)
    for (const u of this.dev.updates.history().slice(-50))
      lines.push(
        `update ${u.time} ${u.kind} ${u.action}${u.componentId ? ` ${u.componentId}` : ''}${u.imageId ? ` image ${u.imageId}` : ''}${u.version ? ` version ${u.version}` : ''}${u.detail ? `: ${u.detail}` : ''}`,
      )
    // every line is one line: text that came from an app (names, crash reasons, audit objects) cannot add more
    return Buffer.from(`${lines.map(escapeControl).join('\n')}\n`)
  }

  memoryStats() {
    return this.dev.memoryStats().memoryStats
  }

  // ---- images and apps ----

  /** The installed applications, then the OS's own images and, in development mode, gdbserver (os-images.ts). */
  images(): ImagesResponse {
    const list = this.dev.listImages()
    const os = osImageComponents(this.dev.osVersion().version, this.capabilityNames().includes('appDevelopment'))
    return {...list, components: [...list.components, ...os]}
  }

  verifyPackage(bytes: Uint8Array): VerifiedPackage {
    const v = verifyImagePackage(bytes, this.trust)
    if (!v.ok) throw new OsError(v.code, `the image package was refused: ${v.reason}`)
    const pkg = v.package
    if (pkg.identity.imageType === IMAGE_TYPE_BOARD_CONFIG) {
      const bc = readBoardConfig(pkg)
      return {
        componentId: pkg.identity.componentId.toLowerCase(),
        imageId: pkg.identity.imageId,
        name: bc.Name,
        imageType: pkg.identity.imageType,
        sizeBytes: bytes.length,
      }
    }
    if (pkg.identity.imageType !== IMAGE_TYPE_APPLICATIONS) {
      throw new OsError(
        'IMAGE_NOT_APPLICATION',
        `the image package holds a ${pkg.identity.imageTypeName} image, not an application`,
      )
    }
    if (!pkg.files.has('app_manifest.json'))
      throw new OsError('MANIFEST_MISSING', 'Application manifest is missing from image')
    if (!pkg.manifest)
      throw new OsError(
        'MANIFEST_INVALID',
        `the image package has an invalid app_manifest.json: ${pkg.manifestError ?? ''}`,
      )
    const cid = pkg.identity.componentId.toLowerCase()
    // refused at stage time already, so a downgrade never reaches the staging area
    this.dev.checkNotDowngrade(cid, pkg.debug?.buildDateSeconds ?? 0)
    if (pkg.manifest.ComponentId.toLowerCase() !== cid) {
      throw new OsError(
        'IMAGE_COMPONENT_MISMATCH',
        `the manifest's ComponentId ${pkg.manifest.ComponentId} differs from the image's component ${cid}`,
      )
    }
    return {
      componentId: cid,
      imageId: pkg.identity.imageId,
      name: pkg.manifest.Name,
      imageType: pkg.identity.imageType,
      sizeBytes: bytes.length,
    }
  }

  stage(bytes: Uint8Array): void {
    this.dev.stage(bytes)
  }

  /**
   * Sideload (update/stage + update/install) replaces the app in place, as a development device does: a
   * crashing build keeps crash-looping where the developer can see it, instead of being rolled back.
   */
  async installStaged(opts: {start: boolean}): Promise<void> {
    await this.dev.installStaged({start: opts.start, ab: false})
    this.emit({type: 'apps'})
  }

  /** An over-the-air style update: the new image goes to the other A/B slot, on trial, with rollback. */
  async applyUpdate(bytes: Uint8Array): Promise<{componentId: string; state: string}> {
    const st = await this.dev.installPackage(bytes, {start: true, ab: true})
    this.emit({type: 'apps'})
    return {componentId: st.componentId, state: st.state}
  }

  async uninstall(componentId: string): Promise<void> {
    if (this.dev.boardConfigs.remove(componentId)) {
      this.emit({type: 'apps'})
      return
    }
    if (this.dev.appStatus(componentId).state === 'notPresent') return
    await this.dev.uninstall(componentId)
    this.emit({type: 'apps'})
  }

  appStatus(componentId: string): AppStatusResponse | undefined {
    const st = this.dev.appStatus(componentId)
    if (st.state === 'notPresent') return undefined
    if (st.state === 'debugging')
      return {state: 'debugging', gdbPort: this.opts.gdbPort ?? 2345, outPort: this.opts.outPort ?? 2342}
    return {state: st.state}
  }

  async controlApp(componentId: string, trigger: 'start' | 'stop' | 'startDebug'): Promise<AppStatusResponse> {
    if (trigger === 'stop') await this.dev.stopApp(componentId)
    else {
      const cur = this.dev.appStatus(componentId).state
      const wantDebug = trigger === 'startDebug'
      if (cur === 'running' || cur === 'debugging') {
        if ((cur === 'debugging') !== wantDebug) {
          await this.dev.stopApp(componentId)
          this.dev.startApp(componentId, {debug: wantDebug})
        }
      } else this.dev.startApp(componentId, {debug: wantDebug})
    }
    return this.appStatus(componentId) ?? {state: 'notPresent'}
  }

  appQuota(componentId: string) {
    if (this.dev.appStatus(componentId).state === 'notPresent') return undefined
    return this.dev.appQuota(componentId)
  }

  apps(): SphereAppInfo[] {
    const now = this.dev.kernel.now()
    return this.dev.apps.installed().map((r) => {
      const st = this.dev.appStatus(r.componentId)
      const proc = this.dev.apps.process(r.componentId)
      const wait = proc?.blocked ? proc.wait : undefined
      const waitingOn: WaitKind | undefined = wait
        ? wait.objects.length === 0
          ? 'timer'
          : Number.isFinite(wait.deadline)
            ? 'io+timer'
            : 'io'
        : undefined
      return {
        componentId: r.componentId,
        name: r.name,
        state: st.appState,
        sched: proc ? (proc.blocked ? 'S' : 'R') : null,
        ...(waitingOn ? {waitingOn} : {}),
        ...(st.appState === 'crashed' ? {crashReason: st.stoppedReason ?? st.crashReason ?? 'unknown'} : {}),
        pid: st.pid ?? null,
        uid: r.uid,
        memory: {currentBytes: st.memoryBytes, peakBytes: st.peakMemoryBytes, limitBytes: APP_RAM_CAP_BYTES},
        restarts: st.restarts,
        cpuShare: proc && now > 0 ? Math.min(1, proc.cpuNs / now) : 0,
        // declared in the manifest (as `Gpio:8`, `MutableStorage`, ...); what was used is in usedCapabilities
        capabilities: this.declared(r.componentId),
        usedCapabilities: this.dev.usedCapabilities(r.componentId),
        host: this.dev.hostUsage(r.componentId),
      }
    })
  }

  private declared(componentId: string): string[] {
    const image = this.dev.apps.image(componentId)
    return image ? declaredCapabilities(image.manifest) : []
  }

  appLog(componentId: string, since: number): SphereLogEntry[] | undefined {
    const cid = componentId.toLowerCase()
    let ring = this.logs.get(cid)
    if (!ring) {
      const installed = this.dev.appStatus(cid).state !== 'notPresent'
      const fresh = this.ringFromText(cid)
      if (!installed && fresh.entries.length === 0) return undefined
      this.logs.set(cid, (ring = fresh))
    }
    return ring.entries.filter((e) => e.seq > since)
  }

  audit(since: number): SphereAuditRecord[] {
    return this.dev
      .auditLog()
      .filter((r) => r.seq > since)
      .map(auditRecord)
  }

  // ---- world ----

  world(): SphereWorldState {
    const w = this.dev.world
    const pins = new Map(w.snapshot().map((p) => [p.gpio, p]))
    const nowMs = this.dev.kernel.now() / NS_PER_MS
    const activity = (gpio: number): PinActivityFields & {blinkHz: number | null} => {
      const t = w.transitions(gpio)
      const a: PinActivityFields = {
        transitions: t.count,
        lastChangeMs: t.lastNs < 0 ? null : t.lastNs / NS_PER_MS,
        periodMs: t.periodNs === undefined ? null : t.periodNs / NS_PER_MS,
      }
      const hz = blinkHz(a, nowMs)
      const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000)
      return {...a, periodMs: round(a.periodMs), blinkHz: round(hz)}
    }
    return {
      board: w.board.name,
      virtualTimeMs: nowMs,
      leds: w.board.leds.map((l) => ({name: l.name, gpio: l.gpio, on: w.ledOn(l.name), color: l.color, ...activity(l.gpio)})),
      buttons: w.board.buttons.map((b) => ({
        name: b.name,
        gpio: b.gpio,
        pressed: w.buttonPressed(b.name),
        // a button starts released: every second change of its pin is a press
        presses: Math.floor((w.transitions(b.gpio).count + 1) / 2),
      })),
      gpios: [...pins.values()].map((p) => {
        const a = activity(p.gpio)
        // an input (a button) is pressed, not blinked: its changes are counted, no rate is given
        return {id: p.gpio, level: p.level, direction: p.driven ? 'out' : 'in', ...a, blinkHz: p.driven ? a.blinkHz : null}
      }),
      ...worldExtras(w),
    }
  }

  setWorld(set: Record<string, unknown>): SphereWorldState {
    // the paths of src/os/services/world-file.ts (docs/world.md): buttons, gpios, adc, sensors, uarts, rtApps
    for (const [path, value] of Object.entries(set)) setWorldPath(this.dev.world, path, value)
    this.emit({type: 'world'})
    return this.world()
  }

  async press(button: string, holdMs = 100): Promise<SphereWorldState> {
    try {
      this.dev.pressButton(button)
    } catch (e) {
      if (e instanceof RangeError) throw new OsError('WORLD_BAD_PATH', e.message)
      throw e
    }
    await this.dev.runFor(holdMs)
    this.dev.releaseButton(button)
    return this.world()
  }

  async advance(ms: number): Promise<number> {
    if (this.dev.kernel.mode !== 'fast-forward')
      throw new OsError('CLOCK_NOT_VIRTUAL', 'the device runs on the realtime clock: its time cannot be advanced (start it with --clock fast-forward or --record)')
    await this.dev.runFor(ms)
    return this.dev.kernel.now() / NS_PER_MS
  }

  private boots = 0

  position(): {boot: number; step: number; virtualTimeMs: number} {
    return {boot: this.boots, step: this.dev.kernel.steps, virtualTimeMs: this.dev.kernel.now() / NS_PER_MS}
  }

  /**
   * Replace the device with one booted from `prepare`'s state (snapshot restore): shut the current one down,
   * let `prepare` rewrite the state directory, boot with `bootOverrides` (a replay tap) and serve the new device.
   */
  async reboot(prepare: () => void, bootOverrides: Partial<DeviceBootOptions>, boots: number): Promise<Device> {
    this.detach()
    const world = this.dev.world
    await this.dev.shutdown()
    prepare()
    this.bootOpts = {...this.bootOpts, ...bootOverrides}
    this.dev = await Device.boot({...this.bootOpts, world})
    this.boots = boots
    this.bootWall = Date.now()
    this.session = []
    this.logs.clear()
    this.attach()
    this.emit({type: 'device'})
    this.emit({type: 'apps'})
    return this.dev
  }

  /** Set the boot number position() reports (a restored snapshot continues its numbering). */
  setBoots(n: number): void {
    this.boots = n
  }

  /** Change what later boots (restarts) are booted with. */
  updateBootOptions(p: Partial<DeviceBootOptions>): void {
    Object.assign(this.bootOpts, p)
  }

  /**
   * Device recovery (`device recover`): shut the device down, erase its flash as the recovery bootloader
   * does (apps, their storage and logs, staged images, board configurations, the OS slots, usage and audit
   * records; the device ID and manufacturing state are kept, capabilities return to what the device shipped
   * with), write the shipped OS and boot it. The REST services' own configuration (Wi-Fi, certificates,
   * proxy) is erased by the caller (RestController.recover).
   */
  async recover(): Promise<RecoverReport> {
    this.detach()
    const world = this.dev.world
    const before = {apps: this.dev.apps.installed().length, boardConfigs: this.dev.boardConfigs.list().length, osVersion: this.osVersion()}
    await this.dev.shutdown()
    eraseForRecovery(this.bootOpts.stateDir, this.bootOpts.capabilities ?? ['appDevelopment'])
    this.dev = await Device.boot({...this.bootOpts, world})
    this.boots++
    this.bootWall = Date.now()
    this.session = []
    this.logs.clear()
    this.attach()
    this.emit({type: 'device'})
    this.emit({type: 'apps'})
    return {
      previousOsVersion: before.osVersion,
      osVersion: this.osVersion(),
      images: this.dev.updates.recoveryImages(),
      erased: {apps: before.apps, boardConfigs: before.boardConfigs},
    }
  }

  // ---- lifecycle ----

  subscribe(fn: (e: BackendEvent) => void, types?: readonly BackendEvent['type'][]): () => void {
    this.listeners.set(fn, types)
    this.attachLive()
    return () => {
      if (this.listeners.delete(fn)) this.attachLive()
    }
  }

  async restart(): Promise<void> {
    this.detach()
    const world = this.dev.world // the board's surroundings (world file, PTY bridges) survive a restart
    await this.dev.shutdown()
    this.dev = await Device.boot({...this.bootOpts, world})
    this.boots++
    this.bootWall = Date.now()
    this.session = [] // a capability session ends with the boot it was applied in
    this.logs.clear()
    this.attach()
    this.emit({type: 'device'})
    this.emit({type: 'apps'})
  }
}

function auditRecord(r: AuditRecord): SphereAuditRecord {
  return {
    seq: r.seq,
    time: r.t / NS_PER_MS,
    subject: r.subject,
    operation: r.operation,
    object: r.object,
    allowed: r.allowed,
    reason: r.reason,
    ...(r.count !== undefined ? {count: r.count} : {}),
    ...(r.previousBoot ? {previousBoot: true} : {}),
  }
}
