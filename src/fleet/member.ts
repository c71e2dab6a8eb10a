/**
 * One device of a fleet: today's simulated Device (src/os/device.ts) on the fast-forward clock, served by the
 * same REST handler as a single simulator (src/os/rest), with its own state directory (device ID, capabilities,
 * manufacturing state, installed images, mutable storage, audit log), its tags and its faults.
 *
 * An update is delivered the way a cloud deployment delivers it: over the member's link (a flaky one loses
 * attempts), into the device's A/B update agent (the new image runs on trial and the device restores the previous
 * one by itself when it fails to start), then a soak of virtual time, after which the member is judged.
 */
import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {verifyImagePackage, type TrustAnchors} from '../image/index.js'
import {DEFAULT_FF_EPOCH_MS, StateStore} from '../os/index.js'
import {createRestServer, DeviceRestBackend, type RestHandler} from '../os/rest/index.js'
import {applyWorldFile, setWorldPath} from '../os/services/world-file.js'
import {seededUnit, type MemberSummary, type UpdateOutcome, type UpdateResult} from '../protocol/fleet.js'
import type {FaultSpec} from './faults.js'

export interface MemberSetup {
  fleet: string
  seed: string
  index: number
  deviceId: string
  stateDir: string
  cacheDir: string
  trust: TrustAnchors
  /** Installed (over the air) at the first boot. */
  imagePackage?: Uint8Array
  world?: {text: string; baseDir: string}
  /** The faults this member has, with their labels. */
  faults: {label: string; spec: FaultSpec}[]
}

/** Virtual time one uninterrupted run of a member lasts at most (see FleetMember.run). */
export const RUN_STEP_MS = 100

/** Delivery attempts over a link before the member counts as unreachable. */
export const DELIVERY_ATTEMPTS = 3

export class FleetMember {
  readonly tags = new Set<string>()
  crashes = 0
  lastUpdate: UpdateOutcome | undefined
  private unsubscribe: (() => void) | undefined

  private constructor(
    readonly setup: MemberSetup,
    private backend: DeviceRestBackend,
    private handlerFn: RestHandler,
  ) {
    this.watch()
  }

  get index(): number {
    return this.setup.index
  }

  get deviceId(): string {
    return this.setup.deviceId
  }

  /** The REST handler of this member (the same one a simulator daemon serves). */
  get handler(): RestHandler {
    return this.handlerFn
  }

  get device(): DeviceRestBackend['device'] {
    return this.backend.device
  }

  static async boot(setup: MemberSetup): Promise<FleetMember> {
    const first = !existsSync(setup.stateDir)
    mkdirSync(setup.stateDir, {recursive: true})
    if (first)
      StateStore.open(setup.stateDir).writeIdentity({
        deviceId: setup.deviceId,
        manufacturingState: 'Blank',
        capabilities: ['appDevelopment'],
        bootCount: 0,
      })
    const skew = setup.faults.find((f) => f.spec.kind === 'clock-skew')?.spec.skewMs ?? 0
    const backend = await DeviceRestBackend.boot({
      stateDir: setup.stateDir,
      clock: 'fast-forward',
      trust: setup.trust,
      cacheDir: setup.cacheDir,
      epochMs: DEFAULT_FF_EPOCH_MS + skew,
    })
    const dev = backend.device
    if (setup.world) applyWorldFile(dev, setup.world.text, {baseDir: setup.world.baseDir})
    for (const f of setup.faults)
      if (f.spec.kind === 'bad-sensor') for (const [path, value] of Object.entries(f.spec.world ?? {})) setWorldPath(dev.world, path, value)
    if (first && setup.imagePackage) await backend.applyUpdate(setup.imagePackage)
    const handler = createRestServer(backend, {stateDir: setup.stateDir, name: `${setup.fleet}/${setup.index}`, transport: 'unix'})
    return new FleetMember(setup, backend, handler)
  }

  private watch(): void {
    this.unsubscribe?.()
    this.unsubscribe = this.backend.subscribe((e) => {
      if (e.type === 'crash') this.crashes++
    }, ['crash'])
  }

  has(kind: FaultSpec['kind']): FaultSpec | undefined {
    return this.setup.faults.find((f) => f.spec.kind === kind)?.spec
  }

