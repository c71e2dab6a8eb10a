import {createHash, randomFillSync} from 'node:crypto'
import {ADC_CONTROLLERS, APP_FLASH_BYTES, ISU_GPIO_BASE, ISU_NAMES, PWM_CONTROLLERS} from '../hw/chip.js'
import {Errno, Signal} from '../kernel/errno.js'
import type {ProcessState} from '../kernel/events.js'
import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import {NS_PER_MS} from '../kernel/clock.js'
import type {Lsm} from '../lsm/lsm.js'
import {compilePolicy, type AppManifest, type AppPolicy} from '../lsm/policy.js'
import {loadApp, spawnApp, type AppEnvironment, type LoadedApp} from '../runtime/index.js'
import {MutableStorage, PackageFile} from '../storage/mutable-file.js'
import {slotOf, type InstalledAppRecord, type StateStore, type StoredImage} from '../storage/state-store.js'
import type {NetHost} from '../runtime/net-host.js'
import type {HttpHost} from '../runtime/http-host.js'
import type {IotHost} from '../runtime/iot-host.js'
import type {DeviceTrustStore} from '../runtime/trust.js'
import {SphereError} from '../../util/errors.js'
import type {AppStateWord} from '../../protocol/app-state.js'
import type {AppLogs} from './app-log.js'

/** An image package after parsing and signature verification, as the app manager installs it. */
export interface UnpackedImage {
  componentId: string
  imageId: string
  manifest: AppManifest
  /** Package-relative paths (`bin/app`, `app_manifest.json`, resources). */
  files: Map<string, Uint8Array>
  /** Downgrade protection: the package's build date (Unix seconds), kept in the installed record. */
  version?: number
}

/** `state` uses the device REST API's names; the detail fields are ours. */
export interface AppStatus {
  componentId: string
  state: 'notPresent' | 'running' | 'stopped' | 'debugging'
  /**
   * The state in the one vocabulary (src/protocol/app-state.ts): `state`, except that an app whose last run
   * crashed (and was not stopped by hand since) is `crashed`. A stop asked for is always `stopped`.
   */
  appState: AppStateWord
  name?: string
  imageId?: string
  uid?: number
  pid?: number
  processState?: ProcessState
  exitCode?: number
  /** Why the last run ended abnormally (trap, kill, non-zero exit). */
  crashReason?: string
  /** Automatic restarts after crashes since the app was last started by hand. */
  restarts: number
  /** Why the OS left the app stopped (a crash loop); cleared by the next start. */
  stoppedReason?: string
  /** Virtual time (ns) of the next automatic restart, when one is scheduled. */
  nextRestartAt?: number
  memoryBytes: number
  peakMemoryBytes: number
  fds: {fd: number; kind: string; description: string}[]
  /** A/B slots: the image kept for rollback, a trial in progress, the last automatic rollback. */
  update?: {
    previousImageId?: string
    trialAttempts?: number
    rolledBackFrom?: {imageId: string; at: string; reason: string}
  }
}

/** Told about automatic rollbacks and confirmed trials (the update agent keeps the history). */
export interface AppUpdateEvent {
  componentId: string
  action: 'trial-start' | 'confirmed' | 'rolled-back'
  imageId: string
  /** rolled-back: the image restored. */
  restoredImageId?: string
  reason?: string
  attempts?: number
}

export interface AppQuota {
  UsageKB: number
  LimitKB: number
}

export interface AppManagerOptions {
  /** Time a stopping app gets between SIGTERM and SIGKILL (virtual ms in fast-forward). Default 5,000. */
  stopGraceMs?: number
  /** First restart delay after a crash, doubled each time up to `maxBackoffMs`. Defaults 1,000 / 60,000. */
  backoffMs?: number
  maxBackoffMs?: number
  /** Seed for random_get in fast-forward mode (the device ID). */
  seed: string
  /** The network service apps' sockets use. */
  net?: NetHost
  /** The OS's libcurl reaches servers through this (services/internet.ts). */
  http?: HttpHost
  /** The OS's Azure IoT client reaches hubs through this (services/iot-hub.ts). */
  iot?: IotHost
  /** The device's TLS trust store wolfSSL and libcurl verify with (runtime/trust.ts). */
  tlsTrust?: DeviceTrustStore
  /** Starts a new image gets before the previous one is restored (A/B rollback). Default 3. */
  trialAttempts?: number
  /**
   * Crashes in a row (each within a minute of its start) after which the app is no longer restarted and is
   * left stopped with the reason in its status, log and events. Default 5 (restarts after 1, 2, 4 and 8 s).
   */
  crashLoopLimit?: number
  /** A new image that runs this long after a start without crashing is kept (virtual ms). Default 5,000. */
  trialWindowMs?: number
  onUpdate?: (e: AppUpdateEvent) => void
  /**
   * Ours, not a real device's: keep several high-level apps installed and running side by side (the security
   * suite runs a victim beside its attackers). Default false: as on an MT3620, one high-level app (ApplicationType
   * Default) and its real-time partners; installing a second high-level app replaces the first.
   */
  multiApp?: boolean
}

