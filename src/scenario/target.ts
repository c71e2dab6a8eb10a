/**
 * The one narrow interface the scenario runner drives a device through (`DeviceTarget`), and its in-process
 * implementation: a simulated Device booted on the fast-forward clock in this process, from a fresh state
 * directory, with a device ID fixed by the scenario (so two runs are the same run).
 *
 * Every input that crosses into the device goes through a method here (install, start, stop, press,
 * release, setWorld, runUntil, restart, powerLoss, and the host's network traffic through hostEndpoint), and
 * everything the device does comes out as trace entries (onTrace). A recorder wraps a DeviceTarget (same
 * interface, each input written with the virtual time before it is passed on); a replayer is a driver that
 * calls the same methods from a recording instead of from a scenario.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync} from 'node:fs'
import type {TrustAnchors} from '../image/index.js'
import {Device, NS_PER_MS, StateStore, type AppStatus, type Board} from '../os/index.js'
import type {HostListener} from '../os/runtime/net-host.js'
import type {NetworkOptions} from '../os/services/network.js'
import {applyWorldFile, closeWorldBridges, setWorldPath} from '../os/services/world-file.js'
import type {World} from '../os/hw/world.js'
import {TRACE_EVENTS, traceEntry, type TraceEntry} from './trace.js'

export interface DeviceSetup {
  /** A fresh directory for the device's state. */
  stateDir: string
  /** Instrumented-binary cache (may be shared by runs). */
  cacheDir?: string
  /** 128 hex characters. */
  deviceId: string
  capabilities?: ('appDevelopment' | 'fieldServicing' | 'enableRfTestMode')[]
  /** World file text (YAML/JSON), applied once at first boot; the world survives restarts. */
  worldText?: string
  /** Keys image packages must be signed with. */
  trust?: TrustAnchors
  /** Host map and port map of the device's network (e.g. device port 11000 -> any free host port). */
  network?: NetworkOptions
  /** Waits served in place (DeviceBootOptions.inPlaceWaits; default true). */
  inPlaceWaits?: boolean
}

export interface DeviceTarget {
  /** The first boot (subscribe with onTrace before, to see it). */
  powerOn(): Promise<void>
  /** Virtual ns since the run began (monotonic across restarts). */
  now(): number
  /** Boots so far minus one (0 for the first boot). */
  readonly boot: number
  readonly board: Board
  /** Sideload and install an image package (starting it unless `start` is false). */
  install(pkg: Uint8Array, opts: {start: boolean}): Promise<AppStatus>
  start(componentId: string): AppStatus
  stop(componentId: string): Promise<AppStatus>
  press(button: string): void
  release(button: string): void
  /** Change the world at a path (docs/world.md). */
  setWorld(path: string, value: unknown): void
  /** Run virtual time until `done()` or `maxNs` passed; whether done. */
  runUntil(done: () => boolean, maxNs: number): Promise<boolean>
  /** Reboot: apps get SIGTERM (the grace period), state is flushed, the device boots again. */
  restart(): Promise<void>
  /** Power cut: everything stops at once, nothing is flushed; the device boots again after `offNs`. */
  powerLoss(offNs: number): Promise<void>
  appStatus(componentId: string): AppStatus
  pinLevel(gpio: number): 0 | 1
  /** Where the host reaches an app's bound port (undefined: nothing bound there). */
  hostEndpoint(protocol: 'tcp' | 'udp', devicePort: number): HostListener | undefined
  /**
   * Trace entries as they happen (across restarts), each with its run time: virtual ns since the run began,
   * monotonic over boots (an entry's own `t` counts from its boot). Returns the unsubscribe function.
   */
  onTrace(fn: (e: TraceEntry, runNs: number) => void): () => void
  close(): Promise<void>
}

/** A device ID derived from a name: the same scenario gets the same device every run. */
export function deviceIdFor(name: string): string {
  return createHash('sha512').update(`sphere-test:${name}`).digest('hex')
}

export class InProcessTarget implements DeviceTarget {
  private dev!: Device
  private world!: World
  private offsetNs = 0
  private bootIndex = -1
  private readonly listeners = new Set<(e: TraceEntry, runNs: number) => void>()
  private unsubscribe?: () => void

  private constructor(private readonly setup: DeviceSetup) {}

  /** A target whose device is not booted yet: subscribe (onTrace), then powerOn(). */
  static create(setup: DeviceSetup): InProcessTarget {
    return new InProcessTarget(setup)
  }

  /** Create and power on (no trace listener sees the first boot). */
  static async boot(setup: DeviceSetup): Promise<InProcessTarget> {
    const t = new InProcessTarget(setup)
    await t.powerOn()
    return t
  }

