import {createHash, randomFillSync} from 'node:crypto'
import {APP_FLASH_BYTES} from '../hw/chip.js'
import {Errno, Signal} from '../kernel/errno.js'
import type {ProcessState} from '../kernel/events.js'
import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import {NS_PER_MS} from '../kernel/clock.js'
import type {Lsm} from '../lsm/lsm.js'
import {compilePolicy, type AppManifest, type AppPolicy} from '../lsm/policy.js'
import {loadApp, spawnApp, type AppEnvironment, type LoadedApp} from '../runtime/index.js'
import {MutableFile, PackageFile} from '../storage/mutable-file.js'
import type {InstalledAppRecord, StateStore, StoredImage} from '../storage/state-store.js'
import {SphereError} from '../../util/errors.js'
import type {AppLogs} from './app-log.js'

/** An image package after parsing and signature verification, as the app manager installs it. */
export interface UnpackedImage {
  componentId: string
  imageId: string
  manifest: AppManifest
  /** Package-relative paths (`bin/app`, `app_manifest.json`, resources). */
  files: Map<string, Uint8Array>
}

/** `state` uses the device REST API's names; the detail fields are ours. */
export interface AppStatus {
  componentId: string
  state: 'notPresent' | 'running' | 'stopped' | 'debugging'
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
  /** Virtual time (ns) of the next automatic restart, when one is scheduled. */
  nextRestartAt?: number
  memoryBytes: number
  peakMemoryBytes: number
  fds: {fd: number; kind: string; description: string}[]
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
  mutable?: MutableFile
  debug: boolean
}

const FIRST_UID = 1000

/**
 * The application manager: install (from an unpacked, verified image), start, stop (SIGTERM, then SIGKILL
 * after a grace period), auto-start on boot, restart of crashed apps with exponential back-off, uninstall.
 */