/** The high-level app is the A7's one app; RealTimeCapable apps run on the M4 cores, Debugger is gdbserver. */
export function isHighLevelApp(manifest: {ApplicationType?: unknown}): boolean {
  return manifest.ApplicationType === undefined || manifest.ApplicationType === 'Default'
}

/**
 * The peripherals an app owns, as names one owner may hold (only one app on a device may own a resource): each
 * GPIO, each ISU (with the five GPIOs it drives), each PWM and ADC controller (with their GPIOs).
 */
function ownedResources(policy: AppPolicy): Map<string, string> {
  const out = new Map<string, string>()
  for (const n of policy.gpio) out.set(`gpio:${n}`, `GPIO ${n}`)
  for (const isu of new Set([...policy.uart, ...policy.i2cMaster, ...policy.spiMaster])) {
    out.set(`isu:${isu}`, isu)
    const base = ISU_GPIO_BASE[ISU_NAMES.indexOf(isu)]
    if (base !== undefined) for (let i = 0; i < 5; i++) out.set(`gpio:${base + i}`, `GPIO ${base + i} (${isu})`)
  }
  for (const c of [...PWM_CONTROLLERS, ...ADC_CONTROLLERS]) {
    if (!policy.pwm.has(c.name) && !policy.adc.has(c.name)) continue
    out.set(`ctl:${c.name}`, c.name)
    for (const g of c.gpios) out.set(`gpio:${g}`, `GPIO ${g} (${c.name})`)
  }
  return out
}

interface AppEntry {
  record: InstalledAppRecord
  image: StoredImage
  policy: AppPolicy
  loaded: LoadedApp
  proc?: Process
  lastProc?: Process
  stopping: boolean
  crashes: number
  restarts: number
  restartTimer?: number
  nextRestartAt?: number
  mutable?: MutableStorage
  debug: boolean
  /** While on trial: the previous image, ready to run again (loaded, so a rollback needs no await). */
  fallback?: {image: StoredImage; policy: AppPolicy; loaded: LoadedApp}
  trialTimer?: number
  /** Set when the OS gave up restarting the app (crash loop). */
  stoppedReason?: string
  /** Stopped by a request (a stop, an uninstall) since its last start: its state is `stopped`, not `crashed`. */
  stoppedByRequest: boolean
}

/** The operations of one component waiting or running, in order (see AppManager.serial). */
interface ComponentQueue {
  tail: Promise<unknown>
  depth: number
}

const FIRST_UID = 1000

/**
 * The application manager: install (from an unpacked, verified image), start, stop (SIGTERM, then SIGKILL
 * after a grace period), auto-start on boot, restart of crashed apps with exponential back-off (and a
 * crash-loop limit), uninstall.
 *
 * Operations on one component never interleave: install, uninstall and stop wait their turn in the
 * component's queue (other components are not held up), and start, which is synchronous, refuses with
 * DEVICE_BUSY while an operation of the component is under way. So at most one process of a component
 * runs, and it is the one its entry tracks; a process the manager does not track is killed (and logged)
 * before an install or an uninstall of its component completes.
 */
export class AppManager {
  private readonly apps = new Map<string, AppEntry>()
  private readonly grace: number
  private readonly backoff: number
  private readonly maxBackoff: number
  private readonly trialAttempts: number
  private readonly trialWindow: number
  private readonly crashLoopLimit: number
  private readonly queues = new Map<string, ComponentQueue>()

  constructor(
    private readonly kernel: Kernel,
    private readonly lsm: Lsm,
    private readonly store: StateStore,
    private readonly logs: AppLogs,
    private readonly opts: AppManagerOptions,
  ) {
    this.grace = (opts.stopGraceMs ?? 5_000) * NS_PER_MS
    this.backoff = (opts.backoffMs ?? 1_000) * NS_PER_MS
    this.maxBackoff = (opts.maxBackoffMs ?? 60_000) * NS_PER_MS
    this.trialAttempts = opts.trialAttempts ?? 3
    this.trialWindow = (opts.trialWindowMs ?? 5_000) * NS_PER_MS
    this.crashLoopLimit = opts.crashLoopLimit ?? 5
    kernel.onExit((p) => this.onExit(p))
  }

