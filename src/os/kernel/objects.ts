import {Errno} from './errno.js'

/**
 * Kernel objects: everything an app holds is one of these, reached through its fd table.
 * The runtime's syscalls do the argument checks; these classes hold the object semantics.
 */
export type KObjectKind = 'stdio' | 'gpio' | 'timerfd' | 'eventfd' | 'epoll' | 'file' | 'socket'
  | 'uart' | 'i2c' | 'spi' | 'adc' | 'pwm' | 'app-socket' | 'sysevent' | 'lookup'

export abstract class KObject {
  abstract readonly kind: KObjectKind
  nonblock = false
  /**
   * Readiness depends on the host world (a network socket, a PTY): while a process waits on such an object,
   * fast-forward time follows the wall clock instead of jumping, so host I/O has time to arrive.
   */
  hostBacked = false
  /** Can a read proceed without blocking at monotonic time `now`? */
  readable(_now: number): boolean {
    return false
  }
  writable(_now: number): boolean {
    return false
  }
  /** Earliest time this object becomes readable on its own (a timer), or Infinity. */
  readableAt(_now: number): number {
    return Infinity
  }
  /** Called when the last fd to it closes. */
  close(): void {}
  describe(): string {
    return this.kind
  }
}

export class StdioObject extends KObject {
  readonly kind = 'stdio' as const
  constructor(readonly stream: 0 | 1 | 2) {
    super()
  }
  override writable(): boolean {
    return this.stream !== 0
  }
  override readable(): boolean {
    return this.stream === 0 // stdin is at EOF: a read returns 0 at once
  }
  override describe(): string {
    return ['stdin', 'stdout', 'stderr'][this.stream]!
  }
}

export class GpioObject extends KObject {
  readonly kind = 'gpio' as const
  constructor(
    readonly gpio: number,
    readonly direction: 'input' | 'output',
    readonly outputMode: number,
    private readonly onClose: () => void,
  ) {
    super()
  }
  override readable(): boolean {
    return true
  }
  override writable(): boolean {
    return this.direction === 'output'
  }
  override close(): void {
    this.onClose()
  }
  override describe(): string {
    return `gpio ${this.gpio} (${this.direction})`
  }
}

/** timerfd: armed with a first expiry (monotonic ns) and an interval; expirations are counted lazily. */
export class TimerFdObject extends KObject {
  readonly kind = 'timerfd' as const
  /** Next expiry (monotonic ns), or Infinity when disarmed. */
  next = Infinity
  interval = 0
  constructor(readonly clockId: number) {
    super()
  }
  arm(firstExpiry: number, interval: number): void {
    this.next = firstExpiry
    this.interval = interval
  }
  disarm(): void {
    this.next = Infinity
    this.interval = 0
  }
  expirations(now: number): number {
    if (now < this.next) return 0
    if (this.interval <= 0) return 1
    return 1 + Math.floor((now - this.next) / this.interval)
  }
  /** Read: returns the expiration count (0 = would block) and re-arms. */
  consume(now: number): number {
    const n = this.expirations(now)
    if (n === 0) return 0
    if (this.interval > 0) this.next += n * this.interval
    else this.next = Infinity
    return n
  }
  override readable(now: number): boolean {
    return now >= this.next
  }
  override readableAt(): number {
    return this.next
  }
  override describe(): string {
    return 'timerfd'
  }
}

export const EVENTFD_MAX = 0xffff_ffff_ffff_fffen

export class EventFdObject extends KObject {
  readonly kind = 'eventfd' as const
  constructor(
    public counter: bigint,
    readonly semaphore: boolean,
  ) {
    super()
  }
  override readable(): boolean {
    return this.counter > 0n
  }
  override writable(): boolean {
    return this.counter < EVENTFD_MAX
  }
  /** 0n means would block. */
  take(): bigint {
    if (this.counter === 0n) return 0n
    if (this.semaphore) {
      this.counter -= 1n
      return 1n
    }
    const v = this.counter
    this.counter = 0n
    return v
  }
  /** Returns an errno (EAGAIN on overflow, EINVAL for the all-ones value) or 0. */
  add(v: bigint): number {
    if (v === 0xffff_ffff_ffff_ffffn) return Errno.EINVAL
    if (this.counter + v > EVENTFD_MAX) return Errno.EAGAIN
    this.counter += v
    return 0
  }
}

export interface EpollInterest {
  events: number
  data: bigint
}

export const EPOLLIN = 0x001
export const EPOLLOUT = 0x004
export const EPOLLERR = 0x008
export const EPOLLHUP = 0x010

export class EpollObject extends KObject {
  readonly kind = 'epoll' as const
  /** fd number -> interest. The fds are resolved in the owner's table at wait time. Change it with set / delete. */
  readonly interest: ReadonlyMap<number, EpollInterest> = new Map<number, EpollInterest>()
  /** The interest list's fds in ascending order (the order epoll_wait reports them), kept until it changes. */
  private order?: number[]