export class AppManager {
  private readonly apps = new Map<string, AppEntry>()
  private readonly grace: number
  private readonly backoff: number
  private readonly maxBackoff: number

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
        restarts: 0,
        debug: false,
      })
    }
  }

  /** Start the apps installed with auto-start. */
  autostart(): void {
    for (const a of this.apps.values()) if (a.record.autostart) this.start(a.record.componentId)
  }

  installed(): InstalledAppRecord[] {
    return [...this.apps.values()].map((a) => a.record)
  }

  image(componentId: string): StoredImage | undefined {
    return this.apps.get(componentId)?.image
  }

  /**
   * Install (or replace) an app. The binary is checked and instrumented first; the image file is made
   * durable, then apps.json is rewritten (the commit point). A running old version is stopped first.
   */
  async install(img: UnpackedImage, opts: {start?: boolean} = {}): Promise<AppStatus> {
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
    const {instrument, ...loaded} = await loadApp(bin, {cacheDir: this.store.cacheDir})
    void instrument
    const old = this.apps.get(cid)
    const used = [...this.apps.values()].filter((a) => a !== old).reduce((n, a) => n + a.record.sizeBytes, 0)
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
    if (old?.proc) await this.stop(cid)
    const written = this.store.writeImage(image)
    const uid = old?.record.uid ?? this.nextUid()
    const record: InstalledAppRecord = {
      componentId: cid,
      imageId: image.imageId,
      name: policy.name,
      file: written.file,
      sha256: written.sha256,
      sizeBytes: size,
      uid,
      autostart: opts.start ?? true,
    }
    this.store.commitRegistry([...this.installed().filter((r) => r.componentId !== cid), record])
    this.store.collectGarbage()
    this.lsm.setPolicy(policy)
    this.apps.set(cid, {record, image, policy, loaded, stopping: false, crashes: 0, restarts: 0, debug: false})
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'installed', detail: image.imageId})
    if (opts.start ?? true) return this.start(cid)
    return this.status(cid)
  }

  async uninstall(componentId: string): Promise<void> {
    const cid = componentId.toLowerCase()
    const a = this.apps.get(cid)
    if (!a) return
    await this.stop(cid)
    this.store.commitRegistry(this.installed().filter((r) => r.componentId !== cid))
    this.apps.delete(cid)
    this.store.collectGarbage()
    this.store.deleteAppData(cid)
    this.logs.clear(cid)
    this.lsm.removePolicy(cid)
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'uninstalled'})
  }

  start(componentId: string, opts: {debug?: boolean} = {}): AppStatus {
    const cid = componentId.toLowerCase()
    const a = this.entry(cid)
    if (a.proc?.alive) return this.status(cid)
    if (opts.debug) {
      const d = this.lsm.check({kind: 'host', name: 'app-manager'}, {op: 'process.debug', componentId: cid})
      if (!d.allowed) throw new SphereError('OS_DEBUG_NOT_ALLOWED', `cannot debug ${a.record.name}: ${d.reason}`)
    }
    this.cancelRestart(a)
    a.restarts = 0
    a.crashes = 0
    a.debug = opts.debug ?? false
    this.spawn(a)
    this.kernel.bus.emit({type: 'app', componentId: cid, action: 'started'})
    return this.status(cid)
  }

  private spawn(a: AppEntry): void {
    const cid = a.record.componentId
    a.stopping = false
    a.proc = spawnApp(
      this.kernel,
      this.lsm,
      a.loaded,
      {componentId: cid, name: a.record.name, uid: a.record.uid, debug: a.debug},
      this.environment(a),
    )
    a.lastProc = a.proc
    this.logs.system(cid, `started ${a.record.name} as pid ${a.proc.pid} (uid ${a.record.uid})`)
  }

  /** SIGTERM, then SIGKILL if the app has not exited after the grace period. */
  async stop(componentId: string): Promise<AppStatus> {
    const cid = componentId.toLowerCase()
    const a = this.entry(cid)
    this.cancelRestart(a)
    const p = a.proc
    if (!p?.alive) return this.status(cid)
    a.stopping = true
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
    if (!a) return {componentId: cid, state: 'notPresent', restarts: 0, memoryBytes: 0, peakMemoryBytes: 0, fds: []}
    const p = a.proc?.alive ? a.proc : undefined
    const last = a.lastProc
    return {
      componentId: cid,
      state: p ? (p.debug ? 'debugging' : 'running') : 'stopped',
      name: a.record.name,
      imageId: a.record.imageId,
      uid: a.record.uid,
      pid: p?.pid,
      processState: p?.state ?? last?.state,
      exitCode: p ? undefined : last?.exitCode,
      crashReason: p ? undefined : last?.crashReason,
      restarts: a.restarts,
      nextRestartAt: a.nextRestartAt,
      memoryBytes: p?.memoryBytes ?? 0,
      peakMemoryBytes: last?.peakMemoryBytes ?? 0,
      fds: p ? p.fds.list() : [],
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
    if (p.life === 'crashed') this.logs.system(cid, `pid ${p.pid} crashed: ${p.crashReason ?? 'unknown'}`)
    else this.logs.system(cid, `pid ${p.pid} exited${p.exitCode !== undefined ? ` with code ${p.exitCode}` : ''}`)
    this.logs.flush()
    if (a.stopping || p.life !== 'crashed' || p.crashReason === 'device shutdown') return
    // Restart with exponential back-off; a run of a minute or more resets the count.
    const ran = this.kernel.now() - p.startedAt
    a.crashes = ran >= 60_000 * NS_PER_MS ? 1 : a.crashes + 1
    const delay = Math.min(this.maxBackoff, this.backoff * 2 ** (a.crashes - 1))
    a.nextRestartAt = this.kernel.now() + delay
    this.kernel.bus.emit({
      type: 'app',
      componentId: cid,
      action: 'restart-scheduled',
      detail: `in ${delay / NS_PER_MS} ms`,
    })
    this.logs.system(cid, `restarting in ${delay / NS_PER_MS} ms`)
    a.restartTimer = this.kernel.setTimer(a.nextRestartAt, () => {
      a.restartTimer = undefined
      a.nextRestartAt = undefined
      if (a.proc?.alive || !this.apps.has(cid)) return
      a.restarts++
      try {
        this.spawn(a)
      } catch (e) {
        this.logs.system(cid, `restart failed: ${(e as Error).message}`)
      }
    })
  }

  private environment(a: AppEntry): AppEnvironment {
    const cid = a.record.componentId
    const manifest = a.image.manifest
    const rng = this.kernel.mode === 'fast-forward' ? seededRandom(`${this.opts.seed}/${cid}/${a.restarts}`) : undefined
    return {
      args: [`/mnt/apps/${cid}/${(manifest.EntryPoint ?? '/bin/app').replace(/^\//, '')}`, ...(manifest.CmdArgs ?? [])],
      env: [],
      output: (_stream, data) => this.logs.append(cid, a.proc?.pid ?? 0, data),
      openMutableStorage: () => {
        const quota = a.policy.mutableStorageBytes
        if (quota === undefined) return -Errno.EACCES
        try {
          a.mutable ??= new MutableFile(this.store, cid, quota)
        } catch {
          return -Errno.EIO
        }
        return a.mutable
      },
      deleteMutableStorage: () => {
        a.mutable = undefined
        return this.store.deleteMutable(cid) ? 0 : -Errno.ENOENT
      },
      openPackageFile: (path) => {
        const f = a.image.files.get(path)
        return f ? new PackageFile(path, f) : -Errno.ENOENT
      },
      random: rng ?? ((buf) => randomFillSync(buf)),
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