  /** Load every installed app from the state directory (instrumented binaries come from the cache). */
  async loadInstalled(): Promise<void> {
    for (const record of this.store.registry()) {
      const image = this.store.readImage(record)
      const policy = compilePolicy(image.manifest)
      const bin = appBinary(image)
      const {instrument, ...loaded} = await loadApp(bin, {cacheDir: this.store.cacheDir})
      void instrument
      this.lsm.setPolicy(policy)
      this.apps.set(record.componentId, {
        record,
        image,
        policy,
        loaded,
        stopping: false,
        crashes: 0,
        stoppedByRequest: false,
        restarts: 0,
        debug: false,
        fallback: record.trial && record.previous ? await this.loadSlot(record.previous) : undefined,
      })
    }
  }

  /** Load the previous image of an app on trial; undefined when it cannot be read (no rollback then). */
  private async loadSlot(slot: InstalledAppRecord['previous'] & object): Promise<AppEntry['fallback']> {
    try {
      const image = this.store.readImage(slot)
      const {instrument, ...loaded} = await loadApp(appBinary(image), {cacheDir: this.store.cacheDir})
      void instrument
      return {image, policy: compilePolicy(image.manifest), loaded}
    } catch {
      return undefined
    }
  }

  /** Start the apps installed with auto-start. */
  autostart(): void {
    for (const a of this.apps.values()) {
      if (!a.record.autostart) continue
      // one app that cannot start (a bad unwind area, no RAM left) must not keep the device from booting
      try {
        this.startNow(a.record.componentId)
      } catch (e) {
        this.logs.system(a.record.componentId, `not started at boot: ${(e as Error).message}`)
      }
    }
  }

  installed(): InstalledAppRecord[] {
    return [...this.apps.values()].map((a) => a.record)
  }

  image(componentId: string): StoredImage | undefined {
    return this.apps.get(componentId)?.image
  }

  /** True while an install, uninstall or stop of the component is waiting or running. */
  busy(componentId: string): boolean {
    return this.queues.has(componentId.toLowerCase())
  }

  /**
   * Run `fn` after every earlier operation of the component has finished (whatever their outcome). The
   * queue is gone before the caller resumes, so a start right after an awaited stop is not refused.
   */
  private serial<T>(cid: string, fn: () => Promise<T>): Promise<T> {
    let q = this.queues.get(cid)
    if (!q) this.queues.set(cid, (q = {tail: Promise.resolve(), depth: 0}))
    const queue = q
    queue.depth++
    const run = queue.tail.then(fn).finally(() => {
      if (--queue.depth === 0 && this.queues.get(cid) === queue) this.queues.delete(cid)
    })
    queue.tail = run.catch(() => undefined)
    return run
  }

  /**
   * Downgrade protection. An update older than the installed image of the same component is refused
   * (IMAGE_DOWNGRADE) before anything is written; the same version may be reinstalled. Checked again
   * inside the component's queue, so two concurrent installs cannot both pass against the same old image.
   */
  checkNotDowngrade(componentId: string, version: number): void {
    const cid = componentId.toLowerCase()
    const cur = this.apps.get(cid)?.record
    if (cur?.version !== undefined && version < cur.version) {
      const at = (s: number): string => new Date(s * 1000).toISOString()
      throw new SphereError(
        'IMAGE_DOWNGRADE',
        `the image package (built ${at(version)}) is older than the installed ${cur.name} (built ${at(cur.version)}): downgrades are refused`,
        {suggestions: ['Rebuild the app (a new build has a newer build date), or uninstall the installed one first']},
      )
    }
  }

  /** Kill processes of the component its entry does not track (none can exist; this keeps it so). */
  private reapUntracked(cid: string): void {
    const tracked = this.apps.get(cid)?.proc
    for (const p of this.kernel.processes()) {
      if (p.componentId !== cid || !p.alive || p === tracked) continue
      this.logs.system(cid, `killed untracked process pid ${p.pid}`)
      this.kernel.signal(p, Signal.SIGKILL)
    }
  }

