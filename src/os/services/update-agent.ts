/**
 * The update agent: A/B slots for the simulated OS image, the update history (the device log's update lines)
 * and the update notifications system-event support listens to.
 *
 * App images: the application manager keeps two slots per app (apps.json `previous` + `trial`): a new image
 * runs on trial; if it fails to start `trialAttempts` times in a row (a crash within its first seconds), the
 * previous image is restored automatically. This agent records those rollbacks.
 *
 * OS image: `os/slot-a.img` and `os/slot-b.img`, `os.json` says which is active (the commit point). An update
 * writes the inactive slot (durably), then commits `pending`; the next boot counts an attempt (durably),
 * verifies the slot (hash, bootable) and switches to it, or rolls back to the active slot after a failed
 * check or too many attempts. The active slot is never written, so a kill -9 at any point leaves a bootable OS.
 *
 * Events (EventEmitter): `update-pending` (PendingUpdate: an update is ready to install; SysEvent
 * UpdateReadyForInstall), `update-started`, `update-complete`, `rollback` (UpdateHistoryEntry).
 */
import {createHash} from 'node:crypto'
import {EventEmitter} from 'node:events'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'
import type {AppUpdateEvent} from './app-manager.js'

export type OsSlot = 'a' | 'b'

export interface OsSlotInfo {
  version: string
  sha256: string
}

export interface OsState {
  active: OsSlot
  slots: Partial<Record<OsSlot, OsSlotInfo>>
  /** Written and waiting for the next boot. */
  pending?: {slot: OsSlot; attempts: number}
  rolledBackFrom?: {version: string; at: string; reason: string}
}

export interface UpdateHistoryEntry {
  time: string
  kind: 'app' | 'os'
  action: 'staged' | 'trial-start' | 'confirmed' | 'rolled-back' | 'updated'
  componentId?: string
  imageId?: string
  version?: string
  detail?: string
}

/** An update ready to install (SysEvent_Events_UpdateReadyForInstall). */
export interface PendingUpdate {
  id: number
  /** SysEvent_UpdateType: 1 app, 2 system. */
  updateType: 'app' | 'system'
  version?: string
  componentId?: string
  /** How long apps may defer it (SysEvent max_deferral_time_in_minutes). */
  maxDeferralMinutes: number
  /** Deferred until this wall time (ms since 1970), if an app deferred it. */
  deferredUntil?: number
}

const HISTORY_MAX = 200
const MAX_DEFERRAL_MINUTES = 24 * 60

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex')
const other = (s: OsSlot): OsSlot => (s === 'a' ? 'b' : 'a')

export class UpdateAgent extends EventEmitter {
  private readonly dir: string
  private state: OsState
  private seq = 0
  private readonly pendingUpdates = new Map<number, PendingUpdate>()

  /**
   * Open the agent's state and boot the OS slot (applying a pending OS update or rolling it back).
   * `factoryVersion` is the OS version of a device that never updated.
   */
  constructor(
    private readonly stateDir: string,
    factoryVersion: string,
    private readonly opts: {bootAttempts?: number} = {},
  ) {
    super()
    this.dir = join(stateDir, 'os')
    mkdirSync(this.dir, {recursive: true})
    const cur = this.readState()
    if (!cur || !this.verifySlot(cur.active, cur.slots[cur.active])) {
      // first boot (or the factory image was lost): write the factory image into slot a
      const info = this.writeSlot('a', factoryVersion, true)
      this.state = {active: 'a', slots: {a: info}}
      this.commit()
    } else this.state = cur
    this.bootOs()
  }

  // ---- OS slots ----

  osVersion(): string {
    return this.state.slots[this.state.active]!.version
  }

  /** The OS image the device boots, as recovery lists what it wrote. */
  recoveryImages(): {name: string; bytes: number}[] {
    const a = this.state.active
    const f = this.slotFile(a)
    return existsSync(f) ? [{name: `os ${this.osVersion()} (slot ${a})`, bytes: readFileSync(f).length}] : []
  }

  /** Problems with the OS slots (empty = the active slot boots). */
  problems(): string[] {
    const a = this.state.active
    return this.verifySlot(a, this.state.slots[a]) ? [] : [`the active OS slot ${a} does not verify`]
  }

  osState(): OsState {
    return JSON.parse(JSON.stringify(this.state)) as OsState
  }

  /**
   * Stage an OS update into the inactive slot; it boots at the next device restart. `bootable: false`
   * simulates an image that fails to boot (for rollback tests).
   */
  stageOs(version: string, opts: {bootable?: boolean} = {}): PendingUpdate {
    if (!/^[0-9A-Za-z.+-]{1,32}$/.test(version))
      throw new SphereError('UPDATE_BAD_VERSION', `not an OS version: ${JSON.stringify(version)}`)
    const slot = other(this.state.active)
    const info = this.writeSlot(slot, version, opts.bootable ?? true)
    this.state = {...this.state, slots: {...this.state.slots, [slot]: info}, pending: {slot, attempts: 0}}
    this.commit()
    this.log({kind: 'os', action: 'staged', version, detail: `slot ${slot}; installs at the next restart`})
    return this.announce({updateType: 'system', version})
  }

  private slotFile(s: OsSlot): string {
    return join(this.dir, `slot-${s}.img`)
  }