  set(fd: number, want: EpollInterest): void {
    if (!this.interest.has(fd)) this.order = undefined
    ;(this.interest as Map<number, EpollInterest>).set(fd, want)
  }

  delete(fd: number): boolean {
    if (!(this.interest as Map<number, EpollInterest>).delete(fd)) return false
    this.order = undefined
    return true
  }

  /** The fds of the interest list, ascending (a copy is not made: do not change it). */
  fds(): readonly number[] {
    this.order ??= [...this.interest.keys()].sort((a, b) => a - b)
    return this.order
  }
}

/** What a file fd reads and writes: the app's mutable storage file or a read-only file of its image. */
export interface FileBacking {
  readonly name: string
  readonly readOnly: boolean
  size(): number
  read(offset: number, len: number): Uint8Array
  /** Returns bytes written or a negative errno (e.g. -ENOSPC when past the quota). */
  write(offset: number, data: Uint8Array): number
  /** Set the size (ftruncate): 0 or a negative errno. Absent on read-only files. */
  truncate?(size: number): number
  /** An fd opened on it / its last holder closed: a file unlinked while open is freed at its last close. */
  retain?(): void
  release?(): void
}

export class FileObject extends KObject {
  readonly kind = 'file' as const
  offset = 0
  constructor(
    readonly backing: FileBacking,
    private readonly onClose: () => void = () => {},
  ) {
    super()
    backing.retain?.()
  }
  override readable(): boolean {
    return true
  }
  override writable(): boolean {
    return !this.backing.readOnly
  }
  override close(): void {
    this.backing.release?.()
    this.onClose()
  }
  override describe(): string {
    return `file ${this.backing.name}`
  }
}

/**
 * A device fd with its own byte-stream semantics (UART, an I2C master's default target, an inter-app
 * socket, a system-event fd): fd_read / fd_write / send / recv call these. A read that finds nothing returns
 * -EAGAIN; the runtime then blocks the caller unless the fd is non-blocking.
 */
export abstract class StreamObject extends KObject {
  /** SO_RCVTIMEO / SO_SNDTIMEO of a stream that is a socket (an inter-app connection); 0: wait forever. */
  rcvTimeoutNs = 0
  sndTimeoutNs = 0
  /** Bytes read (may be empty at end of stream), or a negative errno. */
  abstract readBytes(max: number, now: number): Uint8Array | number
  /** Bytes written, or a negative errno. */
  abstract writeBytes(data: Uint8Array, now: number): number
}

/** A socket: the network service (a later issue) gives it a peer; until then connect is refused. */
export class SocketObject extends KObject {
  readonly kind = 'socket' as const
  boundPort?: number
  listening = false
  constructor(
    readonly domain: number,
    readonly type: number,
  ) {
    super()
  }
}

/** A per-process fd table: 0/1/2 are stdio, objects from 3 up (lowest free number first, as POSIX). */
export class FdTable {
  static readonly MAX_FDS = 256
  private readonly slots: (KObject | undefined)[] = []

  constructor() {
    this.slots[0] = new StdioObject(0)
    this.slots[1] = new StdioObject(1)
    this.slots[2] = new StdioObject(2)
  }

  /** Every open object, once each (an object open on several fds counts once). */
  objects(): KObject[] {
    return [...new Set(this.slots.filter((o): o is KObject => o !== undefined))]
  }

  get(fd: number): KObject | undefined {
    return fd >= 0 ? this.slots[fd] : undefined
  }

  /** Returns the new fd or -EMFILE. */
  add(obj: KObject): number {
    for (let i = 3; i < FdTable.MAX_FDS; i++) {
      if (this.slots[i] === undefined) {
        this.slots[i] = obj
        return i
      }
    }
    return -Errno.EMFILE
  }

  remove(fd: number): KObject | undefined {
    const o = this.slots[fd]
    if (o === undefined) return undefined
    this.slots[fd] = undefined
    for (const other of this.slots) if (other instanceof EpollObject) other.delete(fd)
    if (!this.slots.includes(o)) o.close()
    return o
  }

  closeAll(): void {
    for (let i = 0; i < this.slots.length; i++) {
      const o = this.slots[i]
      if (o !== undefined) {
        this.slots[i] = undefined
        if (!this.slots.includes(o)) o.close()
      }
    }
  }

  /** [fd, description] of every open fd, for status views and tests. */
  list(): {fd: number; kind: KObjectKind; description: string}[] {
    const out: {fd: number; kind: KObjectKind; description: string}[] = []
    this.slots.forEach((o, fd) => {
      if (o) out.push({fd, kind: o.kind, description: o.describe()})
    })
    return out
  }

  get size(): number {
    return this.slots.filter((o) => o !== undefined).length
  }
}