  /**
   * Install (or replace) an app. The binary is checked and instrumented first; the image file is made
   * durable, then apps.json is rewritten (the commit point). A running old version is stopped first.
   */
  async install(img: UnpackedImage, opts: {start?: boolean; ab?: boolean} = {}): Promise<AppStatus> {
    const cid = img.componentId.toLowerCase()
    const policy = compilePolicy(img.manifest)
    if (policy.componentId !== cid) {
      throw new SphereError(
        'IMAGE_COMPONENT_MISMATCH',
        `the manifest's ComponentId ${policy.componentId} differs from the image's component ${cid}`,
      )
    }
    const image: StoredImage = {
      componentId: cid,
      imageId: img.imageId.toLowerCase(),
      manifest: img.manifest,
      files: img.files,
    }
    const bin = appBinary(image)
    // instrumenting may take a while and touches no state: done before the component's turn
    const {instrument, ...loaded} = await loadApp(bin, {cacheDir: this.store.cacheDir})
    void instrument
    return this.serial(cid, () => this.installNow(img, image, policy, loaded, opts))
  }

  private async installNow(
    img: UnpackedImage,
    image: StoredImage,
    policy: AppPolicy,
    loaded: LoadedApp,
    opts: {start?: boolean; ab?: boolean},
  ): Promise<AppStatus> {
    const cid = image.componentId
    if (img.version !== undefined) this.checkNotDowngrade(cid, img.version)
    const old = this.apps.get(cid)
    // one high-level app per device: a new one replaces the installed one (its real-time partners stay)
    const displaced =
      !this.opts.multiApp && isHighLevelApp(image.manifest)
        ? [...this.apps.values()].filter((a) => a !== old && isHighLevelApp(a.image.manifest))
        : []
    const stays = [...this.apps.values()].filter((a) => a !== old && !displaced.includes(a))
    this.checkResources(policy, stays)
    for (const r of displaced) {
      if (this.queues.has(r.record.componentId))
        throw new SphereError(
          'DEVICE_BUSY',
          `cannot replace ${r.record.name} (${r.record.componentId}) now: an install, uninstall or stop of it is under way (try again when it has finished)`,
        )
    }
    const used = stays.reduce((n, a) => n + a.record.sizeBytes, 0)
    const size = [...image.files.values()].reduce((n, b) => n + b.length, 0)
    if (used + size > APP_FLASH_BYTES) {
      throw new SphereError(
        'OS_FLASH_FULL',
        `not enough app flash: ${size} B needed, ${APP_FLASH_BYTES - used} B free of ${APP_FLASH_BYTES} B`,
        {
          suggestions: ['Remove an installed app first (device app uninstall)'],
        },
      )
    }
    if (old) await this.stopNow(cid)
    if (old && this.apps.get(cid) !== old)
      throw new SphereError('DEVICE_BUSY', `${cid} changed while its install waited for it to stop; install it again`)
    for (const r of displaced) await this.stopNow(r.record.componentId)
    const written = this.store.writeImage(image)
    const uid = old?.record.uid ?? this.nextUid()
    // A/B: a new image goes on trial with the last proven image kept as the other slot
    // (opts.ab: the device's update path; a plain install replaces the image in place)
    const replaced = opts.ab && old && old.record.imageId !== image.imageId ? old : undefined
    const keep = replaced ? (replaced.record.trial ? replaced.record.previous : slotOf(replaced.record)) : undefined
    const fallback = replaced
      ? replaced.record.trial
        ? replaced.fallback
        : {image: replaced.image, policy: replaced.policy, loaded: replaced.loaded}
      : undefined
    const record: InstalledAppRecord = {
      componentId: cid,
      imageId: image.imageId,
      name: policy.name,
      file: written.file,
      sha256: written.sha256,
      sizeBytes: size,
      uid,
      autostart: opts.start ?? true,
      ...(img.version !== undefined ? {version: img.version} : {}),
      ...(keep && fallback ? {previous: keep, trial: {attempts: 0}} : {}),
    }
    const gone = new Set(displaced.map((r) => r.record.componentId))
    this.store.commitRegistry([...this.installed().filter((r) => r.componentId !== cid && !gone.has(r.componentId)), record])
    for (const r of displaced) this.forget(r, `replaced by the high-level app ${policy.name} (${cid}): a device runs one high-level app`)
    this.store.collectGarbage()
    this.lsm.setPolicy(policy)
    if (old) this.retire(old)
    this.apps.set(cid, {
      record,
      image,
      policy,
      loaded,
      stopping: false,
      crashes: 0,
      stoppedByRequest: false,
      restarts: 0,
      debug: false,
      fallback: record.trial ? fallback : undefined,
    })
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'installed', detail: image.imageId})
    if (record.trial)
      this.opts.onUpdate?.({componentId: cid, action: 'trial-start', imageId: image.imageId, attempts: 0})
    this.reapUntracked(cid)
    if (opts.start ?? true) return this.startNow(cid)
    return this.status(cid)
  }

  /** An entry being replaced or removed: no timer of it may fire (a restart would spawn an untracked process). */
  private retire(a: AppEntry): void {
    this.cancelRestart(a)
    if (a.trialTimer !== undefined) this.kernel.clearTimer(a.trialTimer)
    a.trialTimer = undefined
  }

  uninstall(componentId: string): Promise<void> {
    const cid = componentId.toLowerCase()
    return this.serial(cid, () => this.uninstallNow(cid))
  }

  private async uninstallNow(cid: string): Promise<void> {
    const a = this.apps.get(cid)
    if (!a) return
    await this.stopNow(cid)
    this.store.commitRegistry(this.installed().filter((r) => r.componentId !== cid))
    this.forget(a)
    this.store.collectGarbage()
  }

  /** Drop a stopped app whose record is already out of the registry: its entry, data, logs and policy. */
  private forget(a: AppEntry, why?: string): void {
    const cid = a.record.componentId
    this.retire(a)
    this.apps.delete(cid)
    this.reapUntracked(cid)
    this.store.deleteAppData(cid)
    this.logs.clear(cid)
    this.lsm.removePolicy(cid)
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'uninstalled', ...(why ? {detail: why} : {})})
  }

  /**
   * Only one app on a device may own a given resource: a new app claiming a GPIO, ISU or controller another
   * installed app (one that stays) owns is refused before anything is written (the device's error 5242884).
   */
  private checkResources(policy: AppPolicy, others: AppEntry[]): void {
    const mine = ownedResources(policy)
    if (mine.size === 0) return
    for (const o of others) {
      for (const [key, what] of ownedResources(o.policy)) {
        if (!mine.has(key)) continue
        throw new SphereError(
          'APP_GPIO_IN_USE',
          `${policy.name} (${policy.componentId}) requests ${mine.get(key)}, which the installed app ${o.record.name} (${o.record.componentId}) already uses as ${what}`,
          {suggestions: [`Remove ${o.record.name} first, or change the Capabilities in one of the two app_manifest.json files`]},
        )
      }
    }
  }

  /** Start an app (DEVICE_BUSY while an install, uninstall or stop of it is under way). */
  start(componentId: string, opts: {debug?: boolean} = {}): AppStatus {
    const cid = componentId.toLowerCase()
    this.entry(cid)
    if (this.queues.has(cid)) {
      throw new SphereError(
        'DEVICE_BUSY',
        `cannot start ${cid} now: an install, uninstall or stop of it is under way (try again when it has finished)`,
      )
    }
    return this.startNow(cid, opts)
  }

  private startNow(cid: string, opts: {debug?: boolean} = {}): AppStatus {
    const a = this.entry(cid)
    if (a.proc?.alive) return this.status(cid)
    if (opts.debug) {
      const d = this.lsm.check({kind: 'host', name: 'app-manager'}, {op: 'process.debug', componentId: cid})
      if (!d.allowed) throw new SphereError('OS_DEBUG_NOT_ALLOWED', `cannot debug ${a.record.name}: ${d.reason}`)
    }
    this.cancelRestart(a)
    a.restarts = 0
    a.crashes = 0
    a.stoppedReason = undefined
    a.debug = opts.debug ?? false
    this.spawn(a)
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'started'})
    return this.status(cid)
  }

  private spawn(a: AppEntry): void {
    if (a.record.trial && !this.beginTrialStart(a)) return
    const cid = a.record.componentId
    a.stopping = false
    a.stoppedByRequest = false
    a.proc = spawnApp(
      this.kernel,
      this.lsm,
      a.loaded,
      {componentId: cid, name: a.record.name, uid: a.record.uid, debug: a.debug},
      this.environment(a),
    )
    a.lastProc = a.proc
    this.logs.system(cid, `started ${a.record.name} as pid ${a.proc.pid} (uid ${a.record.uid})`)
    if (a.record.trial) {
      // survives the trial window: the new image is proven and kept
      const p = a.proc
      if (a.trialTimer !== undefined) this.kernel.clearTimer(a.trialTimer)
      a.trialTimer = this.kernel.setTimer(this.kernel.now() + this.trialWindow, () => {
        a.trialTimer = undefined
        if (a.proc === p && p.alive && a.record.trial && this.apps.get(cid) === a) this.confirmTrial(a)
      })
    }
  }

  /**
   * Count a start of an image on trial (durably, before it runs, so a crash or a kill -9 during the start
   * counts too). Past the limit, restore the previous image and start that instead; returns false then.
   */
  private beginTrialStart(a: AppEntry): boolean {
    const attempts = a.record.trial!.attempts + 1
    if (attempts > this.trialAttempts && a.fallback && a.record.previous) {
      this.rollback(a, `failed to start ${this.trialAttempts} times`)
      this.spawn(a)
      return false
    }
    this.commit(a, {...a.record, trial: {attempts}})
    return true
  }

  private commit(a: AppEntry, record: InstalledAppRecord): void {
    this.store.commitRegistry([...this.installed().filter((r) => r.componentId !== record.componentId), record])
    a.record = record
  }

  private confirmTrial(a: AppEntry): void {
    const {trial, ...rest} = a.record
    this.commit(a, rest)
    a.fallback = undefined
    this.logs.system(a.record.componentId, `image ${a.record.imageId} confirmed after ${trial?.attempts ?? 0} start(s)`)
    this.opts.onUpdate?.({componentId: a.record.componentId, action: 'confirmed', imageId: a.record.imageId})
  }

  /** Restore the previous slot: one atomic registry commit, then the failed image's file is collected. */
  private rollback(a: AppEntry, reason: string): void {
    const fb = a.fallback!
    const prev = a.record.previous!
    const failed = a.record
    const cid = failed.componentId
    const record: InstalledAppRecord = {
      ...prev,
      componentId: cid,
      uid: failed.uid,
      autostart: failed.autostart,
      rolledBackFrom: {imageId: failed.imageId, at: new Date().toISOString(), reason},
    }
    this.commit(a, record)
    this.store.collectGarbage()
    a.image = fb.image
    a.policy = fb.policy
    a.loaded = fb.loaded
    a.fallback = undefined
    a.mutable = undefined
    a.crashes = 0 // the restored image gets its own crash-loop count
    this.lsm.setPolicy(fb.policy)
    this.logs.system(cid, `update rolled back: image ${failed.imageId} ${reason}; restored ${prev.imageId}`)
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'installed', detail: prev.imageId})
    this.opts.onUpdate?.({
      componentId: cid,
      action: 'rolled-back',
      imageId: failed.imageId,
      restoredImageId: prev.imageId,
      reason,
      attempts: failed.trial?.attempts,
    })
  }

  /** SIGTERM, then SIGKILL if the app has not exited after the grace period. */
  async stop(componentId: string): Promise<AppStatus> {
    const cid = componentId.toLowerCase()
    const a = this.entry(cid)
    // nothing running and nothing under way: done at once (it only cancels a scheduled restart), so a
    // synchronous caller such as a boot right after a power-down never finds the component busy
    if (!a.proc?.alive && !this.queues.has(cid)) return this.stopNow(cid)
    return this.serial(cid, () => this.stopNow(cid))
  }

  private async stopNow(cid: string): Promise<AppStatus> {
    const a = this.entry(cid)
    this.cancelRestart(a)
    a.stoppedByRequest = true
    const p = a.proc
    if (!p?.alive) return this.status(cid)
    a.stopping = true
    p.stopRequested = true
    this.kernel.signal(p, Signal.SIGTERM)
    if (p.alive) {
      if (this.kernel.mode === 'fast-forward') await this.kernel.runUntil(() => !p.alive, this.grace)
      else {
        await new Promise<void>((resolve) => {
          const off = this.kernel.onExit((x) => {
            if (x === p) done()
          })
          const timer = this.kernel.setTimer(this.kernel.now() + this.grace, () => done())
          const done = (): void => {
            off()
            this.kernel.clearTimer(timer)
            resolve()
          }
        })
      }
    }
    if (p.alive) {
      this.logs.system(cid, `did not exit within the grace period: killed`)
      this.kernel.signal(p, Signal.SIGKILL)
    }
    a.stopping = false
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'stopped'})
    return this.status(cid)
  }

  status(componentId: string): AppStatus {
    const cid = componentId.toLowerCase()
    const a = this.apps.get(cid)
    if (!a)
      return {componentId: cid, state: 'notPresent', appState: 'notPresent', restarts: 0, memoryBytes: 0, peakMemoryBytes: 0, fds: []}
    const p = a.proc?.alive ? a.proc : undefined
    const last = a.lastProc
    const state = p ? (p.debug ? 'debugging' : 'running') : 'stopped'
    const crashed = !p && !a.stoppedByRequest && (last?.life === 'crashed' || a.stoppedReason !== undefined)
    return {
      componentId: cid,
      state,
      appState: crashed ? 'crashed' : state,
      name: a.record.name,
      imageId: a.record.imageId,
      uid: a.record.uid,
      pid: p?.pid,
      processState: p?.state ?? last?.state,
      exitCode: p ? undefined : last?.exitCode,
      crashReason: p ? undefined : last?.crashReason,
      restarts: a.restarts,
      ...(a.stoppedReason !== undefined && !p ? {stoppedReason: a.stoppedReason} : {}),
      nextRestartAt: a.nextRestartAt,
      memoryBytes: p?.memoryBytes ?? 0,
      peakMemoryBytes: last?.peakMemoryBytes ?? 0,
      fds: p ? p.fds.list() : [],
      ...(a.record.previous || a.record.trial || a.record.rolledBackFrom
        ? {
            update: {
              previousImageId: a.record.previous?.imageId,
              trialAttempts: a.record.trial?.attempts,
              rolledBackFrom: a.record.rolledBackFrom,
            },
          }
        : {}),
    }
  }

  quota(componentId: string): AppQuota {
    const a = this.entry(componentId.toLowerCase())
    const limit = a.policy.mutableStorageBytes
    if (limit === undefined) return {UsageKB: 0, LimitKB: 0}
    return {UsageKB: Math.ceil(this.store.mutableSize(a.record.componentId) / 1024), LimitKB: limit / 1024}
  }

  /** The running process of an app (tests and the monitor look at its fd table and memory). */
  process(componentId: string): Process | undefined {
    const p = this.apps.get(componentId.toLowerCase())?.proc
    return p?.alive ? p : undefined
  }

  private entry(cid: string): AppEntry {
    const a = this.apps.get(cid)
    if (!a) {
      throw new SphereError('APP_NOT_INSTALLED', `no application with component ID ${cid} is installed`, {
        suggestions: ['List installed apps with: sphere device image list-installed'],
      })
    }
    return a
  }

  private nextUid(): number {
    const used = new Set(this.installed().map((r) => r.uid))
    let uid = FIRST_UID
    while (used.has(uid)) uid++
    return uid
  }

  private cancelRestart(a: AppEntry): void {
    if (a.restartTimer !== undefined) this.kernel.clearTimer(a.restartTimer)
    a.restartTimer = undefined
    a.nextRestartAt = undefined
  }

  private onExit(p: Process): void {
    const a = this.apps.get(p.componentId)
    if (!a || a.proc !== p) return
    a.proc = undefined
    const cid = a.record.componentId
    const code = p.exitCode !== undefined ? ` with code ${p.exitCode}` : ''
    if (p.life === 'crashed') this.logs.system(cid, `pid ${p.pid} crashed: ${p.crashReason ?? 'unknown'}`)
    else if (p.stopRequested)
      this.logs.system(cid, `pid ${p.pid} stopped: ${p.exitCode !== undefined ? `exited with code ${p.exitCode}` : (p.crashReason ?? 'ended')}`)
    else this.logs.system(cid, `pid ${p.pid} exited${code}`)
    this.logs.flush()
    if (a.stopping || p.life !== 'crashed' || p.crashReason === 'device shutdown') return
    // Restart with exponential back-off; a run of a minute or more resets the count.
    const ran = this.kernel.now() - p.startedAt
    a.crashes = ran >= 60_000 * NS_PER_MS ? 1 : a.crashes + 1
    if (a.crashes >= this.crashLoopLimit) {
      a.stoppedReason = `crash loop: crashed ${a.crashes} times in a row, each within a minute of starting (last: ${p.crashReason ?? 'unknown'}); left stopped until started again`
      this.logs.system(cid, a.stoppedReason)
      this.kernel.bus.emit({type: 'app', componentId: cid, action: 'stopped', detail: a.stoppedReason})
      return
    }
    const delay = Math.min(this.maxBackoff, this.backoff * 2 ** (a.crashes - 1))
    a.nextRestartAt = this.kernel.now() + delay
    this.kernel.bus.emit({
      type: 'app',
      componentId: cid,
      action: 'restart-scheduled',
      detail: `in ${delay / NS_PER_MS} ms`,
    })
    this.logs.system(cid, `restarting in ${delay / NS_PER_MS} ms`)
    const fire = (): void => {
      a.restartTimer = undefined
      // an entry replaced or removed meanwhile: nothing to restart
      if (a.proc?.alive || this.apps.get(cid) !== a) {
        a.nextRestartAt = undefined
        return
      }
      // an operation of the component under way decides first; look again shortly
      if (this.queues.has(cid)) {
        a.restartTimer = this.kernel.setTimer(this.kernel.now() + 100 * NS_PER_MS, fire)
        return
      }
      a.nextRestartAt = undefined
      a.restarts++
      try {
        this.spawn(a)
      } catch (e) {
        this.logs.system(cid, `restart failed: ${(e as Error).message}`)
      }
    }
    a.restartTimer = this.kernel.setTimer(a.nextRestartAt, fire)
  }

  private environment(a: AppEntry): AppEnvironment {
    const cid = a.record.componentId
    const manifest = a.image.manifest
    const rng = this.kernel.mode === 'fast-forward' ? seededRandom(`${this.opts.seed}/${cid}/${a.restarts}`) : undefined
    return {
      args: [`/mnt/apps/${cid}/${(manifest.EntryPoint ?? '/bin/app').replace(/^\//, '')}`, ...(manifest.CmdArgs ?? [])],
      env: [],
      output: (stream, data) => this.logs.append(cid, a.proc?.pid ?? 0, data, stream === 2 ? 'stderr' : 'stdout'),
      openMutableStorage: () => {
        const quota = a.policy.mutableStorageBytes
        if (quota === undefined) return -Errno.EACCES
        try {
          a.mutable ??= new MutableStorage(this.store, cid, quota)
          return a.mutable.open()
        } catch {
          return -Errno.EIO
        }
      },
      deleteMutableStorage: () => {
        if (a.mutable) return a.mutable.delete()
        return this.store.deleteMutable(cid) ? 0 : -Errno.ENOENT
      },
      openPackageFile: (path) => {
        const f = a.image.files.get(path)
        return f ? new PackageFile(path, f) : -Errno.ENOENT
      },
      random: rng ?? pooledRandom(),
      net: this.opts.net,
      http: this.opts.http,
      iot: this.opts.iot,
      tlsTrust: this.opts.tlsTrust,
    }
  }
}

