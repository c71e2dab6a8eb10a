/**
 * A minimal, synchronous stand-in for the simulated OS, implementing just enough of the app ABI (sdk/ABI.md)
 * to run SDK-built apps in a unit test without the real kernel: GPIO, timerfd, epoll, sig_register, log_write
 * and the WASI calls wasi-libc makes. Time is virtual: a blocking call (epoll_wait, poll_oneoff) jumps the
 * clock to the next timer expiry or scheduled event, so no Asyncify is needed. It checks the C side of the
 * ABI (libapplibs, headers, toolchain); the real kernel is tested in test/os. Every import it fakes is checked
 * against the syscall table (src/os/runtime/syscalls) when an app runs: a fake of an import the OS lacks, or
 * with more parameters than the OS's, is an error.
 */
import {checkHostImports} from '../../src/os/runtime/syscalls/abi-docs.js'
import {SYSCALLS} from '../../src/os/runtime/syscalls/table.js'

/** Typed access to the engine's WebAssembly API (the project's TS lib has no DOM types). */
interface WasmModule {
  readonly __module?: never
}
interface WasmApi {
  Module: {new (bytes: Uint8Array): WasmModule; imports(m: WasmModule): {module: string; name: string; kind: string}[]}
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => {exports: Record<string, unknown>}
}
export const Wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly

const EACCES = 2
const EAGAIN = 6
const EBADF = 8
const EINTR = 27
const EINVAL = 28
const ENOSYS = 52
const NS = 1_000_000_000n

export class AppExit extends Error {
  constructor(readonly code: number) {
    super(`app exited with ${code}`)
  }
}
export class HostHalt extends Error {}

interface Timer {
  kind: 'timer'
  next: bigint // 0n = disarmed
  interval: bigint
  expirations: bigint
}
interface Gpio {
  kind: 'gpio'
  id: number
  output: boolean
}
interface Epoll {
  kind: 'epoll'
  watch: Map<number, {events: number; data: bigint}>
}
type Obj = Timer | Gpio | Epoll

export interface GpioWrite {
  t: number // ms of virtual time
  id: number
  value: number
}

export interface MockHostOptions {
  /** GPIO ids the manifest grants (others fail with EACCES). */
  allowedGpios: number[]
  /** Stop the app (HostHalt) once virtual time passes this many ms. */
  untilMs: number
  /** Scheduled events: input GPIO level changes and signals, at virtual ms. */
  events?: ({atMs: number; gpio: number; value: number} | {atMs: number; signal: number})[]
}

export interface RunResult {
  exitCode: number | undefined
  halted: boolean
  log: string
  writes: GpioWrite[]
  imports: string[]
  endMs: number
}