  summary(): MemberSummary {
    const dev = this.backend.device
    return {
      index: this.index,
      deviceId: this.deviceId,
      osVersion: dev.osVersion().version,
      apps: dev.apps.installed().map((r) => {
        const st = dev.appStatus(r.componentId)
        return {componentId: r.componentId, name: r.name, imageId: r.imageId, version: r.version ?? 0, state: st.appState}
      }),
      tags: [...this.tags].sort(),
      faults: this.setup.faults.map((f) => f.label),
      crashes: this.crashes,
      ...(this.lastUpdate ? {lastUpdate: this.lastUpdate} : {}),
    }
  }

  /**
   * Deliver `pkg` over the air, let the member run `soakMs` of virtual time, and judge it. A member with the
   * power-loss fault loses power while the update installs; it boots again (on whichever image the A/B slots
   * kept) and the update is delivered once more, as a deployment service retries a device that dropped out.
   */
  async update(pkg: Uint8Array, soakMs: number, rollout: string): Promise<UpdateResult> {
    const base = {index: this.index, deviceId: this.deviceId, crashed: false, rolledBack: false, powerLost: false}
    const v = verifyImagePackage(pkg, this.setup.trust)
    const cid = v.ok ? v.package.identity.componentId.toLowerCase() : undefined
    const imageId = v.ok ? v.package.identity.imageId.toLowerCase() : undefined
    // the link: each attempt is lost with the flaky link's probability (the same on every shard and run)
    const flaky = this.has('flaky-link')
    let attempts = 0
    let delivered = false
    while (attempts < DELIVERY_ATTEMPTS && !delivered) {
      attempts++
      delivered = !flaky || seededUnit(this.setup.seed, 'link', rollout, this.index, attempts) >= (flaky.loss ?? 0.5)
    }
    if (!delivered) return this.judged({...base, outcome: 'unreachable', attempts})
    const crashesBefore = this.crashes
    let powerLost = false
    try {
      if (this.has('power-loss-during-update')) {
        powerLost = true
        const dev = this.backend.device
        const install = dev.installPackage(pkg, {start: true, ab: true, source: 'ota'}).then(
          () => undefined,
          () => undefined,
        )
        // the power is cut while the install is under way: nothing more is flushed
        await dev.shutdown({powerLoss: true})
        await install
        await this.handlerFn.controller.restart()
      }
      await this.backend.applyUpdate(pkg)
    } catch (e) {
      return this.judged({...base, powerLost, outcome: 'refused', attempts, error: (e as Error).message.split('\n')[0]})
    }
    await this.run(soakMs)
    const dev = this.backend.device
    const st = cid ? dev.appStatus(cid) : undefined
    const comp = dev.listImages().components.find((c) => c.uid === cid)
    const rolledBack = comp?.update_state === 'rolled-back' && comp.rolled_back_from?.toLowerCase() === imageId
    const crashed = this.crashes > crashesBefore
    const runsNew = st?.imageId?.toLowerCase() === imageId && st?.state === 'running'
    const outcome: UpdateOutcome = rolledBack ? 'rolled-back' : crashed || !runsNew ? 'crashed' : 'healthy'
    return this.judged({
      ...base,
      outcome,
      crashed: crashed || rolledBack,
      rolledBack,
      powerLost,
      attempts,
      ...(st?.imageId ? {imageId: st.imageId} : {}),
      ...(st ? {state: st.appState} : {}),
    })
  }

  private judged(r: UpdateResult): UpdateResult {
    this.lastUpdate = r.outcome
    return r
  }

  async advance(ms: number): Promise<void> {
    await this.run(ms)
  }

  /**
   * Run `ms` of virtual time in steps of RUN_STEP_MS, giving the shard's event loop a turn between steps once
   * 20 ms of wall time went by. On the fast-forward clock an app that never blocks runs on until the run's end:
   * in one piece, one member's busy app would hold every member's device API for the whole soak (a95).
   */
  private async run(ms: number): Promise<void> {
    let wall = performance.now()
    for (let done = 0; done < ms; done += RUN_STEP_MS) {
      await this.backend.device.runFor(Math.min(RUN_STEP_MS, ms - done))
      if (performance.now() - wall > 20) {
        await new Promise((r) => setImmediate(r))
        wall = performance.now()
      }
    }
  }

  /** Back to the first boot: the state is wiped and the device boots fresh (same ID, same faults). */
  async reset(): Promise<FleetMember> {
    await this.close()
    rmSync(this.setup.stateDir, {recursive: true, force: true})
    const m = await FleetMember.boot(this.setup)
    for (const t of this.tags) m.tags.add(t)
    return m
  }

  async close(): Promise<void> {
    this.unsubscribe?.()
    this.handlerFn.controller.close()
    await this.backend.shutdown().catch(() => undefined)
  }
}
