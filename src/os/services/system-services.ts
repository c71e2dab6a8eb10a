/**
 * The services behind the applibs system calls (src/os/runtime/applibs/host.ts): power control (reboot and
 * power-down of the simulated device), system event notifications with update deferral, the certificate
 * store and Wi-Fi configuration. `attachSystemServices` registers them for a device's kernel.
 *
 * The update agent uses `systemEvents(kernel)`: announce an update with `announce('UpdateReadyForInstall', ...)`,
 * then ask `deferredUntil()` whether apps asked to wait, and announce `UpdateStarted` when it installs.
 */
import {resolve} from 'node:path'
import {Errno, Signal} from '../kernel/errno.js'
import {NS_PER_S} from '../kernel/clock.js'
import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import {
  setSystemHost,
  type CertStoreAccess,
  type SysEventRecord,
  type SysEventSubscription,
  type SystemHost,
  type WifiAccess,
} from '../runtime/applibs/host.js'
import type {AppLogs} from './app-log.js'
import type {AppManager} from './app-manager.js'
import {CertStore, type CertEntry} from './certstore.js'
import {WifiConfig} from './wifi.js'
import {wifiAccess} from './wifi-access.js'

export type SysEventName = 'UpdateReadyForInstall' | 'UpdateStarted' | 'NoUpdateAvailable'
export type SysEventStatus = 'Pending' | 'Final' | 'Deferred' | 'Complete'

const EVENT_BITS: Record<SysEventName, number> = {UpdateReadyForInstall: 1, UpdateStarted: 2, NoUpdateAvailable: 4}
const STATUS_CODES: Record<SysEventStatus, number> = {Pending: 1, Final: 2, Deferred: 3, Complete: 4}

export interface UpdateAnnouncement {
  /** Default 'App'. */
  updateType?: 'App' | 'System'
  /** Default 'Pending' for UpdateReadyForInstall (apps may defer), 'Final' otherwise. */
  status?: SysEventStatus
  /** How long apps may still defer (minutes); default 1440 (24 h). */
  maxDeferralMinutes?: number
}

interface Subscriber {
  componentId: string
  mask: number
  queue: SysEventRecord[]
  onEvent: () => void
}

/** System event notifications (SysEvent_*): the update agent announces, apps subscribe and defer. */
export class SystemEvents {
  private readonly subs = new Set<Subscriber>()
  /** componentId -> monotonic ns until which it deferred the pending update. */
  private readonly deferrals = new Map<string, number>()
  private pending: {updateType: number; maxDeferralMinutes: number} | undefined
  private readonly listeners = new Set<(e: {componentId: string; deferredUntil: number | undefined}) => void>()

  constructor(private readonly kernel: Kernel) {}

  /** Queue an event for every app that registered for it. Returns how many subscriptions got it. */
  announce(event: SysEventName, info: UpdateAnnouncement = {}): number {
    const updateType = info.updateType === 'System' ? 2 : 1
    const maxDeferralMinutes = info.maxDeferralMinutes ?? 24 * 60
    const status = STATUS_CODES[info.status ?? (event === 'UpdateReadyForInstall' ? 'Pending' : 'Final')]
    if (event === 'UpdateReadyForInstall') {
      this.pending = status === STATUS_CODES.Pending ? {updateType, maxDeferralMinutes} : undefined
      this.deferrals.clear()
    } else {
      this.pending = undefined
      this.deferrals.clear()
    }
    return this.deliver({event: EVENT_BITS[event], status, maxDeferralMinutes, updateType})
  }

  /** Latest monotonic ns any app deferred the announced update to; undefined when nobody defers. */
  deferredUntil(): number | undefined {
    const now = this.kernel.now()
    let until: number | undefined
    for (const t of this.deferrals.values()) if (t > now && (until === undefined || t > until)) until = t
    return until
  }

  /** Apps that currently defer, with the time (monotonic ns) they defer to. */
  deferringApps(): {componentId: string; until: number}[] {
    const now = this.kernel.now()
    return [...this.deferrals].filter(([, t]) => t > now).map(([componentId, until]) => ({componentId, until}))
  }

