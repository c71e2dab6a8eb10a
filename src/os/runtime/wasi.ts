import {Errno} from '../kernel/errno.js'
import {EventFdObject, FileObject, type KObject, StdioObject, StreamObject, TimerFdObject} from '../kernel/objects.js'
import {BLOCK, COST, ProcExit, YIELD, type SysCtx} from './context.js'
import {NetSocket, socketRecv, socketSend} from './sockets.js'
import {syscall, type Impl, type SyscallGroup} from './syscalls/types.js'

/**
 * WASI preview1 over the kernel. Every function returns a WASI errno (0 = success) as preview1 specifies,
 * never trusts a pointer (EFAULT) or an fd (EBADF), and blocks only the calling process.
 */
const IOV_MAX = 1024
/**
 * random_get fills this many bytes between preemption checks: 256 B is ~77 us of modelled work
 * (COST.nsPerRandomByte), so a chunk that runs unchecked (an admitted retry, SysCtx.admit) stays far inside the
 * ~1 ms preemption bound (a 4 KiB chunk is 1.2 ms).
 */
const RANDOM_CHUNK = 256
const enc = new TextEncoder()

interface Iovs {
  parts: [number, number][]
  total: number
}

/**
 * Most bytes one read or write moves (an app's whole memory); beyond it the call returns a short count, as
 * Linux caps a transfer at MAX_RW_COUNT. Without it 1024 iovecs naming the same 256 KiB made the kernel
 * copy 256 MiB for one fd_write.
 */
export const MAX_IO_BYTES = 256 * 1024

/** Validate an iovec array and every buffer it names; the parts kept add up to at most MAX_IO_BYTES. */
export function readIovs(c: SysCtx, iovs: number, n: number): Iovs | number {
  if (n < 0 || n > IOV_MAX) return Errno.EINVAL
  if (!c.mem.ok(iovs, n * 8)) return Errno.EFAULT
  const parts: [number, number][] = []
  let total = 0
  for (let i = 0; i < n; i++) {
    const p = c.mem.u32(iovs + i * 8)
    const l = c.mem.u32(iovs + i * 8 + 4)
    if (!c.mem.ok(p, l)) return Errno.EFAULT
    const take = Math.min(l, MAX_IO_BYTES - total)
    if (take > 0) parts.push([p, take])
    total += take
  }
  return {parts, total}
}

function gather(c: SysCtx, v: Iovs): Uint8Array {
  const out = new Uint8Array(v.total)
  let off = 0
  const b = c.mem.bytes()
  for (const [p, l] of v.parts) {
    out.set(b.subarray(p, p + l), off)
    off += l
  }
  return out
}

function scatter(c: SysCtx, v: Iovs, data: Uint8Array): number {
  const b = c.mem.bytes()
  const first = v.parts[0]
  if (first && data.length <= first[1]) {
    // the common case: it all fits in the first buffer
    b.set(data, first[0])
    return data.length
  }
  let off = 0
  for (const [p, l] of v.parts) {
    if (off >= data.length) break
    const n = Math.min(l, data.length - off)
    b.set(data.subarray(off, off + n), p)
    off += n
  }
  return off
}

/** The 8 bytes a timerfd or eventfd read returns, in one buffer reused by every read (fd_read copies it out at once). */
const U64_OUT = new Uint8Array(8)
const U64_VIEW = new DataView(U64_OUT.buffer)
function u64le(v: bigint | number): Uint8Array {
  if (typeof v === 'bigint') U64_VIEW.setBigUint64(0, v, true)
  else {
    U64_VIEW.setUint32(0, v >>> 0, true)
    U64_VIEW.setUint32(4, Math.floor(v / 2 ** 32), true)
  }
  return U64_OUT
}

/** Read a device stream: nothing there blocks the caller (interruptibly) unless the fd is non-blocking. */
export function readStream(c: SysCtx, o: StreamObject, max: number, now: number): Uint8Array | number {
  const r = o.readBytes(max, now)
  if (typeof r !== 'number') return r
  if (r !== -Errno.EAGAIN || o.nonblock) return -r
  if (c.pendingSignals() !== 0) return Errno.EINTR
  const d = streamDeadline(c, o.rcvTimeoutNs)
  if (c.kernel.now() >= d) return Errno.EAGAIN
  return c.block([o], d)
}

