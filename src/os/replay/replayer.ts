/**
 * Replay: boot a fresh device from a recording's state and apply its inputs at the scheduling points they
 * were recorded at (recording.ts). REST inputs are sent to the device's own REST handler over a Unix socket,
 * exactly as the recorded client sent them; host inputs are delivered to the object they were recorded for
 * at their point; recorded host waits advance the clock by what they took. The run stops at the end marker.
 * The trace (trace.ts) of the replay is what the original run's trace was, entry for entry.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import type {TrustAnchors} from '../../image/index.js'
import type {Device} from '../device.js'
import {OsError} from '../errors.js'
import type {Kernel, SchedulerTap} from '../kernel/kernel.js'
import {NS_PER_MS} from '../kernel/clock.js'
import {DeviceRestBackend} from '../rest/device-backend.js'
import {listenUnix, type RestListener} from '../rest/listen.js'
import {createRestServer, type RestHandler} from '../rest/server.js'
import {applyWorldFile, worldSettled} from '../services/world-file.js'
import type {HostRecord, InputRecord, Recording, RestRecord} from './recording.js'
import {memorySink, TraceCollector, type LineSink} from './recorder.js'

/** The replay left the recorded path: the device did something else than when it was recorded. */
export class ReplayDiverged extends OsError {
  constructor(message: string) {
    super('REPLAY_DIVERGED', message)
  }
}

/** The tap of a replayed device: applies recorded host inputs at their points, answers host waits. */
export class ReplayTap implements SchedulerTap {
  readonly replaying = true
  private boot = -1
  kernel?: Kernel
  device?: Device
  pos = 0

  constructor(private readonly inputs: readonly InputRecord[]) {}

  attach(dev: Device): void {
    this.boot++
    this.kernel = dev.kernel
    this.device = dev
  }

  get currentBoot(): number {
    return this.boot
  }

  head(): InputRecord | undefined {
    return this.inputs[this.pos]
  }

  point(k: Kernel): void {
    while (!this.idle(k)) this.deliver(k, this.inputs[this.pos++] as HostRecord)
  }

  /** No recorded host input is due at the kernel's step. */
  idle(k: Kernel): boolean {
    const h = this.head()
    return !h || h.in !== 'host' || h.boot !== this.boot || h.step !== k.steps
  }

  deliver(k: Kernel, h: HostRecord): void {
    if (h.t !== k.now()) {
      if (h.t < k.now() || h.t > k.nextEvent()) throw new ReplayDiverged(`host input ${h.source} ${h.object} ${h.event} was recorded at ${h.t} ns, the replay is at ${k.now()} ns`)
      k.clock.advanceTo(h.t)
    }
    if (!k.deliverHostInput(h)) throw new ReplayDiverged(`host input for ${h.object} (${h.event}) at step ${h.step}: the replayed device has no such object`)
  }

  async hostTurn(k: Kernel): Promise<number> {
    const h = this.head()
    if (!h || h.in !== 'clock' || h.boot !== this.boot || h.step !== k.steps)
      throw new ReplayDiverged(`a host wait at step ${k.steps} (${k.now()} ns) of boot ${this.boot} is not in the recording`)
    this.pos++
    return h.t
  }
}

export interface ReplayOptions {
  /** Keys sideloaded packages are verified against (the recording device's trust store). */
  trust?: TrustAnchors
  /** Instrumented binaries cache (shared with the simulators). */
  cacheDir?: string
  /** Where the trace goes (default: kept in memory and returned). */
  trace?: LineSink
  /** Where the device state lives during the replay (default: a temp dir, removed afterwards). */
  stateDir?: string
  /** Keep the device running after the replay (the caller shuts it down). */
  keep?: boolean
  /**
   * Boot the device to replay into (default: a new DeviceRestBackend): booted from the state already written
   * to the state directory, with `tap` as (or behind) its scheduler tap and `onBoot` called at each boot.
   */
  boot?: (o: {stateDir: string; tap: ReplayTap; onBoot: (d: Device) => void; epochMs: number; multiApp?: boolean}) => Promise<DeviceRestBackend>
  /** Write the recording's state into the state directory (default true; a custom boot may do it itself). */
  writeState?: boolean
}

export interface ReplayResult {
  inputs: number
  /** Virtual time at the end (ns) of the last boot, and that boot. */
  t: number
  boot: number
  steps: number
  /** The trace lines, when no trace sink was given. */
  trace?: string[]
  /** The wall time the replay took (ms). */
  wallMs: number
  /** With keep: the running device and its REST backend. */
  backend?: DeviceRestBackend
  close?: () => Promise<void>
}

/** Write a recording's state files into `dir` (paths were checked by parseRecording). */
export function writeState(dir: string, state: Record<string, string>): void {
  mkdirSync(dir, {recursive: true})
  for (const [rel, b64] of Object.entries(state)) {
    const p = join(dir, ...rel.split('/'))
    mkdirSync(dirname(p), {recursive: true})
    writeFileSync(p, Buffer.from(b64, 'base64'))
  }
}

