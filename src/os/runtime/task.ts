import {createHash} from 'node:crypto'
import {Errno} from '../kernel/errno.js'
import type {Kernel} from '../kernel/kernel.js'
import type {KObject} from '../kernel/objects.js'
import type {Process, Task} from '../kernel/process.js'
import type {Lsm} from '../lsm/lsm.js'
import {SphereError} from '../../util/errors.js'
import {ABI_MODULES} from './abi.js'
import {BLOCK, COST, ProcExit, ProcKilled, YIELD, type AppEnvironment, type SysCtx} from './context.js'
import {
  FUEL_EXPORT,
  GROW_NAME,
  growMemoryImport,
  NULL_GUARD_EXPORT,
  MIN_UNWIND_BYTES,
  UNWIND_AREA_EXPORT,
  UNWIND_SIZE_EXPORT,
  YIELD_MODULE,
  YIELD_NAME,
} from './instrument.js'
import {AppMemory} from './memory.js'
import {bindTable} from './syscalls/dispatch.js'
import {SYSCALLS} from './syscalls/table.js'
import {
  Wasm,
  type WasmModule,
  type WasmMemory,
  type WasmGlobal,
  type WasmInstance,
  type WasmImports,
} from './wasm-api.js'

/** Every this many syscalls in one slice, the kernel is asked whether the process should give way. */
const SYSCALLS_PER_CHECK = 256
/**
 * ... and as soon as the host work charged to the slice (modelled in fast-forward mode, measured in real-time
 * mode: see Syscall.heavy) grew by this much since the last check: preemption is by time, not call count.
 */
export const CHARGE_NS_PER_CHECK = 100_000
/** Modelled work from which a call asks first whether another process is due (SysCtx.admit). */
const ADMIT_CHECK_NS = 20_000
/** Most times an admitted call's retry gives way again to a sleeper due inside its work (SysCtx.admit). */
const MAX_GIVE_WAYS = 4

interface AsyncifyExports {
  _start: () => void
  memory: WasmMemory
  asyncify_start_unwind: (p: number) => void
  asyncify_stop_unwind: () => void
  asyncify_start_rewind: (p: number) => void
  asyncify_stop_rewind: () => void
  [FUEL_EXPORT]: WasmGlobal
  [UNWIND_AREA_EXPORT]: () => number
  [UNWIND_SIZE_EXPORT]: () => number
}

type AnyFn = (
  a?: never,
  b?: never,
  c?: never,
  d?: never,
  e?: never,
  f?: never,
  g?: never,
  h?: never,
  i?: never,
) => number

/**
 * One app process executing an instrumented module on the kernel's single thread. Blocking syscalls and
 * fuel exhaustion unwind the wasm stack (Asyncify); the next `run()` rewinds it and retries the call.
 * A trap, a kill or proc_exit ends only this process.
 */
export class WasmTask implements Task {
  private readonly ex: AsyncifyExports
  private readonly fuel: WasmGlobal
  readonly mem: AppMemory
  private readonly ctx: SysCtx
  private readonly q: number
  private area = 0
  private areaEnd = 0
  /** The end of the unwind data in the area (what a rewind reads), for rewound() to clear. */
  private dataEnd = 0
  private started = false
  private rewinding = false
  private unwinding = false
  private preemptible = false
  private sliceFuel = 0
  private sliceSyscalls = 0
  private nextCheck = SYSCALLS_PER_CHECK
  /** The current call waited for its turn (SysCtx.admit): its retry does the work. */
  private admitted = false
  /** Times the current call gave way again on its retry because a sleeper was due inside its work. */
  private giveWays = 0
  /** Host ns charged to this slice beyond the per-call base, and the figure that triggers the next check. */
  private sliceChargeNs = 0
  private checkAtNs = CHARGE_NS_PER_CHECK
  private noted = new Set<string>()
  private disposed = false
  /** Stacks kept by setjmp, by the token written to the jmp_buf (insertion order: the oldest is dropped first). */
  private readonly stacks = new Map<number, {env: number; data: Uint8Array}>()
  private nextJmpToken = 1
  /** The app asked for the NULL-page guard (NULL_GUARD_EXPORT): out-of-bounds traps are SIGSEGV crashes. */
  private readonly nullGuard: boolean