/** The deadline of a blocking stream call with a socket timeout (0: none), fixed at its first attempt. */
export function streamDeadline(c: SysCtx, timeoutNs: number): number {
  if (c.callState === undefined) c.callState = timeoutNs > 0 ? c.kernel.now() + timeoutNs : Infinity
  return c.callState as number
}

/** Read from any fd kind; returns bytes (a timerfd / eventfd: a shared buffer, copy it out before the next read), 0-length for EOF, or a number (errno or BLOCK). */
export function readObject(c: SysCtx, o: KObject, max: number): Uint8Array | number {
  const now = c.kernel.now()
  // timers first: an event loop reads one on every wake-up
  if (o instanceof TimerFdObject || o instanceof EventFdObject) {
    if (max < 8) return Errno.EINVAL
    // a timer's expiration count is a number (no BigInt for every wake-up of an event loop)
    const v = o instanceof TimerFdObject ? o.consume(now) : o.take()
    if (v === 0 || v === 0n) {
      if (o.nonblock) return Errno.EAGAIN
      if (c.pendingSignals() !== 0) return Errno.EINTR
      return c.block([o], Infinity)
    }
    return u64le(v)
  }
  if (o instanceof StdioObject) return o.stream === 0 ? new Uint8Array(0) : Errno.EBADF
  if (o instanceof StreamObject) return readStream(c, o, max, now)
  if (o instanceof NetSocket) {
    const r = socketRecv(c, o, max, 0)
    return typeof r === 'number' ? (r === BLOCK ? r : -r) : r.data
  }
  if (o instanceof FileObject) {
    const data = o.backing.read(o.offset, max)
    o.offset += data.length
    return data
  }
  return Errno.EINVAL
}

export function writeObject(c: SysCtx, o: KObject, data: Uint8Array): number {
  if (o instanceof StreamObject) return o.writeBytes(data, c.kernel.now())
  if (o instanceof NetSocket) return socketSend(c, o, data, 0)
  if (o instanceof StdioObject) {
    if (o.stream === 0) return -Errno.EBADF
    c.env.output(o.stream, data)
    return data.length
  }
  if (o instanceof FileObject) {
    if (o.backing.readOnly) return -Errno.EBADF
    const r = o.backing.write(o.offset, data)
    if (r > 0) o.offset += r
    else if (r === -Errno.ENOSPC) {
      const quotaBytes = (o.backing as {quotaBytes?: number}).quotaBytes ?? 0
      c.lsm.deny(
        c.subject,
        {op: 'storage.write', owner: c.proc.componentId, quotaBytes},
        `the mutable storage quota of ${quotaBytes} B is reached`,
        Errno.ENOSPC,
      )
    }
    return r
  }
  if (o instanceof EventFdObject) {
    if (data.length < 8) return -Errno.EINVAL
    const e = o.add(new DataView(data.buffer, data.byteOffset).getBigUint64(0, true))
    if (e) return -e
    c.kernel.notifyReady(o)
    return 8
  }
  return -Errno.EINVAL
}

function wasiImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel} = c
  const fds = proc.fds

  const strings = (list: readonly string[]): Uint8Array[] => list.map((s) => enc.encode(`${s}\0`))
  const sizes =
    (list: readonly string[]) =>
    (countPtr: number, sizePtr: number): number => {
      if (!mem.ok(countPtr, 4) || !mem.ok(sizePtr, 4)) return Errno.EFAULT
      const enc = strings(list)
      mem.setU32(countPtr, enc.length)
      mem.setU32(
        sizePtr,
        enc.reduce((n, b) => n + b.length, 0),
      )
      return 0
    }
  const copyStrings =
    (list: readonly string[]) =>
    (ptrs: number, buf: number): number => {
      const enc = strings(list)
      const total = enc.reduce((n, b) => n + b.length, 0)
      if (!mem.ok(ptrs, enc.length * 4) || !mem.ok(buf, total)) return Errno.EFAULT
      let off = buf >>> 0
      enc.forEach((b, i) => {
        mem.setU32(ptrs + i * 4, off)
        mem.write(off, b)
        off += b.length
      })
      return 0
    }

  const clockNow = (id: number): bigint | undefined => {
    const now = kernel.now()
    if (id === 0) return BigInt(kernel.clock.realtimeAt(now))
    if (id === 1) return BigInt(now)
    if (id === 2 || id === 3)
      return BigInt(Math.round(proc.cpuNs + (kernel.current === proc ? proc.task!.sliceElapsedNs() : 0)))
    return undefined
  }

  return {
    args_sizes_get: sizes(c.env.args),
    args_get: copyStrings(c.env.args),
    environ_sizes_get: sizes(c.env.env),
    environ_get: copyStrings(c.env.env),

    clock_res_get(id: number, ptr: number): number {
      if (id < 0 || id > 3) return Errno.EINVAL
      if (!mem.ok(ptr, 8)) return Errno.EFAULT
      mem.setU64(ptr, 1000n)
      return 0
    },
    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      const t = clockNow(id)
      if (t === undefined) return Errno.EINVAL
      if (!mem.ok(ptr, 8)) return Errno.EFAULT
      mem.setU64(ptr, t)
      return 0
    },

    fd_write(fd: number, iovs: number, n: number, nwritten: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      const v = readIovs(c, iovs, n)
      if (typeof v === 'number') return v
      if (!mem.ok(nwritten, 4)) return Errno.EFAULT
      const wait = c.admit(v.total * COST.nsPerByte)
      if (wait !== 0) return wait
      // the app log decodes what it keeps at once: one buffer goes to it as a view of the app's memory, no copy
      const one = o instanceof StdioObject && v.parts.length === 1 ? v.parts[0]! : undefined
      const r = writeObject(c, o, one ? mem.bytes().subarray(one[0], one[0] + one[1]) : gather(c, v))
      if (r === BLOCK) return r
      if (r < 0) return -r
      mem.setU32(nwritten, r)
      return 0
    },
    fd_read(fd: number, iovs: number, n: number, nread: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      const v = readIovs(c, iovs, n)
      if (typeof v === 'number') return v
      if (!mem.ok(nread, 4)) return Errno.EFAULT
      const r = readObject(c, o, v.total)
      if (typeof r === 'number') return r
      c.charge(r.length * COST.nsPerByte)
      mem.setU32(nread, scatter(c, v, r))
      return 0
    },
    fd_close(fd: number): number {
      return fds.remove(fd) ? 0 : Errno.EBADF
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffset: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      if (!(o instanceof FileObject)) return Errno.ESPIPE
      if (!mem.ok(newOffset, 8)) return Errno.EFAULT
      const base = whence === 0 ? 0 : whence === 1 ? o.offset : whence === 2 ? o.backing.size() : undefined
      if (base === undefined) return Errno.EINVAL
      const pos = BigInt(base) + offset
      if (pos < 0n || pos > 0x7fff_ffffn) return Errno.EINVAL
      o.offset = Number(pos)
      mem.setU64(newOffset, pos)
      return 0
    },
    fd_tell(fd: number, ptr: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      if (!(o instanceof FileObject)) return Errno.ESPIPE
      if (!mem.ok(ptr, 8)) return Errno.EFAULT
      mem.setU64(ptr, o.offset)
      return 0
    },
    fd_fdstat_get(fd: number, ptr: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      if (!mem.ok(ptr, 24)) return Errno.EFAULT
      const b = mem.bytes()
      b.fill(0, ptr >>> 0, (ptr >>> 0) + 24)
      const type = o.kind === 'stdio' ? 2 : o.kind === 'file' ? 4 : o.kind === 'socket' ? 6 : 0
      mem.setU8(ptr, type)
      mem.setU16(ptr + 2, o.nonblock ? 4 : 0)
      mem.setU64(ptr + 8, 0x1fff_ffffn)
      mem.setU64(ptr + 16, 0x1fff_ffffn)
      return 0
    },
    fd_fdstat_set_flags(fd: number, flags: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      o.nonblock = (flags & 4) !== 0
      return 0
    },
    fd_filestat_get(fd: number, ptr: number): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      if (!mem.ok(ptr, 64)) return Errno.EFAULT
      mem.bytes().fill(0, ptr >>> 0, (ptr >>> 0) + 64)
      mem.setU8(ptr + 16, o.kind === 'stdio' ? 2 : o.kind === 'file' ? 4 : 0)
      mem.setU64(ptr + 24, 1n)
      if (o instanceof FileObject) mem.setU64(ptr + 32, o.backing.size())
      return 0
    },
    fd_filestat_set_size(fd: number, size: bigint): number {
      const o = fds.get(fd)
      if (!o) return Errno.EBADF
      // as Linux ftruncate: a file not open for writing is EINVAL (read-only package files), so is a non-file
      if (!(o instanceof FileObject) || !o.backing.truncate || o.backing.readOnly) return Errno.EINVAL
      if (size < 0n || size > 0x7fff_ffffn) return Errno.EINVAL
      const r = o.backing.truncate(Number(size))
      return r < 0 ? -r : 0
    },
    fd_prestat_get(): number {
      return Errno.EBADF // no preopened directories: storage is reached through the Storage_* calls
    },
    fd_prestat_dir_name(): number {
      return Errno.EBADF
    },
    fd_sync(fd: number): number {
      return fds.get(fd) ? 0 : Errno.EBADF // storage writes are durable when write() returns
    },
    path_open(fd: number): number {
      return fds.get(fd) ? Errno.ENOTDIR : Errno.EBADF
    },
    path_filestat_get(fd: number): number {
      return fds.get(fd) ? Errno.ENOTDIR : Errno.EBADF
    },
    path_unlink_file(fd: number): number {
      return fds.get(fd) ? Errno.ENOTDIR : Errno.EBADF
    },

    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      if (nsubs <= 0 || nsubs > 4096) return Errno.EINVAL
      if (!mem.ok(inPtr, nsubs * 48) || !mem.ok(outPtr, nsubs * 32) || !mem.ok(neventsPtr, 4)) return Errno.EFAULT
      const wait = c.admit(nsubs * COST.nsPerItem)
      if (wait !== 0) return wait
      const now = kernel.now()
      // Absolute deadlines are fixed at the first attempt, so retries do not restart relative timeouts.
      let deadlines = c.callState as number[] | undefined
      const first = deadlines === undefined
      if (first) deadlines = []
      const dv = mem.view()
      const b = mem.bytes()
      const inBase = inPtr >>> 0
      const outBase = outPtr >>> 0
      // events are written as they are found (no per-call objects: a 4096-subscription poll in a loop must
      // not make garbage the host then spends its time collecting)
      let nevents = 0
      const event = (s: number, error: number, type: number, nbytes: number): void => {
        const o = outBase + nevents++ * 32
        b.copyWithin(o, s, s + 8) // userdata
        b.fill(0, o + 8, o + 32)
        dv.setUint16(o + 8, error, true)
        b[o + 10] = type
        dv.setUint32(o + 16, nbytes, true)
      }
      const waitOn: KObject[] = []
      for (let i = 0; i < nsubs; i++) {
        const s = inBase + i * 48
        const tag = dv.getUint8(s + 8)
        if (tag === 0) {
          if (first) {
            const id = dv.getUint32(s + 16, true)
            const timeout = Number(dv.getBigUint64(s + 24, true))
            const abs = (dv.getUint16(s + 40, true) & 1) !== 0
            if (id > 3) return Errno.EINVAL
            deadlines![i] = abs ? (id === 0 ? timeout - kernel.clock.realtimeAt(0) : timeout) : now + timeout
          }
          if (deadlines![i]! <= now) event(s, 0, 0, 0)
        } else if (tag === 1 || tag === 2) {
          const o = fds.get(dv.getUint32(s + 16, true))
          if (!o) event(s, Errno.EBADF, tag, 0)
          else if (tag === 1 ? o.readable(now) : o.writable(now)) {
            const nbytes = o instanceof FileObject ? Math.max(0, o.backing.size() - o.offset) : tag === 1 ? 8 : 4096
            event(s, 0, tag, nbytes)
          } else waitOn.push(o)
        } else return Errno.EINVAL
      }
      if (nevents > 0) {
        mem.setU32(neventsPtr, nevents)
        return 0
      }
      if (c.pendingSignals() !== 0) return Errno.EINTR
      c.callState = deadlines
      const deadline = Math.min(Infinity, ...deadlines!.filter((d) => d !== undefined))
      return c.block(waitOn, deadline)
    },

    random_get(buf: number, len: number): number {
      if (!mem.ok(buf, len)) return Errno.EFAULT
      // Filled in chunks, each admitted first: when another process is due the call gives way and resumes
      // where it stopped (as Linux's getrandom checks need_resched), so one call never holds the CPU long.
      let done = (c.callState as number | undefined) ?? 0
      const total = len >>> 0
      while (done < total) {
        const n = Math.min(RANDOM_CHUNK, total - done)
        const wait = c.admit(n * COST.nsPerRandomByte)
        if (wait !== 0) {
          c.callState = done
          return wait
        }
        // straight into the app's memory: a fresh buffer per chunk (768 for 192 KiB) kept the host's garbage
        // collector busy for milliseconds at a time, outside any slice, and other apps' timers waited for it
        const at = (buf >>> 0) + done
        c.env.random(mem.bytes().subarray(at, at + n))
        done += n
      }
      return 0
    },
    sched_yield(): number {
      if (c.yielded) {
        c.yielded = false
        return 0
      }
      return kernel.shouldPreempt() ? YIELD : 0
    },
    proc_exit(code: number): number {
      throw new ProcExit(code >>> 0)
    },
  }
}