/** The app binary of an image: the manifest's EntryPoint (default bin/app). */
function appBinary(img: StoredImage): Uint8Array {
  const entry = (img.manifest.EntryPoint ?? '/bin/app').replace(/^\//, '')
  const bin = img.files.get(entry)
  if (!bin) throw new SphereError('IMAGE_NO_ENTRY_POINT', `the image has no ${entry} (the manifest's EntryPoint)`)
  if (bin[0] === 0x7f && bin[1] === 0x45 && bin[2] === 0x4c && bin[3] === 0x46) {
    throw new SphereError(
      'APP_NOT_WASM',
      `${entry} is an ARM executable for a real MT3620; the simulator runs WebAssembly apps`,
      {
        suggestions: ['Build the app with the sphere SDK (sphere app build), which targets WebAssembly'],
      },
    )
  }
  return bin
}

/** A deterministic byte stream (SHA-256 in counter mode) for fast-forward runs. */
/**
 * Real-time random_get: bytes from the host's CSPRNG, drawn 64 KiB at a time into the process's own pool and
 * each handed out once. One randomFillSync per 256-byte chunk made a C++ job object each (768 for 192 KiB),
 * which kept the garbage collector busy for 5-30 ms at a time, outside any slice: other apps' timers waited.
 */
function pooledRandom(): (buf: Uint8Array) => void {
  const pool = new Uint8Array(64 * 1024)
  let pos = pool.length
  return (buf) => {
    for (let off = 0; off < buf.length; ) {
      if (pos === pool.length) {
        randomFillSync(pool)
        pos = 0
      }
      const n = Math.min(buf.length - off, pool.length - pos)
      buf.set(pool.subarray(pos, pos + n), off)
      pos += n
      off += n
    }
  }
}

function seededRandom(seed: string): (buf: Uint8Array) => void {
  let counter = 0
  let pool = new Uint8Array(0)
  let pos = 0
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      if (pos >= pool.length) {
        pool = new Uint8Array(createHash('sha256').update(`${seed}/${counter++}`).digest())
        pos = 0
      }
      buf[i] = pool[pos++]!
    }
  }
}
