import {Errno, Signal} from '../kernel/errno.js'
import {NS_PER_S} from '../kernel/clock.js'
import {
  EPOLLIN,
  EPOLLOUT,
  EpollObject,
  EventFdObject,
  type KObject,
  TimerFdObject,
} from '../kernel/objects.js'
import {BLOCK, COST, type SysCtx} from './context.js'
import {syscall, type Impl, type SyscallGroup} from './syscalls/types.js'

/**
 * The `sphere` module of sdk/ABI.md (Linux calls wasi-libc lacks) apart from sockets (src/os/runtime/sockets.ts):
 * timerfd, eventfd, epoll, signals, getpid, kill and clock_settime.
 * Return convention: >= 0 success, -errno (WASI numbering) on failure.
 */

const TFD_NONBLOCK = 0x800
const TFD_TIMER_ABSTIME = 1
const EFD_SEMAPHORE = 1
const CLOEXEC = 0x80000

function readTimespec(c: SysCtx, ptr: number): number | undefined {
  const sec = c.mem.i64(ptr)
  const nsec = c.mem.view().getInt32((ptr >>> 0) + 8, true)
  if (sec < 0n || nsec < 0 || nsec >= NS_PER_S) return undefined
  return Number(sec) * NS_PER_S + nsec
}

function writeTimespec(c: SysCtx, ptr: number, ns: number): void {
  const dv = c.mem.view()
  const p = ptr >>> 0
  dv.setBigInt64(p, BigInt(Math.floor(ns / NS_PER_S)), true)
  dv.setInt32(p + 8, ns % NS_PER_S, true)
  dv.setInt32(p + 12, 0, true)
}

/**
 * Largest CLOCK_REALTIME an app may set: 2200-01-01T00:00:00Z. Linux refuses (EINVAL) a time its 64-bit
 * ns clock cannot hold (timespec64_valid_settod, about 2232); this OS stops earlier so every value it keeps
 * is a valid date for the RTC, the logs and the device API.
 */
export const MAX_SETTABLE_REALTIME_S = 7_258_118_400

function sphereImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel} = c
  const fds = proc.fds
  const add = (o: KObject): number => fds.add(o)

  const timerOf = (fd: number): TimerFdObject | number => {
    const o = fds.get(fd)
    if (!o) return -Errno.EBADF
    return o instanceof TimerFdObject ? o : -Errno.EINVAL
  }

  return {
    timerfd_create(clockId: number, flags: number): number {
      if (clockId !== 0 && clockId !== 1) return -Errno.EINVAL
      if (flags & ~(TFD_NONBLOCK | CLOEXEC)) return -Errno.EINVAL
      const t = new TimerFdObject(clockId)
      t.nonblock = (flags & TFD_NONBLOCK) !== 0
      return add(t)
    },
    timerfd_settime(fd: number, flags: number, newPtr: number, oldPtr: number): number {
      const t = timerOf(fd)
      if (typeof t === 'number') return t
      if (flags & ~TFD_TIMER_ABSTIME) return -Errno.EINVAL
      if (!mem.ok(newPtr, 32) || (oldPtr !== 0 && !mem.ok(oldPtr, 32))) return -Errno.EFAULT
      const interval = readTimespec(c, newPtr)
      const value = readTimespec(c, newPtr + 16)
      if (interval === undefined || value === undefined) return -Errno.EINVAL
      const now = kernel.now()
      if (oldPtr !== 0) {
        writeTimespec(c, oldPtr, t.interval)
        writeTimespec(c, oldPtr + 16, t.next === Infinity ? 0 : Math.max(0, t.next - now))
      }
      if (value === 0) t.disarm()
      else if (flags & TFD_TIMER_ABSTIME) t.arm(t.clockId === 0 ? value - kernel.clock.realtimeAt(0) : value, interval)
      else t.arm(now + value, interval)
      return 0
    },
    timerfd_gettime(fd: number, cur: number): number {
      const t = timerOf(fd)
      if (typeof t === 'number') return t
      if (!mem.ok(cur, 32)) return -Errno.EFAULT
      const now = kernel.now()
      writeTimespec(c, cur, t.interval)
      let left = 0
      if (t.next !== Infinity)
        left = t.next > now ? t.next - now : t.interval > 0 ? t.interval - ((now - t.next) % t.interval) : 0
      writeTimespec(c, cur + 16, left)
      return 0
    },
    eventfd(initval: number, flags: number): number {
      if (flags & ~(TFD_NONBLOCK | EFD_SEMAPHORE | CLOEXEC)) return -Errno.EINVAL
      const e = new EventFdObject(BigInt(initval >>> 0), (flags & EFD_SEMAPHORE) !== 0)
      e.nonblock = (flags & TFD_NONBLOCK) !== 0
      return add(e)
    },
    epoll_create1(flags: number): number {
      if (flags & ~CLOEXEC) return -Errno.EINVAL
      return add(new EpollObject())
    },
    epoll_ctl(epfd: number, op: number, fd: number, event: number): number {
      const ep = fds.get(epfd)
      if (!ep) return -Errno.EBADF
      if (!(ep instanceof EpollObject) || fd === epfd) return -Errno.EINVAL
      if (!fds.get(fd)) return -Errno.EBADF
      if (op === 2) return ep.delete(fd) ? 0 : -Errno.ENOENT
      if (op !== 1 && op !== 3) return -Errno.EINVAL
      if (!mem.ok(event, 16)) return -Errno.EFAULT
      if (op === 1 && ep.interest.has(fd)) return -Errno.EEXIST
      if (op === 3 && !ep.interest.has(fd)) return -Errno.ENOENT
      ep.set(fd, {events: mem.u32(event), data: mem.u64(event + 8)})
      return 0
    },
    epoll_wait(epfd: number, events: number, maxevents: number, timeoutMs: number): number {
      const ep = fds.get(epfd)
      if (!ep) return -Errno.EBADF
      // Linux: EINVAL past INT_MAX / sizeof(struct epoll_event), so maxevents * 16 never overflows
      if (!(ep instanceof EpollObject) || maxevents <= 0 || maxevents > 0x7fffffff / 16) return -Errno.EINVAL
      if (!mem.ok(events, maxevents * 16)) return -Errno.EFAULT
      const wait = c.admit(ep.interest.size * COST.nsPerItem)
      if (wait !== 0) return wait
      const now = kernel.now()
      // ready events go straight to the app's buffer, in fd order (the bounds were checked above)
      let n = 0
      const waitOn: KObject[] = []
      const order = ep.fds()
      for (let i = 0; i < order.length; i++) {
        const fd = order[i]!
        const o = fds.get(fd)
        const want = ep.interest.get(fd)
        if (!o || !want) {
          ep.delete(fd)
          continue
        }
        const rev =
          (want.events & EPOLLIN && o.readable(now) ? EPOLLIN : 0) |
          (want.events & EPOLLOUT && o.writable(now) ? EPOLLOUT : 0)
        if (rev) {
          if (n < maxevents) {
            mem.setU32(events + n * 16, rev)
            mem.setU32(events + n * 16 + 4, 0)
            mem.setU64(events + n * 16 + 8, want.data)
            n++
          }
        } else waitOn.push(o)
      }
      if (n > 0) return n
      if (timeoutMs === 0) return 0
      if (c.pendingSignals() !== 0) return -Errno.EINTR
      if (c.callState === undefined) c.callState = timeoutMs < 0 ? Infinity : now + timeoutMs * 1_000_000
      const deadline = c.callState as number
      if (now >= deadline) return 0
      return c.block(waitOn, deadline)
    },
    sig_register(ptr: number): number {
      if (ptr === 0) {
        proc.sigAddr = 0
        return 0
      }
      if (!mem.ok(ptr, 4)) return -Errno.EFAULT
      proc.sigAddr = ptr >>> 0
      return 0
    },
    getpid(): number {
      return proc.pid
    },
    kill(_pid: number, sig: number): number {
      if (sig === 0) return 0
      if (sig !== Signal.SIGTERM && sig !== Signal.SIGKILL) return -Errno.EINVAL
      kernel.signal(proc, sig)
      return 0
    },
    setjmp(env: number): number {
      if (c.jmpReturn !== undefined) {
        // rewound here by longjmp
        const v = c.jmpReturn
        c.jmpReturn = undefined
        return v
      }
      if (c.callState === 'saved') return 0 // the stack is kept: the first return
      c.callState = 'saved'
      c.stackOp = {kind: 'save', env: env >>> 0, value: 0}
      return BLOCK
    },
    longjmp(env: number, value: number): number {
      c.stackOp = {kind: 'restore', env: env >>> 0, value: value === 0 ? 1 : value}
      return BLOCK
    },
    clock_settime(clockId: number, ts: number): number {
      if (clockId !== 0) return -Errno.EINVAL
      if (!mem.ok(ts, 16)) return -Errno.EFAULT
      const v = readTimespec(c, ts)
      // a time the clock, the RTC and the device API cannot represent is refused, never stored
      if (v === undefined || mem.i64(ts) >= BigInt(MAX_SETTABLE_REALTIME_S)) return -Errno.EINVAL
      kernel.clock.setRealtime(v, kernel.now())
      return 0
    },
  }
}

