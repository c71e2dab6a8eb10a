import {RAM_OS_SHARE_BYTES, RAM_TOTAL_BYTES} from '../hw/chip.js'
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
  /** Fast-forward: the time `runFor` runs to. */
  private runTarget = Infinity
  /** Realtime: wall time (performance.now) at which this turn must give the event loop back. */
  private turnDeadline = Infinity
  private rtHandle?: {kind: 'immediate'; h: NodeJS.Immediate} | {kind: 'timeout'; h: NodeJS.Timeout}
  private rtRunning = false
  private shuttingDown = false

  constructor(opts: KernelOptions) {
    this.clock = new VirtualClock(opts.clock, {epochMs: opts.epochMs})
    this.bus = new EventBus(() => this.now())
    this.world = opts.world
    this.fuelQuantum = opts.fuelQuantum ?? 100_000
    this.nsPerFuel = opts.nsPerFuel ?? 10
    this.nsPerSyscall = opts.nsPerSyscall ?? 1_000
    this.turnMs = opts.realtimeTurnMs ?? 8
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

  /** Make a blocked process runnable again, ahead of preempted ones (woken-first). */
  wake(p: Process): void {
    if (!p.alive || !p.blocked) return
    p.blocked = false
    p.wait = undefined
    p.wakeAt = Infinity
    this.sleeping.delete(p)
    this.ready.unshift(p)
    this.kick()
    this.hostWake?.()
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
      if (now >= this.runTarget) return true
    } else if (performance.now() >= this.turnDeadline) return true
    return this.nextEventTime() <= now
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

  private runSlice(p: Process): void {
    this.current = p
    this.sliceStart = this.clock.now()
    try {
      p.task!.run()
    } finally {
      const used = p.task ? p.task.sliceElapsedNs() : 0
      this.current = undefined
      p.cpuNs += used
      if (this.clock.mode === 'fast-forward') this.clock.advanceTo(this.sliceStart + used)
    }
    if (p.alive) {
      this.accountMemory(p)
      if (p.killRequested) {
        p.killRequested = false
        this.terminate(p, 'crashed', undefined, 'killed by signal 9')
      } else if (!p.blocked) this.ready.push(p)
    }
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
    this.runTarget = target
    let wall = performance.now()
    try {
      for (;;) {
        if (done()) return true
        const now = this.clock.now()
        this.wakeDue(now)
        if (done()) return true
        const p = this.ready.shift()
        if (p && now < target) {
          this.runSlice(p)
          if (performance.now() - wall > 20) {
            await new Promise((r) => setImmediate(r))
            wall = performance.now()
          }
          continue
        }
        if (p) this.ready.unshift(p)
        if (now >= target) return done()
        const next = this.nextEventTime()
        if (this.waitingOnHost()) {
          // a process waits for the host (network): let real time pass (virtual time follows it) instead of jumping
          const limit = Math.min(next, target)
          const t0 = performance.now()
          await this.hostTurn(Math.min(HOST_TURN_MS, (limit - now) / NS_PER_MS))
          this.clock.advanceTo(Math.min(limit, now + Math.round((performance.now() - t0) * NS_PER_MS)))
          wall = performance.now()
          continue
        }
        this.clock.advanceTo(Math.min(next, target))
      }
    } finally {
      this.runTarget = Infinity
    }
  }

  /** Realtime: start driving the scheduler from the host event loop. */
  startRealtime(): void {
    if (this.clock.mode !== 'realtime' || this.rtRunning) return
    this.rtRunning = true
    this.schedulePump(0)
  }

  stop(): void {
    this.rtRunning = false
    this.shuttingDown = true
    this.clearPump()
    for (const p of [...this.procs.values()]) this.terminate(p, 'stopped', undefined, 'device shutdown')
  }

  private kick(): void {
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
