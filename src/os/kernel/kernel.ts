import {RAM_OS_SHARE_BYTES, RAM_TOTAL_BYTES, WASM_PAGE_BYTES} from '../hw/chip.js'
import type {World} from '../hw/world.js'
import {SphereError} from '../../util/errors.js'
import {VirtualClock, type ClockMode, NS_PER_MS} from './clock.js'
import {Signal} from './errno.js'
import {EventBus} from './events.js'
import {Process, type SpawnSpec, type Task, type WaitSpec} from './process.js'

export interface KernelOptions {
  clock: ClockMode
  world: World
  /** CLOCK_REALTIME at boot in ms since 1970 (fast-forward default: 2025-01-01). */
  epochMs?: number
  /** Fuel per slice (loop iterations + function entries); default 100,000. */
  fuelQuantum?: number
  /** Virtual ns one unit of fuel costs; default 10 (so a full slice is 1 ms of virtual CPU). */
  nsPerFuel?: number
  /** Virtual ns one syscall costs; default 1,000. */
  nsPerSyscall?: number
  /** Realtime mode: how long the kernel may hold the host event loop per turn (ms); default 8. */
  realtimeTurnMs?: number
  /**
   * Record / replay (src/os/replay): where inputs meet the scheduler. With a tap the kernel counts its
   * scheduling points (`steps`) and calls the tap at each one, and a host wait's time advance goes through it.
   */
  tap?: SchedulerTap
  /**
   * Fast-forward: serve a wait in place when it is provably the next thing to happen (Kernel.resumeInPlace).
   * Default true; false runs every wait through the scheduler loop (the same trace, slower: tests compare both).
   */
  inPlaceWaits?: boolean
}

/**
 * The scheduler's side of record / replay. A scheduling point is the top of one iteration of the scheduler
 * loop (fast-forward `runUntil`, the paced pump); `steps` counts the iterations since boot. Inputs from the
 * host are applied only at a point (or while the kernel is idle), so a recorded input can be replayed at the
 * same point of a fresh device.
 */
export interface SchedulerTap {
  /** A replay: host objects are stand-ins and host inputs come from the recording (runtime/host-io.ts). */
  readonly replaying?: boolean
  /** At every scheduling point, before timers fire and a process runs. */
  point(k: Kernel): void
  /**
   * Fast-forward: every process waits and one waits on a host-backed object (a socket), so real time passes
   * instead of a jump. `wait` does the real wait and returns the virtual time it reached; the tap returns the
   * time to advance to (recording: that one, noted; replay: the recorded one, without waiting).
   */
  hostTurn(k: Kernel, wait: () => Promise<number>): Promise<number>
  /** See Kernel.hostInput. */
  input?(k: Kernel, input: HostInput, apply: () => void): void
  /**
   * True when `point(k)` would do nothing at the kernel's current step (no input is due there). A tap without it
   * turns off waits served in place (Kernel.resumeInPlace), which must know that a point it skips is empty.
   */
  idle?(k: Kernel): boolean
}

/** A fast-forward scheduler loop (runUntil) while it runs a slice: what a wait served in place must honour. */
interface Loop {
  done: () => boolean
  target: number
  /** performance.now() when the loop last gave the host event loop a turn. */
  wall: number
}

/** What a host input is, as a recording stores it (the runtime names the object; bytes in base64). */
export interface HostInput {
  /** 'socket' (a host socket event), 'uart' (serial bytes from a host bridge). */
  source: string
  /** Which object: a stable name the device gives it (e.g. `socket:3`). */
  object: string
  /** What happened: 'data', 'end', 'connect', 'accept', ... */
  event: string
  /** JSON-safe arguments. */
  args?: unknown[]
}

interface HostTimer {
  id: number
  at: number
  fn: () => void
}

export interface MemoryTotals {
  /** Bytes all apps hold now. */
  appsBytes: number
  /** Highest `appsBytes` since boot. */
  peakAppsBytes: number
  osBytes: number
  totalBytes: number
  limitBytes: number
}

export type ExitListener = (p: Process) => void

