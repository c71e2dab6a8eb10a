import {Errno} from '../kernel/errno.js'
import type {Kernel} from '../kernel/kernel.js'
import type {KObject} from '../kernel/objects.js'
import type {Process, Task} from '../kernel/process.js'
import type {Lsm} from '../lsm/lsm.js'
import {SphereError} from '../../util/errors.js'
import {ABI_MODULES} from './abi.js'
import {BLOCK, ProcExit, ProcKilled, YIELD, type AppEnvironment, type SysCtx} from './context.js'
import {
  FUEL_EXPORT,
  GROW_NAME,
  growMemoryImport,
  MIN_UNWIND_BYTES,
  UNWIND_AREA_EXPORT,
  UNWIND_SIZE_EXPORT,
  YIELD_MODULE,
  YIELD_NAME,
} from './instrument.js'
import {AppMemory} from './memory.js'
import {applibsImports, sphereImports} from './sphere.js'
import {wasiImports} from './wasi.js'
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
  private started = false
  private rewinding = false
  private unwinding = false
  private preemptible = false
  private sliceFuel = 0
  private sliceSyscalls = 0
  private nextCheck = SYSCALLS_PER_CHECK
  private noted = new Set<string>()
  private disposed = false

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
      note: (line: string) => {
        if (this.noted.has(line)) return
        this.noted.add(line)
        env.output('log', new TextEncoder().encode(`${line}\n`))
      },
    }
    this.ctx = ctx
    const impls: Record<string, Record<string, AnyFn>> = {
      wasi_snapshot_preview1: wasiImports(ctx) as Record<string, AnyFn>,
      sphere: sphereImports(ctx) as Record<string, AnyFn>,
      applibs: applibsImports(ctx) as Record<string, AnyFn>,
    }
    const imports: WasmImports = {
      [YIELD_MODULE]: {[YIELD_NAME]: () => this.onFuelOut(), [GROW_NAME]: growMemoryImport(ctx, () => this.ex.memory)},
    }
    for (const m of ABI_MODULES) imports[m] = {}
    for (const d of Wasm.Module.imports(module)) {
      if (d.module === YIELD_MODULE) continue
      const impl = impls[d.module]?.[d.name]
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

  /** Turn a syscall implementation into an import: rewind bookkeeping, preemption checks, blocking. */
  private wrap(fn: AnyFn): AnyFn {
    // before(): true when the call must not run now (the process is being preempted at syscall entry).
    const before = (): boolean => {
      if (this.rewinding) {
        this.ex.asyncify_stop_rewind()
        this.rewinding = false
      } else if (++this.sliceSyscalls >= this.nextCheck) {
        this.nextCheck += SYSCALLS_PER_CHECK
        if (this.preemptible && this.kernel.shouldPreempt()) {
          this.unwind()
          return true
        }
      }
      return false
    }
    const after = (r: number): number => {
      if (r < 0) {
        if (r === BLOCK) {
          this.unwind()
          return 0
        }
        if (r === YIELD) {
          this.ctx.yielded = true
          this.unwind()
          return 0
        }
      }
      if (this.ctx.callState !== undefined) this.ctx.callState = undefined
      if (this.proc.killRequested) throw new ProcKilled('killed by signal 9')
      return r
    }
    // One closure per arity keeps the hot path free of argument adaptation.
    const f = fn as (...a: unknown[]) => number
    switch (fn.length) {
      case 0:
        return (() => (before() ? 0 : after(f()))) as AnyFn
      case 1:
        return ((a: unknown) => (before() ? 0 : after(f(a)))) as AnyFn
      case 2:
        return ((a: unknown, b: unknown) => (before() ? 0 : after(f(a, b)))) as AnyFn
      case 3:
        return ((a: unknown, b: unknown, c: unknown) => (before() ? 0 : after(f(a, b, c)))) as AnyFn
      case 4:
        return ((a: unknown, b: unknown, c: unknown, d: unknown) => (before() ? 0 : after(f(a, b, c, d)))) as AnyFn
      default:
        return ((...a: unknown[]) => (before() ? 0 : after(f(...a)))) as AnyFn
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
      this.ex.asyncify_stop_rewind()
      this.rewinding = false
      return
    }
    this.sliceFuel += this.q + 1
    this.fuel.value = this.q
    if (this.preemptible && this.kernel.shouldPreempt()) this.unwind()
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
    this.sliceFuel = 0
    this.sliceSyscalls = 0
    this.nextCheck = SYSCALLS_PER_CHECK
    this.fuel.value = this.q
    this.preemptible = true
    const p = this.proc
    try {
      if (this.started) {
        this.ex.asyncify_start_rewind(this.area)
        this.rewinding = true
      }
      this.started = true
      this.ex._start()
      if (this.unwinding) {
        this.ex.asyncify_stop_unwind()
        this.unwinding = false
        return
      }
      this.kernel.exit(p, 0)
    } catch (e) {
      this.unwinding = false
      this.rewinding = false
      if (e instanceof ProcExit) this.kernel.exit(p, e.code)
      else if (e instanceof ProcKilled) this.kernel.crash(p, e.reason)
      else this.kernel.crash(p, describeTrap(e))
    } finally {
      this.preemptible = false
      p.syscalls += this.sliceSyscalls
    }
  }

  sliceElapsedNs(): number {
    const used = this.sliceFuel + (this.q - (this.fuel.value as number))
    return used * this.kernel.nsPerFuel + this.sliceSyscalls * this.kernel.nsPerSyscall
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
}

function describeTrap(e: unknown): string {
  if (e instanceof Wasm.RuntimeError) return `trap: ${e.message}`
  if (e instanceof RangeError) return `trap: ${e.message}` // call stack exhausted
  if (e instanceof Error) return `internal error: ${e.message}`
  return `internal error: ${String(e)}`
}
