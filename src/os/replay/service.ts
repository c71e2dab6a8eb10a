/**
 * A recorded device as the daemon runs it: the recording (file or memory), the trace file, and snapshots.
 *
 * Snapshots (docs/replay.md). A device is deterministic given its inputs, so its whole state at a moment
 * (images, storage, kernel objects, each app's memory and suspended Asyncify state, fuel, timers) is the
 * state it was recorded from plus the inputs up to that moment. A snapshot stores exactly that (a recording
 * with an end marker at the moment) and, to check the restored device against, a digest of each running
 * app's linear memory. Restore replays it into the device's state directory on the fast-forward clock,
 * checks every digest, and the device continues from there, recording on. Refused, with a reason: while an
 * app holds an open host socket (its host peer cannot be put back), when the device keeps no input log (a
 * realtime device started without --record), and when the input log was cut off at its size limit.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {TrustAnchors} from '../../image/index.js'
import type {RecordingStatus, SnapshotInfo} from '../../protocol/api/index.js'
import type {Device, DeviceBootOptions} from '../device.js'
import {OsError} from '../errors.js'
import {NS_PER_MS} from '../kernel/clock.js'
import type {HostInput, Kernel, SchedulerTap} from '../kernel/kernel.js'
import type {DeviceRestBackend} from '../rest/device-backend.js'
import type {ReplayServices} from '../rest/deps.js'
import type {RestInput, RestInputTap} from '../rest/router.js'
import {StateStore} from '../storage/state-store.js'
import {InputRecorder, TraceCollector, fileSink, memorySink, type LineSink} from './recorder.js'
import {MAX_RECORDING_BYTES, RECORDING_FORMAT, RECORDING_VERSION, parseRecording, readStateDir, type RecordedClock, type RecordingHeader} from './recording.js'
import {replay, writeState, ReplayDiverged} from './replayer.js'

/** The input log a device keeps in memory for snapshots (past it, snapshots are refused until a restart). */
export const MAX_MEMORY_LOG_BYTES = 64 * 1024 * 1024

const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** A tap that forwards to another one, which can be replaced (a restored device records on). */
export class SwitchTap implements SchedulerTap, RestInputTap {
  constructor(public target: SchedulerTap & Partial<RestInputTap>) {}
  get replaying(): boolean {
    return this.target.replaying === true
  }
  point(k: Kernel): void {
    this.target.point(k)
  }
  hostTurn(k: Kernel, wait: () => Promise<number>): Promise<number> {
    return this.target.hostTurn(k, wait)
  }
  idle(k: Kernel): boolean {
    return this.target.idle?.(k) === true
  }
  input(k: Kernel, input: HostInput, apply: () => void): void {
    if (this.target.input) this.target.input(k, input, apply)
    else apply()
  }
  enter(input: RestInput): Promise<() => void> {
    return this.target.enter ? this.target.enter(input) : Promise.resolve(() => undefined)
  }
}

/** A memory digest per running app (what a restore is checked against). */
export function appDigests(dev: Device): SnapshotInfo['apps'] {
  return dev.kernel
    .processes()
    .map((p) => ({componentId: p.componentId, pid: p.pid, memoryBytes: p.memoryBytes, memorySha256: p.task?.memoryDigest?.() ?? ''}))
    .sort((a, b) => a.pid - b.pid)
}

/** Host-backed objects that make a snapshot unsafe (an open host socket): one line each. */
export function unsnapshottable(dev: Device): string[] {
  const out: string[] = []
  for (const p of dev.kernel.processes())
    for (const o of p.fds.objects())
      if (o.hostBacked) out.push(`${p.name} (${p.componentId}, pid ${p.pid}) holds ${o.describe()}`)
  return out
}

export interface RecordSessionOptions {
  stateDir: string
  /** 'paced' for a recorded realtime device. */
  clock: RecordedClock
  /** The world file text the device is started with. */
  world: string | null
  /** The recording file (absent: kept in memory, for snapshots only). */
  file?: string
  /** Where the trace of the run goes (absent: not written). */
  traceFile?: string
  /** Where snapshots are kept. */
  snapshotDir: string
  trust?: TrustAnchors
  cacheDir?: string
  epochMs?: number
  /** Several high-level apps side by side (kept in the header, so a replay boots the same way). */
  multiApp?: boolean
}

/**
 * The recording of one device from now on. `bootOptions()` are what the device must be booted with;
 * `inputs` is the REST input tap; `services(backend)` the snapshot routes' implementation.
 */
export class RecordSession {
  readonly tap: SwitchTap
  private recorder: InputRecorder
  private sink: LineSink & {readonly bytes?: number; readonly full?: boolean; lines?: string[]}
  private readonly trace?: TraceCollector
  /** The lines of the recording, kept for snapshots. */
  private lines: string[] = []
  private readonly header: RecordingHeader
  private backend?: DeviceRestBackend
  private restoring = false
  private bytes = 0
  private cut = false
  private fileEnded = false

