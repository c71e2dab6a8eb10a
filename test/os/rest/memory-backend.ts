/**
 * TEST DOUBLE at the REST server's edge: an in-memory RestBackend (no kernel, no wasm). Packages are
 * still parsed and signature-checked with the real src/image code. The conformance suite runs against
 * this and against the real Device (DeviceRestBackend) alike.
 */
import {verifyImagePackage, type TrustAnchors} from '../../../src/image/index.js'
import type {
  AppStatusResponse,
  ImagesResponse,
  ManufacturingState,
  SphereAuditRecord,
  SphereLogEntry,
  SphereWorldState,
} from '../../../src/protocol/rest-api.js'
import type {BackendEvent, RestBackend, VerifiedPackage} from '../../../src/os/rest/index.js'
import {Lsm, type DeviceCapability} from '../../../src/os/lsm/index.js'
import {SphereError} from '../../../src/util/errors.js'

const CODES: Record<string, number> = {appDevelopment: 11, enableRfTestMode: 12, fieldServicing: 13}

interface App {
  pkg: VerifiedPackage
  state: 'running' | 'stopped' | 'debugging'
  limitKB: number
  log: SphereLogEntry[]
}

export class MemoryBackend implements RestBackend {
  private boot = Date.now()
  private caps: string[]
  private mfg: ManufacturingState = 'Blank'
  private readonly apps_ = new Map<string, App>()
  private staged = new Map<string, {pkg: VerifiedPackage; limitKB: number}>()
  private readonly listeners = new Set<(e: BackendEvent) => void>()
  private readonly pressed = new Set<string>()
  private auditSeq = 0
  private readonly auditLog: SphereAuditRecord[] = []
  restarts = 0

  constructor(
    private readonly trust: TrustAnchors,
    caps: string[] = ['appDevelopment'],
  ) {
    this.caps = [...caps]
  }

  private emit(e: BackendEvent): void {
    for (const fn of this.listeners) fn(e)
  }

