import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import type {FileBacking, KObject} from '../kernel/objects.js'
import type {Lsm, Subject} from '../lsm/lsm.js'
import type {AppMemory} from './memory.js'
import type {HttpHost} from './http-host.js'
import type {IotHost} from './iot-host.js'
import type {NetHost} from './net-host.js'
import type {DeviceTrustStore} from './trust.js'

/** What the services give a process: its arguments, where its output goes, its storage and package files. */
export interface AppEnvironment {
  args: readonly string[]
  env: readonly string[]
  /**
   * stdout (1), stderr (2) and Log_Debug ('log') output of the app. `data` may be a view of the app's memory,
   * valid only during the call: copy what is kept.
   */
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
  /** What the OS's libcurl reaches (names, host endpoints, the device certificate); without it curl_open fails with ENETDOWN. */
  http?: HttpHost
  /** What the OS's Azure IoT client reaches (hub endpoints, the device's identity); without it iot_open fails with ENETDOWN. */
  iot?: IotHost
  /** The device's TLS trust store (test roots standing in for public CAs, runtime/trust.ts); absent: an app trusts its CA file only. */
  tlsTrust?: DeviceTrustStore
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
  /**
   * setjmp / longjmp (sphere.ts): a call that returns BLOCK with this set asks the task, once the stack is
   * unwound, to keep a copy of the unwind data under the jmp_buf's token (save) or to rewind into a kept copy
   * (restore, the interrupted setjmp then returns `value`).
   */
  stackOp?: {kind: 'save' | 'restore'; env: number; value: number}
  /** What the setjmp that a longjmp rewound into returns (set by the task, taken by setjmp). */
  jmpReturn?: number
  /** Read the app's pending-signal mask (0 when no handler is registered or the address went bad). */
  pendingSignals(): number
  /** Block on objects until `deadline` (monotonic ns). Returns BLOCK. */
  block(objects: readonly KObject[], deadline: number): number
  /** Wait until `deadline` giving way to others (WaitSpec.yielding: queued behind sleepers on wake). Returns BLOCK. */
  giveWay(deadline: number): number
  /** Write one line to the app's log, e.g. for an unimplemented call. */
  note(line: string): void
  /**
   * Charge the modelled host cost (ns) of this call's variable work to the caller's slice (fast-forward
   * mode: it is virtual CPU time; real-time mode measures the call instead, see Syscall.heavy).
   */
  charge(ns: number): void
  /**
   * Before `ns` of modelled host work: 0 when the call may do it now (it is charged in fast-forward mode);
   * otherwise another process is due before the work would end, and the call must return this result (BLOCK
   * or YIELD) without doing the work: it runs again, admitted, once the other process had its turn.
   */
  admit(ns: number): number
}

/**
 * Modelled host cost of variable syscall work, charged to the caller in fast-forward mode (sdk/ABI.md,
 * "Preemption"). Each is an upper bound of what this machine measures (bench/os-preempt.js prints both).
 */
export const COST = {
  /** Per byte copied between app memory and the host (write, read, log, sockets). */
  nsPerByte: 3,
  /** Per byte of random_get (fast-forward mode derives them from SHA-256 of a seed, 32 bytes a hash). */
  nsPerRandomByte: 300,
  /** Per poll_oneoff subscription or epoll interest scanned. */
  nsPerItem: 200,
} as const