  constructor(private readonly opts: RecordSessionOptions) {
    // the state the recording starts from: an identity first, so a replay boots the same device
    if (!existsSync(join(opts.stateDir, 'device.json'))) StateStore.open(opts.stateDir).bootIdentity({capabilities: ['appDevelopment']})
    const id = JSON.parse(readFileSync(join(opts.stateDir, 'device.json'), 'utf8')) as {deviceId?: string}
    this.header = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      createdAt: new Date().toISOString(),
      clock: opts.clock,
      epochMs: opts.epochMs ?? (opts.clock === 'paced' ? Date.now() : Date.UTC(2025, 0, 1)),
      deviceId: String(id.deviceId ?? ''),
      world: opts.world,
      state: readStateDir(opts.stateDir),
      ...(opts.multiApp ? {multiApp: true as const} : {}),
    }
    this.sink = this.keeping(opts.file ? fileSink(opts.file, MAX_RECORDING_BYTES) : memorySink())
    this.recorder = new InputRecorder(this.sink, this.header)
    this.tap = new SwitchTap(this.recorder)
    if (opts.traceFile) this.trace = new TraceCollector(fileSink(opts.traceFile))
  }

  /** Keep every line in memory too (snapshots), within the size limit. */
  private keeping<S extends LineSink>(s: S): S {
    const write = s.write.bind(s)
    s.write = (line: string) => {
      write(line)
      if (this.cut) return
      this.bytes += line.length + 1
      if (this.bytes > MAX_MEMORY_LOG_BYTES) {
        this.cut = true
        this.lines = []
      } else this.lines.push(line)
    }
    return s
  }

  bootOptions(): Partial<DeviceBootOptions> {
    return {
      clock: 'fast-forward',
      paced: this.header.clock === 'paced',
      epochMs: this.header.epochMs,
      ...(this.header.multiApp ? {multiApp: true} : {}),
      tap: this.tap,
      onBoot: (d) => this.onBoot(d),
    }
  }

  private onBoot(d: Device): void {
    if (this.restoring) return
    this.recorder.attach(d)
    this.trace?.attach(d)
  }

  get inputs(): RestInputTap {
    return this.tap
  }

  /** The REST server's replay services over `backend` (the device this session records). */
  services(backend: DeviceRestBackend): ReplayServices {
    this.backend = backend
    return {
      recording: () => this.status(),
      snapshots: () => this.list(),
      saveSnapshot: (name) => Promise.resolve(this.save(name)),
      restoreSnapshot: (name) => this.restore(name),
      deleteSnapshot: (name) => this.remove(name),
    }
  }

  status(): RecordingStatus {
    const k = this.backend?.device.kernel
    return {
      file: this.opts.file ?? null,
      clock: this.header.clock,
      lines: this.recorder.lines,
      boot: this.recorder.currentBoot,
      step: k?.steps ?? 0,
      virtualTimeMs: (k?.now() ?? 0) / NS_PER_MS,
    }
  }

  private path(name: string): string {
    if (!SNAPSHOT_NAME.test(name))
      throw new OsError('SNAPSHOT_BAD_NAME', `'${name}' is not a snapshot name (letters, digits, . _ -, up to 64, starting with a letter or digit)`)
    return join(this.opts.snapshotDir, `${name}.snapshot`)
  }

  private info(name: string, file: string): SnapshotInfo {
    const text = readFileSync(file, 'utf8')
    const rec = parseRecording(text, `snapshot ${name}`)
    const end = rec.end as (typeof rec.end & {createdAt?: string; apps?: SnapshotInfo['apps']}) | undefined
    if (!end) throw new OsError('SNAPSHOT_INVALID', `snapshot ${name} has no end marker`)
    return {
      name,
      createdAt: end.createdAt ?? rec.header.createdAt,
      boot: end.boot,
      step: end.step,
      virtualTimeMs: end.t / NS_PER_MS,
      inputs: rec.inputs.length,
      bytes: statSync(file).size,
      apps: end.apps ?? [],
    }
  }

  list(): SnapshotInfo[] {
    if (!existsSync(this.opts.snapshotDir)) return []
    return readdirSync(this.opts.snapshotDir)
      .filter((f) => f.endsWith('.snapshot'))
      .sort()
      .flatMap((f) => {
        try {
          return [this.info(f.slice(0, -'.snapshot'.length), join(this.opts.snapshotDir, f))]
        } catch {
          return []
        }
      })
  }

  save(name: string): SnapshotInfo {
    const file = this.path(name)
    const dev = this.backend?.device
    if (!dev) throw new OsError('SNAPSHOT_REFUSED', 'the device is not up')
    if (this.cut)
      throw new OsError('SNAPSHOT_REFUSED', `the device's input log passed ${MAX_MEMORY_LOG_BYTES} bytes and was cut: a snapshot cannot be rebuilt from it (restart the simulator to start a new log)`)
    const open = unsnapshottable(dev)
    if (open.length > 0)
      throw new OsError('SNAPSHOT_REFUSED', `cannot snapshot while an app holds a host connection (it cannot be restored): ${open.join('; ')}`)
    const k = dev.kernel
    const end = {end: true, boot: this.recorder.currentBoot, step: k.steps, t: k.now(), createdAt: new Date().toISOString(), apps: appDigests(dev)}
    mkdirSync(this.opts.snapshotDir, {recursive: true})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, `${this.lines.join('\n')}\n${JSON.stringify(end)}\n`, {mode: 0o600})
    renameSync(tmp, file)
    return this.info(name, file)
  }

  remove(name: string): void {
    const file = this.path(name)
    if (!existsSync(file)) throw new OsError('SNAPSHOT_NOT_FOUND', `no snapshot named ${name}`)
    rmSync(file)
  }

  /**
   * Replace the device with the snapshot: its state into the state directory, its inputs replayed on the
   * fast-forward clock, every app's memory checked against the snapshot; then the device goes on (paced
   * again if it was recorded realtime) and this session records on from the snapshot's inputs.
   */
  async restore(name: string): Promise<SnapshotInfo> {
    const file = this.path(name)
    if (!existsSync(file)) throw new OsError('SNAPSHOT_NOT_FOUND', `no snapshot named ${name}`, {})
    const backend = this.backend
    if (!backend) throw new OsError('SNAPSHOT_REFUSED', 'the device is not up')
    const info = this.info(name, file)
    const rec = parseRecording(readFileSync(file, 'utf8'), `snapshot ${name}`)
    if (rec.header.clock !== this.header.clock)
      throw new OsError('SNAPSHOT_REFUSED', `snapshot ${name} was taken on a ${rec.header.clock} device; this one is ${this.header.clock}`)
    const stateDir = this.opts.stateDir
    const backup = `${stateDir}.before-restore`
    // a file recording ends where the restore happens; the session records on in memory (for snapshots)
    if (this.opts.file && !this.fileEnded) {
      this.recorder.end()
      this.fileEnded = true
    }
    this.restoring = true
    try {
      await replay(rec, {
        stateDir,
        keep: true,
        writeState: false,
        ...(this.opts.trust ? {trust: this.opts.trust} : {}),
        ...(this.opts.cacheDir ? {cacheDir: this.opts.cacheDir} : {}),
        boot: async (o) => {
          const prepare = (): void => {
            rmSync(backup, {recursive: true, force: true})
            renameSync(stateDir, backup)
            writeState(stateDir, rec.header.state)
            const cache = join(backup, 'cache')
            if (existsSync(cache)) renameSync(cache, join(stateDir, 'cache'))
          }
          this.tap.target = o.tap
          await backend.reboot(prepare, {clock: 'fast-forward', paced: false, epochMs: rec.header.epochMs, tap: this.tap, onBoot: o.onBoot}, 0)
          return backend
        },
      })
      const got = appDigests(backend.device)
      if (JSON.stringify(got) !== JSON.stringify(info.apps))
        throw new ReplayDiverged(`the restored apps differ from the snapshot: expected ${JSON.stringify(info.apps)}, got ${JSON.stringify(got)}`)
      // record on: the snapshot's lines are this session's past
      const past = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('{"end":true'))
      this.sink = this.keeping(memorySink())
      this.lines = []
      this.bytes = 0
      this.cut = false
      for (const l of past) this.sink.write(l)
      this.recorder = InputRecorder.resume(this.sink, backend.device, info.boot, past.length)
      this.tap.target = this.recorder
      backend.updateBootOptions({...this.bootOptions(), epochMs: rec.header.epochMs})
      backend.setBoots(info.boot)
      this.restoring = false
      this.trace?.attach(backend.device, info.boot)
      if (this.header.clock === 'paced') backend.device.kernel.startPaced()
      rmSync(backup, {recursive: true, force: true})
      return info
    } catch (e) {
      this.restoring = false
      // the device as it was on disk before the restore (its running state is gone, as after a power loss)
      if (existsSync(backup)) {
        rmSync(stateDir, {recursive: true, force: true})
        renameSync(backup, stateDir)
      }
      this.tap.target = this.recorder
      await backend.reboot(() => undefined, this.bootOptions(), this.recorder.currentBoot + 1).catch(() => undefined)
      throw e
    }
  }

  /** Write the end marker, close the files. */
  end(): void {
    if (!this.fileEnded) this.recorder.end()
    this.fileEnded = true
    this.trace?.close()
  }
}
