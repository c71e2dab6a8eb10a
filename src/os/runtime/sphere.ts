import {isGpioId} from '../hw/chip.js'
import {Errno, Signal} from '../kernel/errno.js'
import {NS_PER_S} from '../kernel/clock.js'
import {
  EPOLLIN,
  EPOLLOUT,
  EpollObject,
  EventFdObject,
  FileObject,
  GpioObject,
  type KObject,
  TimerFdObject,
} from '../kernel/objects.js'
import type {SysCtx} from './context.js'
import {applibsPeripheralImports} from './applibs/index.js'
import {networkingImports} from './networking.js'
import {socketImports} from './sockets.js'

/**
 * The `sphere` (Linux calls wasi-libc lacks) and `applibs` (Azure Sphere API) import modules of sdk/ABI.md.
 * Return convention: >= 0 success, -errno (WASI numbering) on failure.
 */
type Fn = (...a: never[]) => number

const TFD_NONBLOCK = 0x800
const TFD_TIMER_ABSTIME = 1
const EFD_SEMAPHORE = 1
const CLOEXEC = 0x80000
const dec = new TextDecoder('utf-8', {fatal: true})

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

export function sphereImports(c: SysCtx): Record<string, Fn> {
  const {mem, proc, kernel, lsm} = c
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
      if (op === 2) return ep.interest.delete(fd) ? 0 : -Errno.ENOENT
      if (op !== 1 && op !== 3) return -Errno.EINVAL
      if (!mem.ok(event, 16)) return -Errno.EFAULT
      if (op === 1 && ep.interest.has(fd)) return -Errno.EEXIST
      if (op === 3 && !ep.interest.has(fd)) return -Errno.ENOENT
      ep.interest.set(fd, {events: mem.u32(event), data: mem.u64(event + 8)})
      return 0
    },
    epoll_wait(epfd: number, events: number, maxevents: number, timeoutMs: number): number {
      const ep = fds.get(epfd)
      if (!ep) return -Errno.EBADF
      // Linux: EINVAL past INT_MAX / sizeof(struct epoll_event), so maxevents * 16 never overflows
      if (!(ep instanceof EpollObject) || maxevents <= 0 || maxevents > 0x7fffffff / 16) return -Errno.EINVAL
      if (!mem.ok(events, maxevents * 16)) return -Errno.EFAULT
      const now = kernel.now()
      const ready: [number, bigint][] = []
      const waitOn: KObject[] = []
      for (const fd of [...ep.interest.keys()].sort((a, b) => a - b)) {
        const o = fds.get(fd)
        const want = ep.interest.get(fd)!
        if (!o) {
          ep.interest.delete(fd)
          continue
        }
        const rev =
          (want.events & EPOLLIN && o.readable(now) ? EPOLLIN : 0) |
          (want.events & EPOLLOUT && o.writable(now) ? EPOLLOUT : 0)
        if (rev) {
          if (ready.length < maxevents) ready.push([rev, want.data])
        } else waitOn.push(o)
      }
      if (ready.length > 0) {
        ready.forEach(([rev, data], i) => {
          mem.setU32(events + i * 16, rev)
          mem.setU32(events + i * 16 + 4, 0)
          mem.setU64(events + i * 16 + 8, data)
        })
        return ready.length
      }
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
    ...socketImports(c),
    getpid(): number {
      return proc.pid
    },
    kill(pid: number, sig: number): number {
      const target = kernel.process(pid)
      const d = lsm.check(c.subject, {op: 'process.signal', pid, owner: target?.componentId ?? 'none', signo: sig})
      if (!d.allowed) return -d.errno
      if (sig === 0) return 0
      if (sig !== Signal.SIGTERM && sig !== Signal.SIGKILL) return -Errno.EINVAL
      kernel.signal(proc, sig)
      return 0
    },
    clock_settime(clockId: number, ts: number): number {
      const d = lsm.check(c.subject, {op: 'time.set'})
      if (!d.allowed) return -d.errno
      if (clockId !== 0) return -Errno.EINVAL
      if (!mem.ok(ts, 16)) return -Errno.EFAULT
      const v = readTimespec(c, ts)
      if (v === undefined) return -Errno.EINVAL
      kernel.clock.setRealtime(v, kernel.now())
      return 0
    },
  }
}