export function runApp(wasm: Uint8Array, opts: MockHostOptions): RunResult {
  const mod = new Wasm.Module(wasm)
  const instance: {memory?: {buffer: ArrayBuffer}} = {}
  const view = (): DataView => new DataView(instance.memory!.buffer)
  const bytes = (): Uint8Array => new Uint8Array(instance.memory!.buffer)
  let now = 0n
  const limit = BigInt(opts.untilMs) * 1_000_000n
  const fds = new Map<number, Obj>()
  let nextFd = 3
  const inputs = new Map<number, number>()
  const writes: GpioWrite[] = []
  let log = ''
  let sigPtr = 0
  const pending = [...(opts.events ?? [])].sort((a, b) => a.atMs - b.atMs)
  const dec = new TextDecoder()

  const alloc = (o: Obj): number => {
    const fd = nextFd++
    fds.set(fd, o)
    return fd
  }
  const readTs = (p: number): bigint => view().getBigInt64(p, true) * NS + BigInt(view().getInt32(p + 8, true))
  const writeTs = (p: number, ns: bigint): void => {
    view().setBigInt64(p, ns / NS, true)
    view().setInt32(p + 8, Number(ns % NS), true)
  }
  const advanceTimers = (): void => {
    for (const o of fds.values()) {
      if (o.kind === 'timer' && o.next !== 0n && o.next <= now) {
        if (o.interval === 0n) {
          o.expirations += 1n
          o.next = 0n
        } else {
          const n = (now - o.next) / o.interval + 1n
          o.expirations += n
          o.next += n * o.interval
        }
      }
    }
  }
  /** Applies scheduled events due by now; returns true if a signal was raised. */
  const applyEvents = (): boolean => {
    let signalled = false
    while (pending.length > 0 && BigInt(pending[0]!.atMs) * 1_000_000n <= now) {
      const e = pending.shift()!
      if ('gpio' in e) inputs.set(e.gpio, e.value)
      else {
        if (sigPtr === 0) throw new AppExit(128 + e.signal)
        view().setUint32(sigPtr, view().getUint32(sigPtr, true) | (1 << e.signal), true)
        signalled = true
      }
    }
    return signalled
  }
  const nextDeadline = (): bigint => {
    let t = limit + 1n
    for (const o of fds.values()) if (o.kind === 'timer' && o.next !== 0n && o.next < t) t = o.next
    if (pending.length > 0) {
      const e = BigInt(pending[0]!.atMs) * 1_000_000n
      if (e < t) t = e
    }
    return t
  }
  const jumpTo = (t: bigint): void => {
    if (t > limit) {
      now = limit
      throw new HostHalt('time limit')
    }
    if (t > now) now = t
    advanceTimers()
  }
  const ready = (ep: Epoll): {fd: number; events: number; data: bigint}[] => {
    const out = []
    for (const [fd, w] of ep.watch) {
      const o = fds.get(fd)
      if (o?.kind === 'timer' && o.expirations > 0n && w.events & 1) out.push({fd, events: 1, data: w.data})
    }
    return out
  }

  const sphere = {
    timerfd_create: (clock: number, flags: number): number => (clock > 1 || flags & ~0x800 ? -EINVAL : alloc({kind: 'timer', next: 0n, interval: 0n, expirations: 0n})),
    timerfd_settime: (fd: number, flags: number, newp: number, oldp: number): number => {
      const t = fds.get(fd)
      if (t?.kind !== 'timer') return -EBADF
      if (oldp) writeTs(oldp, 0n)
      const interval = readTs(newp)
      const value = readTs(newp + 16)
      t.interval = interval
      t.expirations = 0n
      t.next = value === 0n ? 0n : flags & 1 ? value : now + value
      return 0
    },
    timerfd_gettime: (): number => -ENOSYS,
    eventfd: (): number => -ENOSYS,
    epoll_create1: (): number => alloc({kind: 'epoll', watch: new Map()}),
    epoll_ctl: (epfd: number, op: number, fd: number, ev: number): number => {
      const ep = fds.get(epfd)
      if (ep?.kind !== 'epoll') return -EBADF
      if (!fds.has(fd)) return -EBADF
      if (op === 2) return ep.watch.delete(fd) ? 0 : -2
      const entry = {events: view().getUint32(ev, true), data: view().getBigUint64(ev + 8, true)}
      if (op === 1 && ep.watch.has(fd)) return -20
      ep.watch.set(fd, entry)
      return 0
    },
    epoll_wait: (epfd: number, evp: number, max: number, timeout: number): number => {
      const ep = fds.get(epfd)
      if (ep?.kind !== 'epoll') return -EBADF
      const deadline = timeout < 0 ? undefined : now + BigInt(timeout) * 1_000_000n
      for (let i = 0; i < 100_000; i++) {
        if (applyEvents()) return -EINTR
        advanceTimers()
        const r = ready(ep).slice(0, max)
        if (r.length > 0) {
          r.forEach((e, k) => {
            view().setUint32(evp + k * 16, e.events, true)
            view().setBigUint64(evp + k * 16 + 8, e.data, true)
          })
          return r.length
        }
        if (deadline !== undefined && now >= deadline) return 0
        let t = nextDeadline()
        if (deadline !== undefined && deadline < t) t = deadline
        jumpTo(t)
      }
      throw new HostHalt('epoll_wait loop bound')
    },
    sig_register: (p: number): number => {
      sigPtr = p
      return 0
    },
    getpid: (): number => 42,
    kill: (pid: number, sig: number): number => {
      if (pid === 42 && (sig === 15 || sig === 9)) throw new AppExit(128 + sig)
      return -EINVAL
    },
  }
  const applibs = {
    log_write: (p: number, n: number): number => {
      log += dec.decode(bytes().slice(p, p + n))
      return n
    },
    gpio_open_output: (id: number, mode: number, value: number): number => {
      if (!opts.allowedGpios.includes(id)) return -EACCES
      if (mode > 2 || value > 1) return -EINVAL
      writes.push({t: Number(now / 1_000_000n), id, value})
      return alloc({kind: 'gpio', id, output: true})
    },
    gpio_open_input: (id: number): number => (opts.allowedGpios.includes(id) ? alloc({kind: 'gpio', id, output: false}) : -EACCES),
    gpio_set_value: (fd: number, value: number): number => {
      const g = fds.get(fd)
      if (g?.kind !== 'gpio') return -EBADF
      if (!g.output) return -63
      writes.push({t: Number(now / 1_000_000n), id: g.id, value})
      return 0
    },
    gpio_get_value: (fd: number, out: number): number => {
      const g = fds.get(fd)
      if (g?.kind !== 'gpio') return -EBADF
      bytes()[out] = inputs.get(g.id) ?? 1
      return 0
    },
  }
  const wasi = {
    args_sizes_get: (argc: number, size: number): number => {
      view().setUint32(argc, 0, true)
      view().setUint32(size, 0, true)
      return 0
    },
    args_get: (): number => 0,
    environ_sizes_get: (n: number, size: number): number => {
      view().setUint32(n, 0, true)
      view().setUint32(size, 0, true)
      return 0
    },
    environ_get: (): number => 0,
    clock_time_get: (_id: number, _precision: bigint, out: number): number => {
      view().setBigUint64(out, now, true)
      return 0
    },
    fd_write: (fd: number, iovs: number, n: number, nwritten: number): number => {
      let total = 0
      for (let i = 0; i < n; i++) {
        const p = view().getUint32(iovs + i * 8, true)
        const len = view().getUint32(iovs + i * 8 + 4, true)
        if (fd === 1 || fd === 2) log += dec.decode(bytes().slice(p, p + len))
        total += len
      }
      view().setUint32(nwritten, total, true)
      return fd <= 2 ? 0 : EBADF
    },
    fd_read: (fd: number, iovs: number, n: number, nread: number): number => {
      const t = fds.get(fd)
      if (t?.kind !== 'timer' || n < 1) return EBADF
      advanceTimers()
      if (t.expirations === 0n) return EAGAIN
      const p = view().getUint32(iovs, true)
      view().setBigUint64(p, t.expirations, true)
      t.expirations = 0n
      view().setUint32(nread, 8, true)
      return 0
    },
    fd_close: (fd: number): number => {
      if (!fds.delete(fd)) return EBADF
      for (const o of fds.values()) if (o.kind === 'epoll') o.watch.delete(fd)
      return 0
    },
    fd_seek: (): number => 70,
    fd_fdstat_get: (fd: number, out: number): number => {
      if (fd > 2) return EBADF
      bytes().fill(0, out, out + 24)
      bytes()[out] = 2
      return 0
    },
    fd_prestat_get: (): number => EBADF,
    fd_prestat_dir_name: (): number => EBADF,
    poll_oneoff: (inp: number, out: number, nsubs: number, nevents: number): number => {
      if (nsubs !== 1 || bytes()[inp + 8] !== 0) return ENOSYS
      const timeout = view().getBigUint64(inp + 24, true)
      const abs = (view().getUint16(inp + 40, true) & 1) !== 0
      const wake = abs ? timeout : now + timeout
      for (let i = 0; i < 100_000; i++) {
        if (applyEvents()) return EINTR
        if (now >= wake) break
        const t = nextDeadline()
        jumpTo(t < wake ? t : wake)
      }
      view().setBigUint64(out, view().getBigUint64(inp, true), true)
      view().setUint16(out + 8, 0, true)
      bytes()[out + 10] = 0
      view().setUint32(nevents, 1, true)
      return 0
    },
    proc_exit: (code: number): never => {
      throw new AppExit(code)
    },
    random_get: (p: number, n: number): number => {
      bytes().fill(7, p, p + n)
      return 0
    },
    sched_yield: (): number => 0,
  }
  const table: Record<string, Record<string, unknown>> = {wasi_snapshot_preview1: wasi, sphere, applibs}
  const problems = checkHostImports(SYSCALLS, table)
  if (problems.length > 0) throw new Error(`test/sdk/mock-host.ts disagrees with the syscall table: ${problems.join('; ')}`)
  const importObject: Record<string, Record<string, unknown>> = {}
  const names: string[] = []
  for (const imp of Wasm.Module.imports(mod)) {
    names.push(`${imp.module}.${imp.name}`)
    const fn = table[imp.module]?.[imp.name] ?? ((): number => -ENOSYS)
    importObject[imp.module] = {...(importObject[imp.module] ?? {}), [imp.name]: fn}
  }
  const inst = new Wasm.Instance(mod, importObject)
  instance.memory = inst.exports.memory as {buffer: ArrayBuffer}
  let exitCode: number | undefined
  let halted = false
  try {
    ;(inst.exports._start as () => void)()
    exitCode = 0
  } catch (e) {
    if (e instanceof AppExit) exitCode = e.code
    else if (e instanceof HostHalt) halted = true
    else throw e
  }
  return {exitCode, halted, log, writes, imports: names.sort(), endMs: Number(now / 1_000_000n)}
}

/** Intervals (ms) between successive writes to one GPIO. */
export function intervals(writes: GpioWrite[], id: number): number[] {
  const ts = writes.filter((w) => w.id === id).map((w) => w.t)
  return ts.slice(1).map((t, i) => t - ts[i]!)
}
