import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import type {FileBacking, KObject} from '../kernel/objects.js'
import type {Lsm, Subject} from '../lsm/lsm.js'
import type {AppMemory} from './memory.js'
import type {NetHost} from './net-host.js'

/** What the services give a process: its arguments, where its output goes, its storage and package files. */
export interface AppEnvironment {
  args: readonly string[]
  env: readonly string[]
  /** stdout (1), stderr (2) and Log_Debug ('log') output of the app. */
  output(stream: 1 | 2 | 'log', data: Uint8Array): void
  /** The app's mutable storage file (created if absent), or a negative errno. */
  openMutableStorage(): FileBacking | number
  /** 0, or a negative errno (-ENOENT when there is none). */
  deleteMutableStorage(): number
  /** A read-only file of the app's image package (path already validated), or a negative errno. */
  openPackageFile(path: string): FileBacking | number
  /** Fill with random bytes (deterministic per device in fast-forward mode). */
  random(buf: Uint8Array): void
  /** The device's network service (sockets, interfaces); without it sockets fail with ENETDOWN. */
  net?: NetHost
}

/** Returned by a syscall implementation that blocked the process (the task then unwinds). */
export const BLOCK = -0x8000_0000
/** Returned by a syscall that gives up the CPU voluntarily (sched_yield). */
export const YIELD = -0x7fff_ffff

/** Thrown by proc_exit: unwinds the wasm stack; the task turns it into a process exit. */
export class ProcExit {
  constructor(readonly code: number) {}
}

/** Thrown when the process was killed while on the CPU. */
export class ProcKilled {
  constructor(readonly reason: string) {}
}

/** The per-process context every syscall gets. */
export interface SysCtx {
  kernel: Kernel
  lsm: Lsm
  proc: Process
  mem: AppMemory
  env: AppEnvironment
  subject: Subject
  /** Per-call state kept across retries of one blocking call (e.g. absolute deadlines); cleared on return. */
  callState: unknown
  /** Set when this call is resumed after a voluntary yield. */
  yielded: boolean
  /** Read the app's pending-signal mask (0 when no handler is registered or the address went bad). */
  pendingSignals(): number
  /** Block on objects until `deadline` (monotonic ns). Returns BLOCK. */
  block(objects: readonly KObject[], deadline: number): number
  /** Write one line to the app's log, e.g. for an unimplemented call. */
  note(line: string): void
  /**
   * Charge the modelled host cost (ns) of this call's variable work to the caller's slice (fast-forward
   * mode: it is virtual CPU time; real-time mode measures the call instead, see Syscall.heavy).
   */
  charge(ns: number): void
}

/**
 * Modelled host cost of variable syscall work, charged to the caller in fast-forward mode (sdk/ABI.md,
 * "Preemption"). Each is an upper bound of what this machine measures (bench/os-preempt.js prints both).
 */
export const COST = {
  /** Per byte copied between app memory and the host (write, read, log, random, sockets). */
  nsPerByte: 1,
  /** Per poll_oneoff subscription or epoll interest scanned. */
  nsPerItem: 100,
} as const