const S = 'sphere'
const fdObj = {none: 'works on an fd the process already holds'}
const own = {none: 'creates a kernel object private to the process'}

export const sphereGroup: SyscallGroup = {
  source: 'src/os/runtime/sphere.ts',
  bind: sphereImports,
  entries: [
    syscall(S, 'timerfd_create', 'int32_t clockid, int32_t flags', {policy: own, returns: 'fd',
      doc: 'clockid 0 REALTIME, 1 MONOTONIC (wasi-libc ids); flags: TFD_NONBLOCK 0x800'}),
    syscall(S, 'timerfd_settime', 'int32_t fd, int32_t flags, const void *newValue, void *oldValue', {policy: fdObj, returns: '0',
      doc: '`struct itimerspec` = `{timespec interval; timespec value}`, `timespec` = `{i64 sec; i32 nsec; pad}` (16 B); `oldValue` may be NULL'}),
    syscall(S, 'timerfd_gettime', 'int32_t fd, void *curValue', {policy: fdObj, returns: '0', doc: 'writes the `struct itimerspec` left'}),
    syscall(S, 'eventfd', 'uint32_t initval, int32_t flags', {policy: own, returns: 'fd', doc: 'flags: EFD_NONBLOCK 0x800, EFD_SEMAPHORE 1'}),
    syscall(S, 'epoll_create1', 'int32_t flags', {policy: own, returns: 'fd', doc: 'flags: EPOLL_CLOEXEC'}),
    syscall(S, 'epoll_ctl', 'int32_t epfd, int32_t op, int32_t fd, void *event', {policy: fdObj, returns: '0',
      doc: 'op ADD 1, DEL 2, MOD 3; `struct epoll_event` = `{u32 events; u32 pad; u64 data}` (16 B)'}),
    syscall(S, 'epoll_wait', 'int32_t epfd, void *events, int32_t maxevents, int32_t timeoutMs', {policy: fdObj, returns: 'n',
      heavy: 'the interest list is scanned', doc: 'blocking; EPOLLIN 1, EPOLLOUT 4, EPOLLERR 8, EPOLLHUP 16'}),
    syscall(S, 'sig_register', 'volatile uint32_t *pending', {policy: {none: 'registers the process\'s own signal mask'}, returns: '0',
      doc: 'the C library registers the address of a `u32` bitmask; the kernel ORs `1 << signo` into it (SIGTERM 15) and interrupts any blocking call with `-EINTR`; the C library then runs the `sigaction` handler itself'}),
    syscall(S, 'getpid', '', {policy: {none: 'reads the caller\'s own pid'}, returns: 'pid', doc: 'the calling process\'s pid'}),
    syscall(S, 'kill', 'int32_t pid, int32_t sig', {returns: '0',
      policy: (c: SysCtx, pid: number, sig: number) => ({op: 'process.signal', pid, owner: c.kernel.process(pid)?.componentId ?? 'none', signo: sig}),
      doc: 'LSM: process operation; another app\'s pid is `-EPERM`; SIGTERM 15, SIGKILL 9 or 0'}),
    syscall(S, 'setjmp', 'void *env', {returns: 'n', mem: ['env[8]!'],
      policy: {none: 'saves the calling process\'s own stack'},
      doc: 'the C library\'s `setjmp`: the OS unwinds the app\'s stack (Asyncify), keeps a copy of the unwind data under a token it writes to `env` (u32 at offset 0; at most 16 kept per process, oldest dropped), rewinds and returns 0; returns the `longjmp` value when a `longjmp` rewinds into it'}),
    syscall(S, 'longjmp', 'void *env, int32_t value', {returns: '0', mem: ['env[8]!'],
      policy: {none: 'rewinds the calling process\'s own stack'},
      doc: 'rewinds into the stack the `setjmp` of `env` kept, whose call then returns `value` (1 if 0); does not return. An `env` no `setjmp` filled (or whose copy was dropped) ends the app with SIGSEGV, as a bad `longjmp` does on ARM'}),
    syscall(S, 'clock_settime', 'int32_t clockid, const void *ts', {returns: '0', policy: () => ({op: 'time.set'}),
      doc: 'LSM: SystemTime capability, else `-EPERM`; a time before 1970 or from 2200 on is `-EINVAL`'}),
  ],
}