  /** Called whenever an app defers or resumes. Returns the unsubscribe function. */
  onDeferralChange(fn: (e: {componentId: string; deferredUntil: number | undefined}) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  subscribe(componentId: string, mask: number, onEvent: () => void): SysEventSubscription {
    const s: Subscriber = {componentId, mask, queue: [], onEvent}
    this.subs.add(s)
    return {
      take: () => s.queue.shift(),
      pending: () => s.queue.length > 0,
      close: () => {
        this.subs.delete(s)
      },
    }
  }

  defer(componentId: string, minutes: number): number {
    if (!this.pending) return -Errno.EINVAL // nothing to defer
    const m = Math.min(minutes, this.pending.maxDeferralMinutes)
    const until = this.kernel.now() + m * 60 * NS_PER_S
    this.deferrals.set(componentId, until)
    this.deliverTo(componentId, {
      event: EVENT_BITS.UpdateReadyForInstall,
      status: STATUS_CODES.Deferred,
      maxDeferralMinutes: this.pending.maxDeferralMinutes,
      updateType: this.pending.updateType,
    })
    for (const fn of this.listeners) fn({componentId, deferredUntil: until})
    return 0
  }

  resume(componentId: string): number {
    if (!this.pending) return -Errno.EINVAL
    this.deferrals.delete(componentId)
    for (const fn of this.listeners) fn({componentId, deferredUntil: undefined})
    return 0
  }

  private deliver(r: SysEventRecord): number {
    let n = 0
    for (const s of this.subs) {
      if ((s.mask & r.event) === 0) continue
      s.queue.push({...r})
      s.onEvent()
      n++
    }
    return n
  }

  private deliverTo(componentId: string, r: SysEventRecord): void {
    for (const s of this.subs) {
      if (s.componentId !== componentId || (s.mask & r.event) === 0) continue
      s.queue.push({...r})
      s.onEvent()
    }
  }
}

export interface SystemServicesDeps {
  kernel: Kernel
  apps: AppManager
  logs: AppLogs
  /** The device's state directory (certificate store and Wi-Fi networks persist there). */
  stateDir?: string
  /** Time an app gets between SIGTERM and SIGKILL on reboot / power-down (virtual ms); default 5,000. */
  stopGraceMs?: number
  /** The update agent: its announcements become SysEvents; apps' deferrals are passed back to it. */
  updates?: UpdateAgentLike
}

/** What system events need of the update agent (src/os/services/update-agent.ts). */
export interface UpdateAgentLike {
  on(
    event: 'update-pending' | 'update-started',
    fn: (p: {id: number; updateType: 'app' | 'system'; maxDeferralMinutes: number}) => void,
  ): unknown
  defer(id: number, minutes: number): boolean
  resume(id: number): boolean
  /** The installed OS version (Applications_GetOsVersion). */
  osVersion?(): string
}

export type PowerState = 'on' | 'restarting' | 'powered-down'

const shared = new Map<string, {certs: CertStore; wifi: WifiConfig}>()

/**
 * The certificate store and Wi-Fi configuration of a state directory, one instance per directory per
 * process, so the REST API and the apps' calls see the same data.
 */
export function sharedDeviceStores(stateDir: string | undefined): {certs: CertStore; wifi: WifiConfig} {
  if (stateDir === undefined) return {certs: CertStore.open(undefined), wifi: WifiConfig.open(undefined)}
  const key = resolve(stateDir)
  let s = shared.get(key)
  if (!s) shared.set(key, (s = {certs: CertStore.open(key), wifi: WifiConfig.open(key)}))
  return s
}

/** Power control, system events, certificate store and Wi-Fi for the applibs calls of one device. */
export class SystemServices implements SystemHost {
  readonly events: SystemEvents
  /** The device certificate store (shared with the REST API). */
  readonly certStore: CertStore
  /** What the CertStore_* calls use: the store plus MoveCertificate. */
  readonly certs: CertStoreAccess
  readonly wifiConfig: WifiConfig
  private state: PowerState = 'on'
  private readonly grace: number
  private wifiByApp = new Map<string, WifiAccess>()

  get osVersion(): string | undefined {
    return this.deps.updates?.osVersion?.()
  }

  constructor(private readonly deps: SystemServicesDeps) {
    this.events = new SystemEvents(deps.kernel)
    const stores = sharedDeviceStores(deps.stateDir)
    const store = stores.certs
    this.certStore = store
    this.certs = {
      list: () => store.list(),
      get: (id) => store.get(id),
      has: (id) => store.has(id),
      add: (id, req) => store.add(id, req),
      remove: (id) => store.remove(id),
      availableSpace: () => store.availableSpace(),
      move: (from, to) => {
        // CertStore has no rename: re-add the entry under the new name (replacing it), then drop the old one
        const e = (store as unknown as {entries: CertEntry[]}).entries.find((x) => x.id === from)
        if (!e) return false
        if (from === to) return true
        store.add(to, {certType: e.certType, publicCert: e.publicCert, privateKey: e.privateKey, password: e.password})
        store.remove(from)
        return true
      },
    }
    this.wifiConfig = stores.wifi
    this.grace = (deps.stopGraceMs ?? 5_000) * 1_000_000
    const agent = deps.updates
    if (agent) {
      let pendingId: number | undefined
      const type = (p: {updateType: 'app' | 'system'}): 'App' | 'System' =>
        p.updateType === 'system' ? 'System' : 'App'
      agent.on('update-pending', (p) => {
        pendingId = p.id
        this.events.announce('UpdateReadyForInstall', {updateType: type(p), maxDeferralMinutes: p.maxDeferralMinutes})
      })
      agent.on('update-started', (p) => {
        if (pendingId === p.id) pendingId = undefined
        this.events.announce('UpdateStarted', {updateType: type(p), maxDeferralMinutes: 0})
      })
      this.events.onDeferralChange((e) => {
        if (pendingId === undefined) return
        if (e.deferredUntil === undefined) agent.resume(pendingId)
        else agent.defer(pendingId, Math.ceil((e.deferredUntil - deps.kernel.now()) / (60 * NS_PER_S)))
      })
    }
  }