export {BLOCK}

const W = 'wasi_snapshot_preview1'
const noPolicy = {none: 'the process\'s own state, fds or memory'}
const w = (name: string, params: string, doc: string, more: {heavy?: string; ret?: string} = {}) =>
  syscall(W, name, params, {policy: noPolicy, doc, ...more})

export const wasiGroup: SyscallGroup = {
  source: 'src/os/runtime/wasi.ts',
  bind: wasiImports,
  entries: [
    w('args_get', 'uint8_t **argv, uint8_t *argvBuf', 'the app\'s CmdArgs (argv[0] is the entry point)', {heavy: 'bytes copied'}),
    w('args_sizes_get', 'uint32_t *argc, uint32_t *argvBufSize', 'count and total size of the arguments'),
    w('environ_get', 'uint8_t **environ, uint8_t *environBuf', 'the environment (empty)', {heavy: 'bytes copied'}),
    w('environ_sizes_get', 'uint32_t *count, uint32_t *bufSize', 'count and total size of the environment'),
    w('clock_res_get', 'uint32_t id, uint64_t *resolution', '1 µs for every clock'),
    w('clock_time_get', 'uint32_t id, uint64_t precision, uint64_t *time', 'clocks come from the kernel\'s virtual clock'),
    w('fd_close', 'int32_t fd', 'every fd kind'),
    w('fd_fdstat_get', 'int32_t fd, void *stat', 'file type and O_NONBLOCK'),
    w('fd_fdstat_set_flags', 'int32_t fd, uint32_t flags', 'O_NONBLOCK (4)'),
    w('fd_filestat_get', 'int32_t fd, void *stat', 'size of storage files'),
    w('fd_filestat_set_size', 'int32_t fd, uint64_t size', '`ftruncate` of a storage file (shrink, or extend with zeros within the quota: ENOSPC); durable when it returns'),
    w('fd_prestat_get', 'int32_t fd, void *prestat', 'EBADF: there are no preopens'),
    w('fd_prestat_dir_name', 'int32_t fd, uint8_t *path, uint32_t len', 'EBADF: there are no preopens'),
    w('fd_read', 'int32_t fd, const void *iovs, uint32_t iovsLen, uint32_t *nread', 'every readable fd kind; blocking unless O_NONBLOCK', {heavy: 'bytes read (at most 256 KiB)'}),
    w('fd_seek', 'int32_t fd, int64_t offset, uint32_t whence, uint64_t *newOffset', 'storage files'),
    w('fd_sync', 'int32_t fd', 'storage writes are durable when write returns'),
    w('fd_tell', 'int32_t fd, uint64_t *offset', 'storage files'),
    w('fd_write', 'int32_t fd, const void *iovs, uint32_t iovsLen, uint32_t *nwritten', 'every writable fd kind (stdout/stderr are the app log)', {heavy: 'bytes written (at most 256 KiB)'}),
    w('path_open', 'int32_t fd, uint32_t dirflags, const char *path, uint32_t pathLen, uint32_t oflags, uint64_t rightsBase, uint64_t rightsInheriting, uint32_t fdflags, int32_t *opened', 'ENOTDIR / EBADF: no preopens'),
    w('path_filestat_get', 'int32_t fd, uint32_t flags, const char *path, uint32_t pathLen, void *stat', 'ENOTDIR / EBADF: no preopens'),
    w('path_unlink_file', 'int32_t fd, const char *path, uint32_t pathLen', 'ENOTDIR / EBADF: no preopens'),
    w('poll_oneoff', 'const void *in, void *out, uint32_t nsubscriptions, uint32_t *nevents', 'blocking: suspends only the caller', {heavy: 'subscriptions scanned (at most 4096)'}),
    w('proc_exit', 'uint32_t code', 'ends the process', {ret: 'void'}),
    w('random_get', 'uint8_t *buf, uint32_t len', 'deterministic per device in fast-forward mode', {heavy: 'bytes generated'}),
    w('sched_yield', '', 'gives up the CPU when another process is ready'),
  ],
}
