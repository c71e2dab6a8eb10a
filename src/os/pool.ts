/**
 * Many simulated devices in one process, cheaply (docs/fleet-scale.md). A DevicePool boots Devices that
 * share what is the same for all of them and keep apart what is each one's own:
 *
 *   shared   the compiled app (one check + instrumentation + WebAssembly compile per binary, runtime/loader.ts),
 *            one instrumented-binary cache directory, the SDK test key object
 *   own      kernel, clock, LSM and audit log, world, network, state directory (identity, capabilities,
 *            installed images, mutable storage), every app instance with its memory and globals
 *
 * The pool does not change what a Device does: each member is an ordinary `Device.boot` with its own
 * state directory under the pool's root.
 */
import {mkdirSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {durableWrites, setDurableWrites} from '../util/atomic-file.js'
import {checkWasmRoom, wasmAddressSpace, type WasmAddressSpace} from '../util/wasm-address-space.js'
import {Device, type DeviceBootOptions} from './device.js'
import {OsError} from './errors.js'
import type {ClockMode} from './kernel/clock.js'
import {appCacheStats, type AppCacheStats} from './runtime/loader.js'
import type {AppStatus, UnpackedImage} from './services/app-manager.js'

/** Per-device boot options the pool passes through (the pool chooses stateDir and cacheDir). */
export type PoolDeviceOptions = Partial<Omit<DeviceBootOptions, 'stateDir' | 'cacheDir'>>

export {wasmAddressSpace, type WasmAddressSpace}

export interface DevicePoolOptions {
  /**
   * Where the members' state directories go (`<root>/<index>`). Default: a new directory in /dev/shm when
   * it exists (the state is in memory), else in the OS temp directory; a root the pool made is removed by
   * close() unless `keepState`.
   */
  root?: string
  /**
   * Whether state writes wait for the disk (fsync). Default false: a pool's state is scratch, and the fsyncs
   * are most of a device's boot on a real disk. Process-wide while the pool is open (setDurableWrites);
   * close() restores the previous setting.
   */
  durable?: boolean
  /** Default 'fast-forward' (deterministic, runs only inside runFor). */
  clock?: ClockMode
  /** Boot options of member `index` (world, capabilities, epochMs, network, ...). */
  device?: (index: number) => PoolDeviceOptions
}

/** One pool figure set: members, the process's memory, the shared app cache. */
export interface PoolStats {
  devices: number
  rssBytes: number
  heapUsedBytes: number
  /** Bytes of the members' state directories (on /dev/shm this is memory too). */
  stateBytes: number
  cache: AppCacheStats
  addressSpace: WasmAddressSpace
}

function dirBytes(dir: string): number {
  let n = 0
  const walk = (d: string): void => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) n += statSync(p).blocks * 512
    }
  }
  walk(dir)
  return n
}

function defaultRoot(): string {
  let base = tmpdir()
  try {
    if (statSync('/dev/shm').isDirectory()) base = '/dev/shm'
  } catch {
    // no /dev/shm: the OS temp directory
  }
  return mkdtempSync(join(base, 'sphere-pool-'))
}

/**
 * Devices booted into one process. Members are numbered from 0 in boot order; `device(i)` is member i.
 * Nothing is shared between members that one of them could change (see the header of this file).
 */
export class DevicePool {
  readonly root: string
  /** The one instrumented-binary cache directory of the members. */
  readonly cacheDir: string
  private readonly members: Device[] = []
  private readonly ownsRoot: boolean
  private readonly wasDurable: boolean
  private readonly clock: ClockMode
  private readonly perDevice?: (index: number) => PoolDeviceOptions
  private closed = false

  constructor(opts: DevicePoolOptions = {}) {
    this.ownsRoot = opts.root === undefined
    this.root = opts.root ?? defaultRoot()
    mkdirSync(this.root, {recursive: true})
    this.cacheDir = join(this.root, 'cache')
    this.clock = opts.clock ?? 'fast-forward'
    this.perDevice = opts.device
    this.wasDurable = setDurableWrites(opts.durable ?? false)
  }

  get size(): number {
    return this.members.length
  }

  /** Member `index` (OsError FLEET_NO_DEVICE when there is none). */
  device(index: number): Device {
    const d = this.members[index]
    if (!d) throw new OsError('FLEET_NO_DEVICE', `the pool has no device ${index} (it holds ${this.size})`)
    return d
  }

  devices(): readonly Device[] {
    return this.members
  }

  /** State directory of member `index`. */
  stateDir(index: number): string {
    return join(this.root, String(index))
  }

  /**
   * Boot `count` more members (state directories `<root>/<index>`; an existing one is booted from, so a
   * pool over a kept root comes back with its state). Refuses up front, with FLEET_ADDRESS_SPACE, a pool
   * whose running apps would not fit the process's address space (`appsPerDevice`, default 1).
   */
  async boot(count: number, opts: {appsPerDevice?: number} = {}): Promise<Device[]> {
    if (this.closed) throw new OsError('FLEET_CLOSED', 'the device pool is closed')
    if (!Number.isInteger(count) || count < 0)
      throw new OsError('FLEET_BAD_COUNT', `the device count must be a whole number >= 0, not ${count}`)
    checkWasmRoom(count, {appsPerDevice: opts.appsPerDevice, subject: `${count} more devices`})
    const out: Device[] = []
    for (let i = 0; i < count; i++) {
      const index = this.members.length
      const d = await Device.boot({
        clock: this.clock,
        ...this.perDevice?.(index),
        stateDir: this.stateDir(index),
        cacheDir: this.cacheDir,
      })
      this.members.push(d)
      out.push(d)
    }
    return out
  }

  /** Install an image on every member (or the image `img(index)` gives it), one member at a time. */
  async installAll(
    img: UnpackedImage | ((index: number) => UnpackedImage),
    opts: {start?: boolean; ab?: boolean} = {},
  ): Promise<AppStatus[]> {
    const out: AppStatus[] = []
    for (let i = 0; i < this.members.length; i++)
      out.push(await this.members[i]!.install(typeof img === 'function' ? img(i) : img, opts))
    return out
  }

  /**
   * Run `ms` of virtual time on every member in lockstep: each runs `stepMs` (default 1000), then the next,
   * so no member gets ahead of the others by more than one step.
   */
  async runFor(ms: number, opts: {stepMs?: number} = {}): Promise<void> {
    const step = opts.stepMs ?? 1000
    for (let done = 0; done < ms; done += step) {
      const slice = Math.min(step, ms - done)
      for (const d of this.members) await d.runFor(slice)
    }
  }

  stats(): PoolStats {
    const m = process.memoryUsage()
    let stateBytes = 0
    try {
      stateBytes = dirBytes(this.root)
    } catch {
      // removed under us: 0
    }
    return {
      devices: this.members.length,
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      stateBytes,
      cache: appCacheStats(),
      addressSpace: wasmAddressSpace(),
    }
  }

  /** Shut every member down, restore the write durability, and remove a root the pool made (unless `keepState`). */
  async close(opts: {keepState?: boolean} = {}): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const d of this.members) await d.shutdown()
    setDurableWrites(this.wasDurable)
    if (this.ownsRoot && !opts.keepState) rmSync(this.root, {recursive: true, force: true})
  }

  /** Whether state writes wait for the disk right now (process-wide). */
  static durableWrites(): boolean {
    return durableWrites()
  }
}