  constructor(
    module: WasmModule,
    private readonly kernel: Kernel,
    lsm: Lsm,
    private readonly proc: Process,
    env: AppEnvironment,
    /** Declared signature of every app import ('ii->i'), keyed `module.name`. */
    private readonly importSigs: ReadonlyMap<string, string> = new Map(),
  ) {
    this.q = kernel.fuelQuantum
    this.nullGuard = Wasm.Module.exports(module).some((e) => e.name === NULL_GUARD_EXPORT)
    const ctx: SysCtx = {
      kernel,
      lsm,
      proc,
      mem: new AppMemory(),
      env,
      subject: {kind: 'app', componentId: proc.componentId, pid: proc.pid},
      callState: undefined,
      yielded: false,
      pendingSignals: () => (proc.sigAddr === 0 ? 0 : (this.readU32(proc.sigAddr) ?? 0)),
      block: (objects: readonly KObject[], deadline: number) => {
        kernel.block(proc, {objects, deadline, interruptible: proc.sigAddr !== 0})
        return BLOCK
      },
      giveWay: (deadline: number) => {
        kernel.block(proc, {objects: [], deadline, interruptible: proc.sigAddr !== 0, yielding: true})
        return BLOCK
      },
      note: (line: string) => {
        if (this.noted.has(line)) return
        this.noted.add(line)
        env.output('log', new TextEncoder().encode(`${line}\n`))
      },
      charge: kernel.mode === 'fast-forward' ? (ns: number) => this.addCharge(ns) : () => {},
      admit: (ns: number) => this.admit(ns),
    }
    this.ctx = ctx
    const wanted = Wasm.Module.imports(module).filter((d) => d.module !== YIELD_MODULE)
    const impls = bindTable(
      SYSCALLS,
      ctx,
      kernel.mode === 'fast-forward' ? {} : {measured: (ns) => this.addCharge(ns)},
      new Set(wanted.map((d) => `${d.module}.${d.name}`)),
    )
    const imports: WasmImports = {
      [YIELD_MODULE]: {[YIELD_NAME]: () => this.onFuelOut(), [GROW_NAME]: growMemoryImport(ctx, () => this.ex.memory)},
    }
    for (const m of ABI_MODULES) imports[m] = {}
    for (const d of wanted) {
      if (d.module === YIELD_MODULE) continue
      const impl = impls.get(`${d.module}.${d.name}`) as AnyFn | undefined
      ;(imports[d.module] as Record<string, unknown>)[d.name] = impl ? this.wrap(impl) : this.enosys(d.module, d.name)
    }
    let instance: WasmInstance
    try {
      instance = new Wasm.Instance(module, imports)
    } catch (e) {
      throw new SphereError('APP_LOAD_FAILED', `cannot instantiate ${proc.name}: ${(e as Error).message}`)
    }
    this.ex = instance.exports as unknown as AsyncifyExports
    this.fuel = this.ex[FUEL_EXPORT]
    this.mem = ctx.mem
    this.mem.attach(this.ex.memory)
    // Host -> guest helper calls: fuel topped up, preemption off (a yield here must never unwind).
    this.fuel.value = this.q
    const area = this.ex[UNWIND_AREA_EXPORT]() >>> 0
    const size = this.ex[UNWIND_SIZE_EXPORT]() >>> 0
    if (size < MIN_UNWIND_BYTES || area % 4 !== 0 || !this.mem.ok(area, size)) {
      throw new SphereError(
        'APP_NO_UNWIND_AREA',
        `${proc.name}: the unwind area (${size} B at ${area}) is too small or out of bounds`,
      )
    }
    this.area = area
    this.areaEnd = area + size
  }