  get powerState(): PowerState {
    return this.state
  }

  restart(requester: string): void {
    this.cycle(requester, 'restarting', 0)
  }

  powerDown(requester: string, maxResidencySeconds: number): void {
    this.cycle(requester, 'powered-down', maxResidencySeconds * NS_PER_S)
  }

  subscribeEvents(componentId: string, mask: number, onEvent: () => void): SysEventSubscription {
    return this.events.subscribe(componentId, mask, onEvent)
  }

  deferEvent(componentId: string, _event: number, minutes: number): number {
    return this.events.defer(componentId, minutes)
  }

  resumeEvent(componentId: string): number {
    return this.events.resume(componentId)
  }

  wifi(componentId: string): WifiAccess {
    let w = this.wifiByApp.get(componentId)
    if (!w) this.wifiByApp.set(componentId, (w = wifiAccess(this.wifiConfig)))
    return w
  }

  /**
   * Reboot / power-down: every app gets SIGTERM (SIGKILL after the grace period); when all have exited the
   * device is down; it boots again (auto-start apps run) at once for a reboot, after `downNs` for a power-down.
   */
  private cycle(requester: string, state: PowerState, downNs: number): void {
    if (this.state !== 'on') return
    const {kernel, apps, logs} = this.deps
    this.state = state
    kernel.world.notePeripheral('power.state', state, 'app')
    const what = state === 'restarting' ? 'reboot' : `power-down for ${downNs / NS_PER_S} s`
    const procs = kernel.processes()
    const wasRunning = new Set(procs.map((p) => p.componentId))
    for (const p of procs) logs.system(p.componentId, `device ${what} requested by ${requester}`)
    const boot = (): void => {
      this.state = 'on'
      kernel.world.notePeripheral('power.state', 'on', 'app')
      for (const r of apps.installed()) {
        if (!r.autostart && !wasRunning.has(r.componentId)) continue
        logs.system(r.componentId, 'device booted')
        try {
          apps.start(r.componentId)
        } catch (e) {
          logs.system(r.componentId, `start after boot failed: ${(e as Error).message}`)
        }
      }
    }
    const down = (): void => {
      off()
      for (const t of killers) kernel.clearTimer(t)
      kernel.setTimer(kernel.now() + downNs, boot)
    }
    const alive = new Set<Process>(procs.filter((p) => p.alive))
    const off = kernel.onExit((p) => {
      // the app exits because the device goes down: no crash restart (stop() of an exited app only cancels it)
      void apps.stop(p.componentId)
      alive.delete(p)
      if (alive.size === 0) down()
    })
    const killers: number[] = []
    // Signal from a host timer, never from inside the app's own syscall.
    kernel.setTimer(kernel.now(), () => {
      if (alive.size === 0) {
        down()
        return
      }
      for (const p of [...alive]) kernel.signal(p, Signal.SIGTERM)
      killers.push(
        kernel.setTimer(kernel.now() + this.grace, () => {
          for (const p of [...alive]) kernel.signal(p, Signal.SIGKILL)
        }),
      )
    })
  }
}

const services = new WeakMap<Kernel, SystemServices>()

/** Create the system services of a device and register them as its kernel's SystemHost. */
export function attachSystemServices(deps: SystemServicesDeps): SystemServices {
  const s = new SystemServices(deps)
  services.set(deps.kernel, s)
  setSystemHost(deps.kernel, s)
  return s
}

export function systemServices(kernel: Kernel): SystemServices | undefined {
  return services.get(kernel)
}

/** The system-event API of a device's kernel (for the update agent). */
export function systemEvents(kernel: Kernel): SystemEvents | undefined {
  return services.get(kernel)?.events
}