/** Fast-forward: longest real wait per turn while a process waits on a host-backed object (ms). */
const HOST_TURN_MS = 20
/** Fast-forward: the scheduler loop gives the host event loop a turn after a slice once this much wall time passed (ms). */
const HOST_TURN_EVERY_MS = 20
/** With a scheduler tap: slices end at multiples of this much virtual time (10 ms). */
const SLICE_QUANTUM_NS = 10 * NS_PER_MS

/**
 * The kernel: process table, scheduler (round robin, woken processes first), virtual clock, host timers
 * and memory accounting. One cooperative thread: a process runs until it blocks or its fuel runs out.
 */
export class Kernel {
  readonly clock: VirtualClock
  readonly bus: EventBus
  readonly world: World
  readonly fuelQuantum: number
  readonly nsPerFuel: number
  readonly nsPerSyscall: number
  private readonly turnMs: number

  private nextPid = 100
  private readonly procs = new Map<number, Process>()
  private ready: Process[] = []
  private readonly sleeping = new Set<Process>()
  private timers: HostTimer[] = []
  private timerSeq = 0
  private exitListeners = new Set<ExitListener>()
  private appsBytes = 0
  private peakAppsBytes = 0

  /** GPIO number -> pid of the process holding it open (a pin is opened by one fd at a time). */
  readonly gpioOwners = new Map<number, number>()
  /** The process on the CPU (only during a slice). */
  current?: Process
  private sliceStart = 0
  private sliceQuantumEnd = Infinity
  /** Fast-forward: the time `runFor` runs to. */
  private runTarget = Infinity
  /** Realtime: wall time (performance.now) at which this turn must give the event loop back. */
  private turnDeadline = Infinity
  private rtHandle?: {kind: 'immediate'; h: NodeJS.Immediate} | {kind: 'timeout'; h: NodeJS.Timeout}
  private rtRunning = false
  private shuttingDown = false
  /** Scheduling points passed since boot (counted only with a tap). */
  steps = 0
  readonly tap?: SchedulerTap
  /** Inside a scheduler loop (runUntil or a paced pump turn), between its points. */
  driving = false
  /** Paced (recorded realtime): the deterministic clock, driven from the host event loop, never ahead of wall time. */
  private pacedOn = false
  /** Paced: an input is being applied (a REST call in progress); the pump waits. */
  private holds = 0
  private pacedWall0 = 0
  private pacedVirtual0 = 0
  private readonly inPlaceWaits: boolean
  /** The fast-forward loop running the current slice (undefined: a paced or realtime pump runs it). */
  private sliceLoop?: Loop
  /** resumeInPlace closed the current slice and then left it to the loop: runSlice must not close it again. */
  private closedInPlace = false
  /** Waits served in place since boot (a count for benches and tests; it changes nothing). */
  inPlaceWakes = 0

  constructor(opts: KernelOptions) {
    this.clock = new VirtualClock(opts.clock, {epochMs: opts.epochMs})
    this.bus = new EventBus(() => this.now())
    this.world = opts.world
    this.world.clock = () => this.now()
    this.fuelQuantum = opts.fuelQuantum ?? 100_000
    this.nsPerFuel = opts.nsPerFuel ?? 10
    this.nsPerSyscall = opts.nsPerSyscall ?? 1_000
    this.turnMs = opts.realtimeTurnMs ?? 8
    this.tap = opts.tap
    this.inPlaceWaits = opts.inPlaceWaits ?? true
  }

  get mode(): ClockMode {
    return this.clock.mode
  }

  /** Monotonic ns since boot, including the CPU time of the slice in progress (fast-forward). */
  now(): number {
    if (this.current?.task && this.clock.mode === 'fast-forward') {
      return this.sliceStart + this.current.task.sliceElapsedNs()
    }
    return this.clock.now()
  }

  // ---- process table -------------------------------------------------------------------------------