  async powerOn(): Promise<void> {
    if (this.bootIndex >= 0) throw new Error('the device is already on')
    const setup = this.setup
    mkdirSync(setup.stateDir, {recursive: true})
    // the identity before the first boot: a fixed device ID instead of a random one
    StateStore.open(setup.stateDir).writeIdentity({
      deviceId: setup.deviceId,
      manufacturingState: 'Blank',
      capabilities: setup.capabilities ?? ['appDevelopment'],
      bootCount: 0,
    })
    await this.bootDevice(setup.worldText)
  }

  private async bootDevice(worldText?: string): Promise<void> {
    this.dev = await Device.boot({
      stateDir: this.setup.stateDir,
      clock: 'fast-forward',
      ...(this.world ? {world: this.world} : {}),
      ...(this.setup.cacheDir ? {cacheDir: this.setup.cacheDir} : {}),
      ...(this.setup.trust ? {trust: this.setup.trust} : {}),
      ...(this.setup.network ? {network: this.setup.network} : {}),
      ...(this.setup.inPlaceWaits !== undefined ? {inPlaceWaits: this.setup.inPlaceWaits} : {}),
      // apps installed with auto-start run at boot, as on a device
      autostart: false,
    })
    this.world = this.dev.world
    // the world file once, at the first boot, before any app runs (the world outlives restarts)
    if (worldText !== undefined) applyWorldFile(this.dev, worldText)
    this.bootIndex++
    const boot = this.bootIndex
    const offset = this.offsetNs
    this.unsubscribe = this.dev.subscribe((e) => {
      const entry = traceEntry(e, boot)
      if (entry) this.emit(entry, offset + entry.t)
    }, TRACE_EVENTS)
    // auto-start after subscribing, so the trace holds the apps' first lines
    this.dev.apps.autostart()
  }

  private emit(e: TraceEntry, runNs: number): void {
    for (const fn of this.listeners) fn(e, runNs)
  }

  get boot(): number {
    return this.bootIndex
  }

  get board(): Board {
    return this.world.board
  }

  /** The Device itself (tests and tools that look deeper than the interface). */
  get device(): Device {
    return this.dev
  }

  now(): number {
    return this.offsetNs + this.dev.kernel.now()
  }

  install(pkg: Uint8Array, opts: {start: boolean}): Promise<AppStatus> {
    return this.dev.installPackage(pkg, {start: opts.start, source: 'sideload'})
  }

  start(componentId: string): AppStatus {
    return this.dev.startApp(componentId)
  }

  stop(componentId: string): Promise<AppStatus> {
    return this.dev.stopApp(componentId)
  }

  press(button: string): void {
    this.dev.pressButton(button)
  }

  release(button: string): void {
    this.dev.releaseButton(button)
  }

  setWorld(path: string, value: unknown): void {
    setWorldPath(this.world, path, value)
  }

  runUntil(done: () => boolean, maxNs: number): Promise<boolean> {
    return this.dev.kernel.runUntil(done, maxNs)
  }

  async restart(): Promise<void> {
    // SIGTERM and the grace period for each running app, as a reboot gives them
    for (const r of this.dev.apps.installed()) {
      if (this.dev.appStatus(r.componentId).state !== 'stopped') await this.dev.stopApp(r.componentId)
    }
    await this.reboot(false, 0)
  }

  async powerLoss(offNs: number): Promise<void> {
    await this.reboot(true, offNs)
  }

  private async reboot(powerLoss: boolean, offNs: number): Promise<void> {
    const end = this.now()
    this.unsubscribe?.()
    await this.dev.shutdown({powerLoss})
    this.offsetNs = end + offNs
    await this.bootDevice()
  }

  appStatus(componentId: string): AppStatus {
    return this.dev.appStatus(componentId)
  }

  pinLevel(gpio: number): 0 | 1 {
    return this.dev.pinLevel(gpio)
  }

  hostEndpoint(protocol: 'tcp' | 'udp', devicePort: number): HostListener | undefined {
    return this.dev.network.listeners().find((l) => l.protocol === protocol && l.devicePort === devicePort && l.componentId !== '')
  }

  onTrace(fn: (e: TraceEntry, runNs: number) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  async close(): Promise<void> {
    this.unsubscribe?.()
    await closeWorldBridges(this.world)
    await this.dev.shutdown()
  }
}

/** Read a world file for DeviceSetup.worldText (inline worlds are serialised as JSON, which YAML reads). */
export function worldText(world: string | Record<string, unknown> | undefined): string | undefined {
  if (world === undefined) return undefined
  return typeof world === 'string' ? readFileSync(world, 'utf8') : JSON.stringify(world)
}

export {NS_PER_MS}
