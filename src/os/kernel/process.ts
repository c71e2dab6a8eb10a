import type {ProcessState} from './events.js'
import {FdTable, type KObject} from './objects.js'

/** What the kernel needs from whatever executes a process (the runtime's WebAssembly task). */
export interface Task {
  /** Run until the process blocks, is preempted, exits or crashes; the task updates the kernel itself. */
  run(): void
  /** Virtual CPU time the current slice has used so far (fast-forward time accounting). */
  sliceElapsedNs(): number
  /**
   * The kernel closed the current slice without the task returning (Kernel.resumeInPlace): count it, and start
   * the next slice from zero, as run() does. Optional: a task without it is never served in place.
   */
  sliceClosed?(): void
  /** Bytes of linear memory the process holds now. */
  memoryBytes(): number
  /** Read / write a u32 in the process's memory; undefined / false when out of bounds. */
  readU32(addr: number): number | undefined
  writeU32(addr: number, value: number): boolean
  dispose(): void
  /** A digest of the process's linear memory (snapshots check a restored device against it). */
  memoryDigest?(): string
}

export interface WaitSpec {
  /** Absolute monotonic deadline, or Infinity. */
  deadline: number
  /** Objects whose readiness can end the wait. */
  objects: readonly KObject[]
  /** A signal (registered handler) ends the wait with EINTR. */
  interruptible: boolean
  /**
   * A give-way wait (heavy work that would run past another process's due time waits for its turn, SysCtx.admit):
   * when it ends the process queues behind the processes woken meanwhile, as a preempted one does, instead of
   * ahead of them (woken-first is for sleepers; otherwise a wait that ends just before a sleeper's timer runs
   * its heavy work first and the sleeper is late by that work).
   */
  yielding?: boolean
}

export interface SpawnSpec {
  componentId: string
  name: string
  uid: number
  /** Set when started under the debugger. */
  debug?: boolean
}

/** Host-side resources of one app (see `Process.hostUsage`). */
export interface HostUsage {
  sockets: number
  bufferBytes: number
  peakBufferBytes: number
}

export class Process {
  readonly pid: number
  readonly uid: number
  readonly componentId: string
  readonly name: string
  readonly fds = new FdTable()
  /** Lifecycle: alive until it exits (`stopped`) or dies of a trap / kill / non-zero exit (`crashed`). */
  life: 'alive' | 'stopped' | 'crashed' = 'alive'
  /** Alive and waiting in a blocking call. */
  blocked = false
  readonly debug: boolean
  task?: Task
  /** Set while blocked. */
  wait?: WaitSpec
  wakeAt = Infinity
  /** Deadline kept across retries of one blocking call (so a relative timeout is not restarted). */
  callDeadline?: number
  memoryBytes = 0
  peakMemoryBytes = 0
  /**
   * Host state the app holds outside its wasm memory, charged by the runtime as a kernel charges socket
   * buffers: host sockets (open sockets + connections waiting in a listen backlog) and the bytes queued in its
   * socket buffers and inter-app connections. Bounded per app (runtime/sockets.ts HOST_LIMITS).
   */
  readonly hostUsage: HostUsage = {sockets: 0, bufferBytes: 0, peakBufferBytes: 0}
  /** memory.grow calls refused (RAM budget or the memory's own maximum): malloc saw NULL. */
  growRefusals = 0
  /** Virtual CPU ns used, syscalls made. */
  cpuNs = 0
  syscalls = 0
  /** Address of the app's pending-signal bitmask (0 = no handler registered). */
  sigAddr = 0
  exitCode?: number
  crashReason?: string
  /** A kill was requested while this process was on the CPU; the runtime ends it after the syscall. */
  killRequested = false
  /**
   * The application manager asked the process to stop (SIGTERM, then SIGKILL after the grace period): however
   * it then ends (an exit code, a signal), it stopped; only a trap is still a crash.
   */
  stopRequested = false
  readonly startedAt: number

  constructor(pid: number, spec: SpawnSpec, now: number) {
    this.pid = pid
    this.uid = spec.uid
    this.componentId = spec.componentId
    this.name = spec.name
    this.debug = spec.debug ?? false
    this.startedAt = now
  }

  get alive(): boolean {
    return this.life === 'alive'
  }

  get state(): ProcessState {
    if (this.life !== 'alive') return this.life
    if (this.blocked) return 'blocked'
    return this.debug ? 'debugging' : 'running'
  }
}