  /** Create a process; `attach` gives it a task (the runtime instantiates the app there). */
  spawn(spec: SpawnSpec, initialBytes: number, attach: (p: Process) => Task): Process {
    if (this.shuttingDown) throw new SphereError('OS_SHUTTING_DOWN', 'the device is shutting down')
    const limit = RAM_TOTAL_BYTES - RAM_OS_SHARE_BYTES
    if (this.appsBytes + initialBytes > limit) {
      throw new SphereError(
        'OS_OUT_OF_MEMORY',
        `not enough RAM to start ${spec.name}: apps hold ${this.appsBytes} B, it needs ${initialBytes} B, the app share is ${limit} B`,
      )
    }
    const p = new Process(this.nextPid++, spec, this.now())
    p.task = attach(p)
    this.procs.set(p.pid, p)
    this.accountMemory(p)
    this.ready.push(p)
    this.bus.emit({type: 'process', pid: p.pid, componentId: p.componentId, state: p.state})
    this.kick()
    return p
  }

  process(pid: number): Process | undefined {
    return this.procs.get(pid)
  }

  /** Live processes, by pid. */
  processes(): Process[] {
    return [...this.procs.values()]
  }

  onExit(fn: ExitListener): () => void {
    this.exitListeners.add(fn)
    return () => this.exitListeners.delete(fn)
  }

  /** Block the current process (called by a syscall that cannot complete yet). */
  block(p: Process, wait: WaitSpec): void {
    p.blocked = true
    p.wait = wait
    let at = wait.deadline
    const now = this.now()
    for (const o of wait.objects) at = Math.min(at, o.readableAt(now))
    p.wakeAt = at
    this.sleeping.add(p)
  }

  /** Make a blocked process runnable again, ahead of preempted ones (woken-first; a give-way wait: behind them). */
  wake(p: Process): void {
    if (!p.alive || !p.blocked) return
    const yielding = p.wait?.yielding === true
    this.unblock(p)
    if (yielding) this.ready.push(p)
    else this.ready.unshift(p)
    this.kick()
    this.hostWake?.()
  }

  /** The wait of `p` is over (wake; resumeInPlace runs it at once instead of queueing it). */
  private unblock(p: Process): void {
    p.blocked = false
    p.wait = undefined
    p.wakeAt = Infinity
    this.sleeping.delete(p)
  }

  /** Fast-forward: resolves the host turn in progress early (a process was woken by host I/O). */
  private hostWake?: () => void

  private waitingOnHost(): boolean {
    for (const p of this.sleeping) if (p.wait?.objects.some((o) => o.hostBacked)) return true
    return false
  }