function send(socketPath: string, r: RestRecord): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = r.body !== undefined ? Buffer.from(r.body, 'base64') : undefined
    const req = request(
      {
        socketPath,
        method: r.method,
        path: r.url,
        headers: {
          ...(r.contentType !== undefined ? {'Content-Type': r.contentType} : {}),
          'Content-Length': String(body?.length ?? 0),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Replay `rec` on a fresh device. Throws ReplayDiverged when the device leaves the recorded path (an input's
 * point is never reached, or is passed).
 */
export async function replay(rec: Recording, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const t0 = performance.now()
  const own = opts.stateDir === undefined
  const root = own ? mkdtempSync(join(tmpdir(), 'sphere-replay-')) : opts.stateDir!
  const stateDir = own ? join(root, 'state') : root
  if (opts.writeState ?? true) writeState(stateDir, rec.header.state)
  const tap = new ReplayTap(rec.inputs)
  const memTrace = opts.trace ? undefined : memorySink()
  const collector = new TraceCollector(opts.trace ?? memTrace!)
  const onBoot = (d: Device): void => {
    tap.attach(d)
    collector.attach(d)
  }
  const backend = opts.boot
    ? await opts.boot({stateDir, tap, onBoot, epochMs: rec.header.epochMs, ...(rec.header.multiApp ? {multiApp: true} : {})})
    : await DeviceRestBackend.boot({
        stateDir,
        clock: 'fast-forward',
        epochMs: rec.header.epochMs,
        ...(rec.header.multiApp ? {multiApp: true} : {}),
        ...(opts.trust ? {trust: opts.trust} : {}),
        ...(opts.cacheDir ? {cacheDir: opts.cacheDir} : {}),
        tap,
        onBoot,
      })
  if (rec.header.world !== null) {
    applyWorldFile(backend.device, rec.header.world)
    // host bridges (PTYs) come up before the first input, as the recording daemon waited for them
    await worldSettled(backend.device.world)
  }
  const handler: RestHandler = createRestServer(backend, {stateDir, name: 'replay', transport: 'unix'})
  const sock = join(own ? root : tmpdir(), `replay-${process.pid}-${Date.now().toString(36)}.sock`)
  const listener: RestListener = await listenUnix(handler, sock)
  const closeServer = async (): Promise<void> => {
    await listener.close().catch(() => undefined)
    handler.controller.close()
    collector.close()
  }
  const close = async (): Promise<void> => {
    await closeServer()
    await backend.shutdown()
    if (own) rmSync(root, {recursive: true, force: true})
  }
  const k = (): Kernel => tap.kernel!
  // runs to the point of an input, with its time as the run's target: a slice the recorded run cut at that
  // time (the end of a runFor) is cut at the same place
  const runTo = async (boot: number, step: number, what: string, t = Infinity): Promise<void> => {
    if (tap.currentBoot !== boot) throw new ReplayDiverged(`${what} was recorded in boot ${boot}, the replay is in boot ${tap.currentBoot}`)
    const kern = k()
    if (kern.steps > step) throw new ReplayDiverged(`${what} was recorded at step ${step}, the replay is past it (step ${kern.steps})`)
    await kern.runUntil(() => kern.steps >= step, t === Infinity ? Infinity : Math.max(0, t - kern.now()))
    if (kern.steps !== step) throw new ReplayDiverged(`${what} was recorded at step ${step}; the replayed device stopped at step ${kern.steps} (${kern.now()} ns)`)
  }
  const advance = (t: number, what: string): void => {
    const kern = k()
    if (t === kern.now()) return
    if (t < kern.now() || t > kern.nextEvent()) throw new ReplayDiverged(`${what} was recorded at ${t} ns, the replay is at ${kern.now()} ns`)
    kern.clock.advanceTo(t)
  }
  try {
    let n = 0
    while (tap.head()) {
      const h = tap.head()!
      const what = `input ${tap.pos + 1} (${h.in}${h.in === 'rest' ? ` ${h.method} ${h.url}` : ''})`
      if (h.in === 'clock') {
        // the host wait of this step consumes it
        await runTo(h.boot, h.step + 1, what)
        if (tap.head() === h) throw new ReplayDiverged(`${what}: the replayed device did not wait for the host at step ${h.step}`)
        n++
        continue
      }
      await runTo(h.boot, h.step, what, h.t)
      advance(h.t, what)
      tap.pos++
      n++
      if (h.in === 'host') tap.deliver(k(), h)
      else await send(sock, h)
    }
    if (rec.end) {
      await runTo(rec.end.boot, rec.end.step, 'the end of the recording', rec.end.t)
      advance(rec.end.t, 'the end of the recording')
    }
    const kern = k()
    const result: ReplayResult = {
      inputs: n,
      t: kern.now(),
      boot: tap.currentBoot,
      steps: kern.steps,
      wallMs: performance.now() - t0,
      ...(memTrace ? {trace: memTrace.lines} : {}),
    }
    if (opts.keep) {
      await closeServer()
      return {...result, backend, close}
    }
    await close()
    return result
  } catch (e) {
    if (opts.keep) await closeServer()
    else await close()
    throw e
  }
}

/** Virtual ms of a replay result (for reports). */
export const virtualMs = (r: {t: number}): number => r.t / NS_PER_MS