  uptimeSeconds(): number {
    return (Date.now() - this.boot) / 1000
  }
  deviceId(): string {
    return 'ab'.repeat(64)
  }
  osVersion(): string {
    return '25.02'
  }
  capabilityCodes(): number[] {
    return this.caps.map((c) => CODES[c]!)
  }
  capabilityNames(): string[] {
    return [...this.caps]
  }
  grantCapabilities(names: string[]): void {
    for (const n of names)
      if (!(n in CODES)) throw new SphereError('DEVICE_BAD_CAPABILITY', `unknown device capability ${n}`)
    this.caps = [...new Set([...this.caps, ...names])]
  }
  setCapabilities(names: string[]): void {
    this.caps = [...new Set(names)]
  }
  setSessionCapabilities(names: string[] | null): void {
    this.caps = [...new Set([...this.caps, ...(names ?? [])])]
  }
  revokeCapabilities(names: string[]): void {
    this.caps = this.caps.filter((c) => !names.includes(c))
  }
  manufacturingState(): ManufacturingState {
    return this.mfg
  }
  setManufacturingState(state: 'Module1Complete' | 'DeviceComplete'): void {
    this.mfg = state
  }
  deviceInfo() {
    return {
      deviceId: this.deviceId(),
      osVersion: this.osVersion(),
      uptime: Math.floor(this.uptimeSeconds()),
      capabilities: this.capabilityNames(),
      manufacturingState: this.mfg,
      clock: {mode: 'realtime' as const, virtualTimeMs: Date.now() - this.boot, speed: 1},
    }
  }
  diagnosticLog(): Uint8Array {
    return Buffer.from('memory backend log\n')
  }
  memoryStats() {
    const running = [...this.apps_.values()].filter((a) => a.state !== 'stopped').length
    return {
      currentMemoryUsageInBytes: running * 65536,
      peakUserModeMemoryUsageInBytes: running * 65536,
      userModeMemoryUsageInBytes: running * 65536,
    }
  }
  images(): ImagesResponse {
    return {
      is_ota_update_in_progress: false,
      has_staged_updates: this.staged.size > 0,
      restart_required: false,
      components: [...this.apps_.values()].map((a) => ({
        uid: a.pkg.componentId,
        image_type: 10,
        is_update_staged: this.staged.has(a.pkg.componentId),
        does_image_type_require_restart: false,
        images: [
          {
            uid: a.pkg.imageId,
            length_in_bytes: a.pkg.sizeBytes,
            uncompressed_length_in_bytes: a.pkg.sizeBytes,
            replica_type: 0,
          },
        ],
        name: a.pkg.name,
      })),
    }
  }
  verifyPackage(bytes: Uint8Array): VerifiedPackage {
    const v = verifyImagePackage(bytes, this.trust)
    if (!v.ok) throw new SphereError(v.code, v.reason)
    if (!v.package.manifest) throw new SphereError('MANIFEST_INVALID', v.package.manifestError ?? 'bad manifest')
    return {
      componentId: v.package.identity.componentId,
      imageId: v.package.identity.imageId,
      name: v.package.manifest.Name,
      imageType: v.package.identity.imageType,
      sizeBytes: bytes.length,
    }
  }
  stage(bytes: Uint8Array, pkg: VerifiedPackage): void {
    // the device's one install decision (src/os/lsm), not a copy of its rule
    const lsm = new Lsm()
    lsm.setDeviceCapabilities(this.caps as DeviceCapability[])
    lsm.setManufacturingState(this.mfg)
    const d = lsm.check(
      {kind: 'host', name: 'rest'},
      {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: pkg.componentId},
    )
    if (!d.allowed) throw new SphereError('DEVICE_SIDELOAD_NOT_ALLOWED', `the device refuses sideloading: ${d.reason}`)
    const v = verifyImagePackage(bytes, this.trust)
    const kb = v.ok ? (v.package.manifest?.Capabilities.MutableStorage?.SizeKB ?? 0) : 0
    this.staged.set(pkg.componentId, {pkg, limitKB: kb})
  }
  async installStaged(opts: {start: boolean}): Promise<void> {
    for (const {pkg, limitKB} of this.staged.values()) {
      const app: App = {pkg, state: opts.start ? 'running' : 'stopped', limitKB, log: []}
      this.apps_.set(pkg.componentId, app)
      if (opts.start) this.log(app, 'started')
    }
    this.staged.clear()
    this.emit({type: 'apps'})
  }
  async uninstall(cid: string): Promise<void> {
    if (this.apps_.delete(cid)) this.emit({type: 'apps'})
  }
  appStatus(cid: string): AppStatusResponse | undefined {
    const a = this.apps_.get(cid)
    if (!a) return undefined
    return a.state === 'debugging' ? {state: 'debugging', gdbPort: 2345, outPort: 2342} : {state: a.state}
  }
  async controlApp(cid: string, trigger: 'start' | 'stop' | 'startDebug'): Promise<AppStatusResponse> {
    const a = this.apps_.get(cid)
    if (!a) throw new SphereError('APP_NOT_INSTALLED', 'not installed')
    a.state = trigger === 'start' ? 'running' : trigger === 'stop' ? 'stopped' : 'debugging'
    this.log(a, a.state)
    this.emit({type: 'apps'})
    return this.appStatus(cid)!
  }
  appQuota(cid: string) {
    const a = this.apps_.get(cid)
    return a ? {UsageKB: 0, LimitKB: a.limitKB} : undefined
  }
  apps() {
    return [...this.apps_.values()].map((a) => ({
      componentId: a.pkg.componentId,
      name: a.pkg.name,
      state: a.state,
      pid: a.state === 'stopped' ? null : 1,
      uid: 1001,
      memory: {currentBytes: 0, peakBytes: 0, limitBytes: 262144},
      restarts: 0,
      cpuShare: 0,
      capabilities: [],
    }))
  }
  /** Test hook: the app writes a line. */
  appWrites(cid: string, text: string): void {
    const a = this.apps_.get(cid)
    if (a) this.log(a, text, 'stdout')
  }
  private log(a: App, text: string, stream: SphereLogEntry['stream'] = 'system'): void {
    const entry = {seq: a.log.length + 1, time: Date.now() - this.boot, stream, text}
    a.log.push(entry)
    this.emit({type: 'log', componentId: a.pkg.componentId, entry})
    const record = {
      seq: ++this.auditSeq,
      time: entry.time,
      subject: `app:${a.pkg.componentId}`,
      operation: 'log',
      object: stream,
      allowed: true,
      reason: 'test',
    }
    this.auditLog.push(record)
    this.emit({type: 'audit', record})
  }
  appLog(cid: string, since: number): SphereLogEntry[] | undefined {
    return this.apps_.get(cid)?.log.filter((e) => e.seq > since)
  }
  audit(since: number): SphereAuditRecord[] {
    return this.auditLog.filter((r) => r.seq > since)
  }
  world(): SphereWorldState {
    return {
      leds: [{name: 'LED1_RED', gpio: 8, on: false, color: 'red'}],
      buttons: ['A', 'B'].map((n, i) => ({name: n, gpio: 12 + i, pressed: this.pressed.has(n)})),
      gpios: [],
    }
  }
  setWorld(set: Record<string, unknown>): SphereWorldState {
    for (const [k, v] of Object.entries(set)) {
      const m = /^buttons\.([AB])$/.exec(k)
      if (!m || typeof v !== 'boolean') throw new SphereError('WORLD_BAD_PATH', `bad path ${k}`)
      if (v) this.pressed.add(m[1]!)
      else this.pressed.delete(m[1]!)
    }
    this.emit({type: 'world'})
    return this.world()
  }
  async press(button: string): Promise<SphereWorldState> {
    if (button !== 'A' && button !== 'B') throw new SphereError('WORLD_BAD_PATH', `no button ${button}`)
    this.pressed.add(button)
    this.emit({type: 'world'})
    this.pressed.delete(button)
    this.emit({type: 'world'})
    return this.world()
  }
  subscribe(fn: (e: BackendEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  async restart(): Promise<void> {
    await new Promise((r) => setTimeout(r, 200))
    this.restarts++
    this.boot = Date.now()
  }
}