  /** SysCtx.admit: heavy work that would run past another process's due time waits for its turn first. */
  private admit(ns: number): number {
    const ff = this.kernel.mode === 'fast-forward'
    if (this.admitted) {
      // the retry after waiting: the processes that were ready had their turn; a sleeper whose wake falls inside
      // the work still goes first (give way again until it is due), at most MAX_GIVE_WAYS times in a row so that
      // sleepers due more often than the work is long cannot starve it
      const wakeAt = ff ? this.kernel.nextWakeAt() : Infinity
      if (this.giveWays < MAX_GIVE_WAYS && wakeAt < this.kernel.now() + ns) {
        this.giveWays++
        return this.ctx.giveWay(wakeAt)
      }
      this.admitted = false // the work runs now
      this.giveWays = 0
    } else if (ns >= ADMIT_CHECK_NS && this.preemptible) {
      // fast-forward: is anyone due before the work would end? (real-time: now; the work is measured after)
      if (ff) this.sliceChargeNs += ns
      const due = this.kernel.shouldPreempt()
      if (ff) this.sliceChargeNs -= ns
      if (due) {
        this.admitted = true
        // fast-forward: wait as long as the work takes (the due process runs meanwhile); real-time: give way
        return ff ? this.ctx.giveWay(this.kernel.now() + ns) : YIELD
      }
    }
    if (ff) this.addCharge(ns)
    return 0
  }

  /** Charge host work to the slice; past the threshold, the next syscall entry asks the kernel to preempt. */
  private addCharge(ns: number): void {
    this.sliceChargeNs += ns
    if (this.sliceChargeNs >= this.checkAtNs) this.nextCheck = 0
  }

  /** Syscall entry, slow path: finish a rewind, or run the periodic preemption check. True: do not run the call. */
  private enterSlow(): boolean {
    if (this.rewinding) {
      this.rewound()
      return false
    }
    this.nextCheck = this.sliceSyscalls + SYSCALLS_PER_CHECK
    this.checkAtNs = this.sliceChargeNs + CHARGE_NS_PER_CHECK
    if (this.preemptible && this.kernel.shouldPreempt()) {
      this.unwind() // preempted at syscall entry: the call runs when the process is resumed
      return true
    }
    return false
  }

  /**
   * The call blocked: may the kernel serve the wait in place (Kernel.resumeInPlace)? Then the call is retried at
   * once in the next slice, as the rewind would retry it. Not for a setjmp / longjmp (their BLOCK is an unwind).
   */
  private resumeInPlace(): boolean {
    if (this.ctx.stackOp !== undefined || !this.preemptible || !this.kernel.resumeInPlace(this.proc)) return false
    this.resetSlice() // the next slice, from zero, as run() starts one
    return true
  }

  /**
   * Task.sliceClosed: the slice's syscalls are counted (run() must not count them again should the process
   * unwind after all); the fuel is left as it is, as a slice that unwinds leaves it (it is in memoryDigest).
   */
  sliceClosed(): void {
    this.proc.syscalls += this.sliceSyscalls
    this.sliceSyscalls = 0
  }

  /**
   * A rewind is complete. The unwind data it read is cleared (the header too: the area is as before the first
   * unwind), so that what the app's memory holds while it runs does not depend on how many of its waits were
   * unwound and how many were served in place (Kernel.resumeInPlace): memory digests and anything the app could
   * read back are the same both ways. At rest the area holds the data of the wait it rests in, either way.
   */
  private rewound(): void {
    this.ex.asyncify_stop_rewind()
    this.rewinding = false
    this.mem.bytes().fill(0, this.area, this.dataEnd)
    this.dataEnd = this.area
  }

  private resetSlice(): void {
    this.sliceFuel = 0
    this.sliceSyscalls = 0
    this.nextCheck = SYSCALLS_PER_CHECK
    this.sliceChargeNs = 0
    this.checkAtNs = CHARGE_NS_PER_CHECK
    this.fuel.value = this.q
  }

  /** Syscall exit, slow path: a blocking or yielding result unwinds; retry state is dropped; a kill lands. */
  private exitSlow(r: number): number {
    if (r === BLOCK) {
      this.unwind()
      return 0
    }
    if (r === YIELD) {
      this.ctx.yielded = true
      this.unwind()
      return 0
    }
    this.ctx.callState = undefined
    if (this.proc.killRequested) throw new ProcKilled('killed by signal 9')
    return r
  }