  private writeSlot(s: OsSlot, version: string, bootable: boolean): OsSlotInfo {
    const body = JSON.stringify({magic: 'sphere-os', version, bootable, payload: sha256(`os/${version}`)})
    writeFileAtomic(this.slotFile(s), body)
    return {version, sha256: sha256(body)}
  }

  /** A slot boots when its image is there, matches its hash and says it is bootable. */
  private verifySlot(s: OsSlot, info: OsSlotInfo | undefined): boolean {
    if (!info || !existsSync(this.slotFile(s))) return false
    const body = readFileSync(this.slotFile(s))
    if (sha256(body) !== info.sha256) return false
    try {
      const j = JSON.parse(body.toString('utf8')) as {magic?: string; version?: string; bootable?: boolean}
      return j.magic === 'sphere-os' && j.version === info.version && j.bootable !== false
    } catch {
      return false
    }
  }

  private bootOs(): void {
    const p = this.state.pending
    if (!p) return
    const attempts = p.attempts + 1
    const limit = this.opts.bootAttempts ?? 3
    const info = this.state.slots[p.slot]
    // count the attempt first: a boot that dies half-way still counts
    this.state = {...this.state, pending: {slot: p.slot, attempts}}
    this.commit()
    if (attempts <= limit && this.verifySlot(p.slot, info)) {
      const from = this.osVersion()
      this.state = {active: p.slot, slots: this.state.slots}
      this.commit()
      this.log({kind: 'os', action: 'updated', version: info!.version, detail: `from ${from}, slot ${p.slot}`})
      this.emit('update-complete', {updateType: 'system', version: info!.version})
      return
    }
    const reason = attempts > limit ? `did not boot after ${limit} attempts` : 'failed to boot (image check failed)'
    this.state = {
      active: this.state.active,
      slots: this.state.slots,
      rolledBackFrom: {version: info?.version ?? '?', at: new Date().toISOString(), reason},
    }
    this.commit()
    const e = this.log({
      kind: 'os',
      action: 'rolled-back',
      version: info?.version,
      detail: `${reason}; kept ${this.osVersion()}`,
    })
    this.emit('rollback', e)
  }

  private readState(): OsState | undefined {
    const f = join(this.stateDir, 'os.json')
    if (!existsSync(f)) return undefined
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as OsState
      return s.active === 'a' || s.active === 'b' ? s : undefined
    } catch {
      return undefined
    }
  }

  private commit(): void {
    writeFileAtomic(join(this.stateDir, 'os.json'), JSON.stringify(this.state))
  }

  // ---- app slots (reported by the application manager) ----

  /** AppManagerOptions.onUpdate: record app trials, confirmations and rollbacks. */
  onAppUpdate(e: AppUpdateEvent): void {
    const entry = this.log({
      kind: 'app',
      action: e.action,
      componentId: e.componentId,
      imageId: e.imageId,
      detail:
        e.action === 'rolled-back'
          ? `${e.reason ?? 'failed'}; restored ${e.restoredImageId}`
          : e.action === 'trial-start'
            ? 'new image on trial'
            : undefined,
    })
    if (e.action === 'rolled-back') this.emit('rollback', entry)
    if (e.action === 'confirmed') this.emit('update-complete', {updateType: 'app', componentId: e.componentId})
  }

  // ---- history (the device log's update lines) ----

  history(): UpdateHistoryEntry[] {
    const f = join(this.stateDir, 'updates.json')
    if (!existsSync(f)) return []
    try {
      const h = JSON.parse(readFileSync(f, 'utf8')) as UpdateHistoryEntry[]
      return Array.isArray(h) ? h : []
    } catch {
      return []
    }
  }

  private log(e: Omit<UpdateHistoryEntry, 'time'>): UpdateHistoryEntry {
    const entry: UpdateHistoryEntry = {time: new Date().toISOString(), ...e}
    const h = [...this.history(), entry].slice(-HISTORY_MAX)
    writeFileAtomic(join(this.stateDir, 'updates.json'), JSON.stringify(h))
    return entry
  }

  // ---- notifications (SysEvent support) ----

  /** Announce an update ready to install: emits `update-pending`. */
  announce(u: Omit<PendingUpdate, 'id' | 'maxDeferralMinutes'> & {maxDeferralMinutes?: number}): PendingUpdate {
    const p: PendingUpdate = {...u, id: ++this.seq, maxDeferralMinutes: u.maxDeferralMinutes ?? MAX_DEFERRAL_MINUTES}
    this.pendingUpdates.set(p.id, p)
    this.emit('update-pending', p)
    return p
  }

  pending(): PendingUpdate[] {
    return [...this.pendingUpdates.values()]
  }

  /** SysEvent_DeferEvent: postpone an announced update (capped at its max deferral). */
  defer(id: number, minutes: number): boolean {
    const p = this.pendingUpdates.get(id)
    if (!p || minutes < 0) return false
    p.deferredUntil = Date.now() + Math.min(minutes, p.maxDeferralMinutes) * 60_000
    return true
  }

  /** SysEvent_ResumeEvent: stop deferring. */
  resume(id: number): boolean {
    const p = this.pendingUpdates.get(id)
    if (!p) return false
    p.deferredUntil = undefined
    return true
  }

  /** The update was applied (or dropped): no longer pending. */
  settle(id: number): void {
    const p = this.pendingUpdates.get(id)
    if (!p) return
    this.pendingUpdates.delete(id)
    this.emit('update-started', p)
  }
}