  private hostTurn(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t)
        this.hostWake = undefined
        resolve()
      }
      const t = setTimeout(done, Math.max(0, ms))
      this.hostWake = done
    })
  }

  /** Something became ready (e.g. data arrived): wake the processes waiting on it. */
  notifyReady(obj: object): void {
    for (const p of [...this.sleeping]) if (p.wait?.objects.includes(obj as never)) this.wake(p)
  }

  /** The process ended by itself: `exitCode` 0 is a clean stop, anything else counts as a crash. */
  exit(p: Process, exitCode: number): void {
    this.terminate(
      p,
      exitCode === 0 ? 'stopped' : 'crashed',
      exitCode,
      exitCode === 0 ? undefined : `exit code ${exitCode}`,
    )
  }

  crash(p: Process, reason: string): void {
    this.terminate(p, 'crashed', undefined, reason)
  }

  /**
   * Deliver a signal. SIGKILL (or SIGTERM to an app that registered no handler) ends the process; a
   * SIGTERM with a handler sets the bit in the app's pending mask and interrupts a blocking call.
   */
  signal(p: Process, signo: number): void {
    if (!p.alive) return
    if (signo === Signal.SIGKILL || (signo === Signal.SIGTERM && p.sigAddr === 0)) {
      if (p === this.current) {
        p.killRequested = true
        return
      }
      this.terminate(p, signo === Signal.SIGTERM ? 'stopped' : 'crashed', undefined, `killed by signal ${signo}`)
      return
    }
    const old = p.task?.readU32(p.sigAddr)
    if (old !== undefined) p.task?.writeU32(p.sigAddr, (old | (1 << signo)) >>> 0)
    if (p.blocked && p.wait?.interruptible) this.wake(p)
  }

  private terminate(
    p: Process,
    life: 'stopped' | 'crashed',
    exitCode: number | undefined,
    reason: string | undefined,
  ): void {
    if (!p.alive) return
    // a stop asked for is a stop, whatever exit code the app's SIGTERM handler returns or if it had to be killed
    // (the reason stays in crashReason: how the stop ended)
    if (life === 'crashed' && p.stopRequested && (exitCode !== undefined || reason?.startsWith('killed by signal'))) {
      life = 'stopped'
    }
    p.life = life
    p.exitCode = exitCode
    p.crashReason = reason
    p.blocked = false
    this.sleeping.delete(p)
    this.ready = this.ready.filter((x) => x !== p)
    p.fds.closeAll()
    p.task?.dispose()
    this.appsBytes -= p.memoryBytes
    this.procs.delete(p.pid)
    this.bus.emit({
      type: 'memory',
      pid: p.pid,
      componentId: p.componentId,
      bytes: 0,
      peakBytes: p.peakMemoryBytes,
      totalBytes: this.appsBytes,
    })
    this.bus.emit({type: 'process', pid: p.pid, componentId: p.componentId, state: p.state, exitCode, reason})
    for (const fn of [...this.exitListeners]) fn(p)
  }

  // ---- memory ----------------------------------------------------------------------------------------

  /** Re-read a process's memory size; emits a memory event when it changed. */
  accountMemory(p: Process): void {
    const bytes = p.task?.memoryBytes() ?? 0
    if (bytes === p.memoryBytes) return
    this.appsBytes += bytes - p.memoryBytes
    p.memoryBytes = bytes
    if (bytes > p.peakMemoryBytes) p.peakMemoryBytes = bytes
    if (this.appsBytes > this.peakAppsBytes) this.peakAppsBytes = this.appsBytes
    this.bus.emit({
      type: 'memory',
      pid: p.pid,
      componentId: p.componentId,
      bytes,
      peakBytes: p.peakMemoryBytes,
      totalBytes: this.appsBytes,
    })
  }

  /**
   * `memory.grow` of a process (the instrumentation routes every one here): grow `memory` by `pages` only
   * if all apps together stay within the app share of RAM and the memory within its own maximum. Returns the
   * old size in pages, or -1 (what memory.grow returns when it fails; malloc then returns NULL). The new size
   * is accounted at once (memory stats, a memory event); refusals are counted in `growRefusals`.
   */
  growMemory(
    p: Process,
    memory: {buffer: ArrayBuffer; grow(pages: number): number},
    pages: number,
    onRefuse: (reason: string) => void = () => {},
  ): number {
    const n = pages >>> 0
    const cur = memory.buffer.byteLength
    if (n === 0) return cur / WASM_PAGE_BYTES
    const limit = RAM_TOTAL_BYTES - RAM_OS_SHARE_BYTES
    // p.memoryBytes may lag `cur` (accounting runs between slices): count this process at its real size
    const others = this.appsBytes - p.memoryBytes
    if (others + cur + n * WASM_PAGE_BYTES > limit) {
      p.growRefusals++
      onRefuse(
        `growing to ${cur + n * WASM_PAGE_BYTES} B would exceed the app share of RAM (${limit} B; other apps hold ${others} B)`,
      )
      return -1
    }
    let old: number
    try {
      old = memory.grow(n)
    } catch {
      p.growRefusals++
      onRefuse(`growing to ${cur + n * WASM_PAGE_BYTES} B is past the app's memory maximum`)
      return -1
    }
    this.accountMemory(p)
    return old
  }

  memoryTotals(): MemoryTotals {
    return {
      appsBytes: this.appsBytes,
      peakAppsBytes: this.peakAppsBytes,
      osBytes: RAM_OS_SHARE_BYTES,
      totalBytes: RAM_OS_SHARE_BYTES + this.appsBytes,
      limitBytes: RAM_TOTAL_BYTES,
    }
  }

  // ---- host timers -----------------------------------------------------------------------------------

  /** Run `fn` at monotonic time `at` (virtual in fast-forward). Returns an id for clearTimer. */
  setTimer(at: number, fn: () => void): number {
    const t = {id: ++this.timerSeq, at, fn}
    let i = this.timers.length
    while (i > 0 && this.timers[i - 1]!.at > at) i--
    this.timers.splice(i, 0, t)
    this.kick()
    return t.id
  }

  clearTimer(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id)
  }

  // ---- scheduling ------------------------------------------------------------------------------------

  /** Asked by the runtime when fuel runs out (or every N syscalls): should the current process give way? */
  shouldPreempt(): boolean {
    if (this.ready.length > 0) return true
    const now = this.now()
    if (this.clock.mode === 'fast-forward') {
      if (now >= this.runTarget || now >= this.sliceQuantumEnd) return true
    } else if (performance.now() >= this.turnDeadline) return true
    return this.nextEventTime() <= now
  }

  /**
   * When the next sleeper wakes or kernel timer fires (monotonic ns; Infinity: none). Give-way waits
   * (WaitSpec.yielding) are not sleepers: a process that gave way is only waiting for its turn.
   */
  nextWakeAt(): number {
    let t = this.timers[0]?.at ?? Infinity
    for (const p of this.sleeping) if (p.wakeAt < t && p.wait?.yielding !== true) t = p.wakeAt
    return t
  }

  private nextEventTime(): number {
    let t = this.timers[0]?.at ?? Infinity
    for (const p of this.sleeping) if (p.wakeAt < t) t = p.wakeAt
    return t
  }

  private wakeDue(now: number): void {
    if (this.sleeping.size > 0) {
      const due = [...this.sleeping].filter((p) => p.wakeAt <= now)
      if (due.length > 0) {
        due.sort((a, b) => b.wakeAt - a.wakeAt || b.pid - a.pid)
        for (const p of due) this.wake(p) // unshift in reverse: earliest ends up first
      }
    }
    while (this.timers.length > 0 && this.timers[0]!.at <= now) {
      const t = this.timers.shift()!
      t.fn()
    }
  }

  /** Put `p` on the CPU: a slice starts now. */
  private beginSlice(p: Process): void {
    this.current = p
    this.sliceStart = this.clock.now()
    // with a tap, slices also end on fixed boundaries of virtual time, whoever drives the loop (a paced pump
    // has no run target): where a slice ends is then a function of the inputs only
    if (this.tap) this.sliceQuantumEnd = (Math.floor(this.sliceStart / SLICE_QUANTUM_NS) + 1) * SLICE_QUANTUM_NS
  }

  /** Take `p` off the CPU: its slice's time (`used`, default: what the task says) is charged (fast-forward: the clock moves by it). */
  private endSlice(p: Process, used = p.task ? p.task.sliceElapsedNs() : 0): void {
    this.current = undefined
    p.cpuNs += used
    if (this.clock.mode === 'fast-forward') this.clock.advanceTo(this.sliceStart + used)
  }

  /** After a slice: memory accounting, a kill that landed, back in the queue unless it blocked. */
  private afterSlice(p: Process): void {
    if (p.alive) {
      this.accountMemory(p)
      if (p.killRequested) {
        p.killRequested = false
        this.terminate(p, 'crashed', undefined, 'killed by signal 9')
      } else if (!p.blocked) this.ready.push(p)
    }
  }

  /** Run one slice of `p`. True: it ended in a wait served in place that left the rest to the loop (resumeInPlace). */
  private runSlice(p: Process, loop?: Loop): boolean {
    this.beginSlice(p)
    this.sliceLoop = loop
    this.closedInPlace = false
    try {
      p.task!.run()
    } finally {
      this.sliceLoop = undefined
      if (!this.closedInPlace) this.endSlice(p)
    }
    if (this.closedInPlace) {
      this.closedInPlace = false
      return true
    }
    this.afterSlice(p)
    return false
  }

  /**
   * Is `p`'s wake-up at `w` the next event, strictly before every other sleeper's and every kernel timer, with
   * no one waiting on the host (the loop would then let real time pass instead of jumping)?
   */
  private nextIsOnly(p: Process, w: number): boolean {
    if ((this.timers[0]?.at ?? Infinity) <= w) return false
    for (const q of this.sleeping) {
      if (q !== p && q.wakeAt <= w) return false
      const objs = q.wait?.objects
      if (objs) for (let i = 0; i < objs.length; i++) if (objs[i]!.hostBacked) return false
    }
    return true
  }

  /** What a wait served in place needs at a scheduling point it skips: nothing there to apply. */
  private pointIdle(): boolean {
    return this.tap === undefined || this.tap.idle?.(this) === true
  }

  /**
   * Fast-forward, called by the task of the current process `p` whose call just blocked (it has not unwound).
   * When all the scheduler loop would do is jump to `p`'s own wake-up and run `p` again (no other process is
   * ready, `p`'s wake-up comes strictly before every other event and the loop's target, nothing waits on the
   * host, the tap has nothing to apply), this does exactly those steps here, without unwinding `p`'s stack or
   * leaving the slice loop: it closes the slice as runSlice would, passes the same scheduling points (the
   * same step counts and done() checks), advances the clock, wakes `p` and opens its next slice. True: `p`
   * runs on and retries its call, as it would after a rewind. False: `p` unwinds as usual; when the slice was
   * closed already (a check failed on the way, or the loop is due to give the host event loop its turn), the
   * loop goes on from the point reached (closedInPlace). Every new slice is a whole slice (fuel, preemption
   * checks): a process served in place can keep the CPU only while no one else wants it.
   */
  resumeInPlace(p: Process): boolean {
    const loop = this.sliceLoop
    if (!loop || !this.inPlaceWaits || this.pacedOn || this.current !== p || !p.blocked || p.killRequested) return false
    if (this.ready.length > 0 || !this.pointIdle()) return false
    const w = p.wakeAt
    const used = p.task!.sliceElapsedNs()
    if (!(w < loop.target) || !(w > this.sliceStart + used) || !this.nextIsOnly(p, w)) return false
    // the slice ends (runSlice), the loop counts the step and may give the host its turn
    this.endSlice(p, used)
    p.task?.sliceClosed?.()
    this.closedInPlace = true
    this.afterSlice(p)
    this.steps++
    // (the wall clock is read every few wakes: a wake is a few microseconds, the host turn is due every 20 ms)
    if ((this.inPlaceWakes & 15) === 0 && performance.now() - loop.wall > HOST_TURN_EVERY_MS) return false
    // the point after the slice: nothing is due before w, so the loop jumps to it (a memory event's listener may
    // have changed that: the loop then takes over at this point)
    if (loop.done() || !this.pointIdle()) return false
    if (this.ready.length > 0 || !p.blocked || p.wakeAt !== w || !this.nextIsOnly(p, w)) return false
    if (loop.done()) return false
    this.clock.advanceTo(w)
    this.steps++
    // the point at w: p wakes (it is the only one due: wakeDue would wake it alone) and is run
    if (loop.done() || !this.pointIdle()) return false
    this.unblock(p)
    if (loop.done()) {
      this.ready.unshift(p)
      return false
    }
    this.beginSlice(p)
    this.sliceLoop = loop
    this.closedInPlace = false
    this.inPlaceWakes++
    return true
  }

  /**
   * Fast-forward: run everything until virtual time has advanced by `ns`. When every process is blocked,
   * time jumps to the next timer. Gives the host event loop a turn every ~20 ms of wall time.
   */
  async runFor(ns: number): Promise<void> {
    await this.runUntil(() => false, ns)
  }

  /** Fast-forward: run until `done()` is true or `maxNs` of virtual time passed. Returns whether done. */
  async runUntil(done: () => boolean, maxNs: number): Promise<boolean> {
    if (this.clock.mode !== 'fast-forward') {
      const end = performance.now() + maxNs / NS_PER_MS
      while (!done() && performance.now() < end) await new Promise((r) => setTimeout(r, 1))
      return done()
    }
    const target = this.clock.now() + maxNs
    const outerTarget = this.runTarget
    const outerDriving = this.driving
    this.runTarget = target
    this.driving = true
    const loop: Loop = {done, target, wall: performance.now()}
    try {
      for (;;) {
        if (done()) return true
        this.tap?.point(this)
        const now = this.clock.now()
        this.wakeDue(now)
        if (done()) return true
        const p = this.ready.shift()
        if (p && now < target) {
          // a slice that ended in a wait served in place counted its steps itself
          if (!this.runSlice(p, loop)) this.steps++
          if (performance.now() - loop.wall > HOST_TURN_EVERY_MS) {
            await new Promise((r) => setImmediate(r))
            loop.wall = performance.now()
          }
          continue
        }
        if (p) this.ready.unshift(p)
        if (now >= target) return done()
        const next = this.nextEventTime()
        if (this.waitingOnHost()) {
          // a process waits for the host (network): let real time pass (virtual time follows it) instead of jumping
          const limit = Math.min(next, target)
          const wait = async (): Promise<number> => {
            const t0 = performance.now()
            await this.hostTurn(Math.min(HOST_TURN_MS, (limit - now) / NS_PER_MS))
            return Math.min(limit, now + Math.round((performance.now() - t0) * NS_PER_MS))
          }
          this.clock.advanceTo(this.tap ? await this.tap.hostTurn(this, wait) : await wait())
          this.steps++
          loop.wall = performance.now()
          continue
        }
        // nothing will ever happen (only an unbounded run, e.g. a replay running to a step, gets here)
        if (next === Infinity && target === Infinity) return done()
        this.clock.advanceTo(Math.min(next, target))
        this.steps++
      }
    } finally {
      this.runTarget = outerTarget
      this.driving = outerDriving
      if (this.pacedOn && !this.driving) this.schedulePaced(0)
    }
  }

  /** Paced: pause the pump while an input is applied (the input may drive the kernel itself); returns release. */
  hold(): () => void {
    this.holds++
    let done = false
    return () => {
      if (done) return
      done = true
      this.holds--
      if (this.holds === 0 && this.pacedOn) this.schedulePaced(0)
    }
  }

  /**
   * An input from the host (bytes on a socket or a serial line): with a tap it is recorded and applied at the
   * next scheduling point (or now, when the kernel is idle); without one it is applied now.
   */
  hostInput(input: HostInput, apply: () => void): void {
    if (this.tap?.input) this.tap.input(this, input, apply)
    else apply()
  }

  /**
   * Replay: objects that take recorded host inputs by name (the runtime's host sockets register here). A
   * replayed device has no host peers: what they did arrives from the recording.
   */
  private readonly hostTargets = new Map<string, (event: string, args: readonly unknown[]) => void>()
  private hostObjectSeq = 0

  /** A name for a new host-backed object, the same in a recorded run and its replay (`socket:1`, ...). */
  nameHostObject(kind: string): string {
    return `${kind}:${++this.hostObjectSeq}`
  }

  registerHostTarget(name: string, fn: (event: string, args: readonly unknown[]) => void): () => void {
    this.hostTargets.set(name, fn)
    return () => {
      if (this.hostTargets.get(name) === fn) this.hostTargets.delete(name)
    }
  }

  /** Replay: deliver a recorded host input; false when no object of that name exists. */
  deliverHostInput(h: HostInput): boolean {
    const fn = this.hostTargets.get(h.object)
    if (!fn) return false
    fn(h.event, h.args ?? [])
    return true
  }

  /** Fast-forward: end the host wait in progress (an input was queued for the next point). */
  interruptHostTurn(): void {
    this.hostWake?.()
  }

  /** The time of the next timer or wake-up (Infinity: none). */
  nextEvent(): number {
    return this.nextEventTime()
  }

  /**
   * Paced mode (a recorded realtime device): the fast-forward clock and scheduler, driven from the host event
   * loop so that virtual time follows wall time: a jump to the next timer waits until wall time reaches it.
   * Runs are deterministic given the inputs and the points they were applied at (src/os/replay).
   */
  startPaced(): void {
    if (this.clock.mode !== 'fast-forward' || this.pacedOn) return
    this.pacedOn = true
    this.pacedWall0 = performance.now()
    this.pacedVirtual0 = this.clock.now()
    this.schedulePaced(0)
  }

  /** Driven paced (a recorded realtime device): the deterministic clock following wall time. */
  get paced(): boolean {
    return this.pacedOn
  }

  /** Paced: the virtual time wall time has reached. */
  pacedNow(): number {
    return this.pacedVirtual0 + Math.round((performance.now() - this.pacedWall0) * NS_PER_MS)
  }

  /** Paced: let virtual time catch up with wall time (before an input is applied), never past the next event. */
  catchUp(): void {
    if (!this.pacedOn || this.driving) return
    this.clock.advanceTo(Math.min(this.pacedNow(), this.nextEventTime()))
  }

  private schedulePaced(delayMs: number): void {
    this.clearPump()
    if (!this.pacedOn || this.shuttingDown) return
    if (delayMs <= 0) this.rtHandle = {kind: 'immediate', h: setImmediate(() => this.pacedTurn())}
    else {
      const h = setTimeout(() => this.pacedTurn(), Math.min(delayMs, 2 ** 31 - 1))
      h.unref()
      this.rtHandle = {kind: 'timeout', h}
    }
  }

  private pacedTurn(): void {
    this.rtHandle = undefined
    if (!this.pacedOn || this.driving || this.holds > 0 || this.shuttingDown) return
    const end = performance.now() + this.turnMs
    this.driving = true
    let wait = -1
    try {
      while (performance.now() < end) {
        this.tap?.point(this)
        const now = this.clock.now()
        this.wakeDue(now)
        const wallNow = this.pacedNow()
        if (this.ready.length > 0) {
          // never more than a turn ahead of wall time (a spinning app would otherwise race the clock)
          if (now > wallNow + this.turnMs * NS_PER_MS) {
            wait = (now - wallNow) / NS_PER_MS
            break
          }
          this.runSlice(this.ready.shift()!)
          this.steps++
          continue
        }
        const next = this.nextEventTime()
        if (next === Infinity) {
          wait = Infinity
          break
        }
        if (next > wallNow) {
          wait = Math.max(1, (next - wallNow) / NS_PER_MS)
          break
        }
        this.clock.advanceTo(next)
        this.steps++
      }
    } finally {
      this.driving = false
    }
    if (wait === Infinity) return // nothing to do until an input arrives (kick)
    this.schedulePaced(wait < 0 ? 0 : wait)
  }

  /** Realtime: start driving the scheduler from the host event loop. */
  startRealtime(): void {
    if (this.clock.mode !== 'realtime' || this.rtRunning) return
    this.rtRunning = true
    this.schedulePump(0)
  }

  stop(): void {
    this.rtRunning = false
    this.pacedOn = false
    this.shuttingDown = true
    this.clearPump()
    for (const p of [...this.procs.values()]) this.terminate(p, 'stopped', undefined, 'device shutdown')
  }

  private kick(): void {
    if (this.pacedOn) {
      if (!this.driving && this.current === undefined && this.rtHandle?.kind !== 'immediate') this.schedulePaced(0)
      return
    }
    if (this.rtRunning && this.current === undefined && this.rtHandle?.kind !== 'immediate') this.schedulePump(0)
  }

  private clearPump(): void {
    if (this.rtHandle?.kind === 'immediate') clearImmediate(this.rtHandle.h)
    else if (this.rtHandle?.kind === 'timeout') clearTimeout(this.rtHandle.h)
    this.rtHandle = undefined
  }

  private schedulePump(delayMs: number): void {
    this.clearPump()
    if (!this.rtRunning) return
    if (delayMs <= 0) this.rtHandle = {kind: 'immediate', h: setImmediate(() => this.pump())}
    else {
      const h = setTimeout(() => this.pump(), Math.min(delayMs, 2 ** 31 - 1))
      h.unref()
      this.rtHandle = {kind: 'timeout', h}
    }
  }

  private pump(): void {
    this.rtHandle = undefined
    if (!this.rtRunning) return
    this.turnDeadline = performance.now() + this.turnMs
    try {
      while (performance.now() < this.turnDeadline) {
        this.wakeDue(this.clock.now())
        const p = this.ready.shift()
        if (!p) break
        this.runSlice(p)
      }
    } finally {
      this.turnDeadline = Infinity
    }
    if (this.ready.length > 0) this.schedulePump(0)
    else {
      const next = this.nextEventTime()
      if (next !== Infinity) this.schedulePump(Math.max(1, (next - this.clock.now()) / NS_PER_MS))
    }
  }
}