  /**
   * Turn a syscall implementation into an import: rewind bookkeeping, preemption checks, blocking. The fast
   * path (no rewind, no check due, a plain result) is two compares on each side of the call.
   */
  private wrap(fn: AnyFn): AnyFn {
    const ctx = this.ctx
    const proc = this.proc
    const f = fn as (...a: unknown[]) => number
    // One closure per arity keeps the hot path free of argument adaptation.
    switch (fn.length) {
      case 0:
        return (() => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f()
          while (r === BLOCK && this.resumeInPlace()) r = f()
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
      case 1:
        return ((a: unknown) => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f(a)
          while (r === BLOCK && this.resumeInPlace()) r = f(a)
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
      case 2:
        return ((a: unknown, b: unknown) => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f(a, b)
          while (r === BLOCK && this.resumeInPlace()) r = f(a, b)
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
      case 3:
        return ((a: unknown, b: unknown, c: unknown) => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f(a, b, c)
          while (r === BLOCK && this.resumeInPlace()) r = f(a, b, c)
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
      case 4:
        return ((a: unknown, b: unknown, c: unknown, d: unknown) => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f(a, b, c, d)
          while (r === BLOCK && this.resumeInPlace()) r = f(a, b, c, d)
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
      default: // five or more parameters (the dispatcher gives every import the length its table entry declares)
        return ((...a: unknown[]) => {
          if ((this.rewinding || ++this.sliceSyscalls >= this.nextCheck) && this.enterSlow()) return 0
          let r = f(...a)
          while (r === BLOCK && this.resumeInPlace()) r = f(...a)
          return r < 0 || ctx.callState !== undefined || proc.killRequested ? this.exitSlow(r) : r
        }) as AnyFn
    }
  }

  /** A stub for an import the runtime does not implement: one log line, -ENOSYS (52), never a trap. */
  private enosys(mod: string, name: string): (...a: unknown[]) => number | bigint | undefined {
    const value = mod === 'wasi_snapshot_preview1' ? Errno.ENOSYS : -Errno.ENOSYS
    const stub = this.wrap((() => {
      this.ctx.note(`${mod}.${name}: not implemented (ENOSYS)`)
      // audited like any refusal: fork / execve / ptrace and friends leave a record
      this.ctx.lsm.check(this.ctx.subject, {op: 'syscall', name: `${mod}.${name}`})
      return value
    }) as AnyFn) as (...x: unknown[]) => number
    const sig = this.importSigs.get(`${mod}.${name}`) ?? '->i'
    if (sig.endsWith('->I')) return (...a: unknown[]) => BigInt(stub(...a))
    if (sig.endsWith('->')) return (...a: unknown[]) => void stub(...a)
    return stub
  }

  private onFuelOut(): void {
    if (this.rewinding) {
      this.rewound()
      return
    }
    this.sliceFuel += this.q + 1
    this.fuel.value = this.q
    if (this.preemptible && this.kernel.shouldPreempt()) this.unwind()
  }

  /** setjmp: the unwind data of the stack just unwound, kept under a token written to the jmp_buf. */
  private keepStack(env: number): void {
    const dv = this.mem.view()
    const end = dv.getUint32(this.area, true)
    const data = this.mem.read(this.area + 8, end - (this.area + 8)).slice()
    const old = dv.getUint32(env, true)
    if (this.stacks.get(old)?.env === env) this.stacks.delete(old) // the same jmp_buf set again
    const token = this.nextJmpToken++ % 0xffffffff || this.nextJmpToken++
    this.ctx.charge(data.length * COST.nsPerByte)
    this.stacks.set(token, {env, data})
    while (this.stacks.size > MAX_KEPT_STACKS) this.stacks.delete(this.stacks.keys().next().value as number)
    dv.setUint32(env, token, true)
    dv.setUint32(this.area, end, true) // rewind from the data as it was unwound
    dv.setUint32(this.area + 4, this.areaEnd, true)
  }

  /** longjmp: put the kept unwind data back; the setjmp it ends in returns `value`. */
  private restoreStack(env: number, value: number): void {
    const kept = this.stacks.get(this.mem.view().getUint32(env, true))
    if (!kept) throw new ProcKilled('signal 11 (SIGSEGV): longjmp to a jmp_buf no setjmp filled')
    this.ctx.charge(kept.data.length * COST.nsPerByte)
    this.mem.write(this.area + 8, kept.data)
    const dv = this.mem.view()
    dv.setUint32(this.area, this.area + 8 + kept.data.length, true)
    dv.setUint32(this.area + 4, this.areaEnd, true)
    this.noteDataEnd(this.area + 8 + kept.data.length)
    this.ctx.jmpReturn = value
  }

  /** Unwind data now reaches `end` (rewound() clears up to the furthest end since the last clear). */
  private noteDataEnd(end: number): void {
    this.dataEnd = Math.max(this.dataEnd, Math.min(Math.max(end, this.area), this.areaEnd))
  }

  private unwind(): void {
    const dv = this.mem.view()
    dv.setUint32(this.area, this.area + 8, true)
    dv.setUint32(this.area + 4, this.areaEnd, true)
    this.ex.asyncify_start_unwind(this.area)
    this.unwinding = true
  }

  run(): void {
    if (this.disposed) return
    this.resetSlice()
    this.preemptible = true
    const p = this.proc
    try {
      if (this.started) {
        this.ex.asyncify_start_rewind(this.area)
        this.rewinding = true
      }
      this.started = true
      this.ex._start()
      while (this.unwinding) {
        this.ex.asyncify_stop_unwind()
        this.unwinding = false
        this.noteDataEnd(this.mem.view().getUint32(this.area, true))
        const op = this.ctx.stackOp
        if (!op) return
        this.ctx.stackOp = undefined
        // setjmp / longjmp: keep or restore the unwound stack, then rewind at once
        if (op.kind === 'save') this.keepStack(op.env)
        else this.restoreStack(op.env, op.value)
        this.ex.asyncify_start_rewind(this.area)
        this.rewinding = true
        this.ex._start()
      }
      this.kernel.exit(p, 0)
    } catch (e) {
      this.unwinding = false
      this.rewinding = false
      if (e instanceof ProcExit) this.kernel.exit(p, e.code)
      else if (e instanceof ProcKilled) this.kernel.crash(p, e.reason)
      else this.kernel.crash(p, describeTrap(e, this.nullGuard))
    } finally {
      this.preemptible = false
      p.syscalls += this.sliceSyscalls
    }
  }

  sliceElapsedNs(): number {
    const used = this.sliceFuel + (this.q - (this.fuel.value as number))
    return used * this.kernel.nsPerFuel + this.sliceSyscalls * this.kernel.nsPerSyscall + this.sliceChargeNs
  }

  memoryBytes(): number {
    return this.disposed ? 0 : this.mem.size
  }

  readU32(addr: number): number | undefined {
    if (this.disposed || !this.mem.ok(addr, 4)) return undefined
    return this.mem.u32(addr)
  }

  writeU32(addr: number, value: number): boolean {
    if (this.disposed || !this.mem.ok(addr, 4)) return false
    this.mem.setU32(addr, value)
    return true
  }

  dispose(): void {
    this.disposed = true
  }

  memoryDigest(): string {
    if (this.disposed) return ''
    const h = createHash('sha256')
    h.update(new Uint8Array(this.ex.memory.buffer))
    h.update(String(this.fuel.value))
    return h.digest('hex')
  }
}

/**
 * The crash reason of a trap. For an app with the NULL-page guard an out-of-bounds access is what an ARM
 * process dies of on an unmapped page: SIGSEGV (a NULL or near-NULL pointer, or past the end of memory).
 */
/** setjmp stacks kept per process (each at most the unwind area, 8 KiB with the SDK's C library). */
const MAX_KEPT_STACKS = 16

function describeTrap(e: unknown, nullGuard = false): string {
  if (e instanceof Wasm.RuntimeError && nullGuard && /memory access out of bounds/.test(e.message))
    return 'signal 11 (SIGSEGV): invalid memory access (the NULL page or past the end of memory)'
  if (e instanceof Wasm.RuntimeError) return `trap: ${e.message}`
  if (e instanceof RangeError) return `trap: ${e.message}` // call stack exhausted
  if (e instanceof Error) return `internal error: ${e.message}`
  return `internal error: ${String(e)}`
}