export function applibsImports(c: SysCtx): Record<string, Fn> {
  const {mem, proc, kernel, lsm, env} = c
  const fds = proc.fds
  const world = kernel.world

  const openGpio = (id: number, direction: 'input' | 'output', mode: number, value: number): number => {
    const d = lsm.check(c.subject, {op: 'gpio.open', gpio: id})
    if (!d.allowed) return -d.errno
    if (!isGpioId(id)) return -Errno.ENODEV
    if (direction === 'output' && ((mode !== 0 && mode !== 1 && mode !== 2) || (value !== 0 && value !== 1)))
      return -Errno.EINVAL
    if (kernel.gpioOwners.has(id)) return -Errno.EBUSY
    const g = new GpioObject(id, direction, mode, () => {
      kernel.gpioOwners.delete(id)
      if (direction === 'output') world.releaseOutput(id)
    })
    const fd = fds.add(g)
    if (fd < 0) return fd
    kernel.gpioOwners.set(id, proc.pid)
    if (direction === 'output') world.driveOutput(id, value as 0 | 1)
    return fd
  }

  const gpioOf = (fd: number): GpioObject | number => {
    const o = fds.get(fd)
    return o instanceof GpioObject ? o : -Errno.EBADF
  }

  const fileFd = (b: ReturnType<typeof env.openMutableStorage>): number =>
    typeof b === 'number' ? b : fds.add(new FileObject(b))

  return {
    log_write(buf: number, len: number): number {
      if (len < 0 || !mem.ok(buf, len)) return -Errno.EFAULT
      env.output('log', mem.read(buf, len))
      return len
    },
    gpio_open_input(id: number): number {
      return openGpio(id, 'input', 0, 0)
    },
    gpio_open_output(id: number, mode: number, value: number): number {
      return openGpio(id, 'output', mode, value)
    },
    gpio_get_value(fd: number, out: number): number {
      const g = gpioOf(fd)
      if (typeof g === 'number') return g
      if (!mem.ok(out, 1) || out === 0) return -Errno.EFAULT
      mem.setU8(out, world.level(g.gpio))
      return 0
    },
    gpio_set_value(fd: number, value: number): number {
      const g = gpioOf(fd)
      if (typeof g === 'number') return g
      if (value !== 0 && value !== 1) return -Errno.EINVAL
      if (g.direction !== 'output') return -Errno.EPERM
      world.driveOutput(g.gpio, value)
      return 0
    },
    storage_open_mutable(): number {
      const d = lsm.check(c.subject, {op: 'storage.open', owner: proc.componentId})
      if (!d.allowed) return -d.errno
      return fileFd(env.openMutableStorage())
    },
    storage_delete_mutable(): number {
      const d = lsm.check(c.subject, {op: 'storage.delete', owner: proc.componentId})
      if (!d.allowed) return -d.errno
      return env.deleteMutableStorage()
    },
    storage_open_in_package(path: number, len: number): number {
      if (len < 0 || path === 0 || !mem.ok(path, len)) return -Errno.EFAULT
      if (len > 4096) return -Errno.ENAMETOOLONG
      let p: string
      try {
        p = dec.decode(mem.read(path, len)).replace(/\0.*$/s, '')
      } catch {
        return -Errno.EINVAL
      }
      const d = lsm.check(c.subject, {op: 'storage.package-file', path: p})
      if (!d.allowed) return -d.errno
      return fileFd(env.openPackageFile(p))
    },
    ...networkingImports(c),
    ...applibsPeripheralImports(c),
  }
}
