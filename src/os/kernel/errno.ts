/** errno values as wasi-libc numbers them (the WASI errno table); apps see these (sdk/ABI.md). */
export const Errno = {
  SUCCESS: 0,
  E2BIG: 1,
  EACCES: 2,
  EAGAIN: 6,
  EBADF: 8,
  EBUSY: 10,
  ECONNREFUSED: 14,
  EDQUOT: 19,
  EEXIST: 20,
  EFAULT: 21,
  EFBIG: 22,
  EINTR: 27,
  EINVAL: 28,
  EIO: 29,
  EISDIR: 31,
  EMFILE: 33,
  ENAMETOOLONG: 37,
  ENETUNREACH: 40,
  ENOBUFS: 42,
  ENODEV: 43,
  ENOENT: 44,
  ENOMEM: 48,
  ENOSPC: 51,
  ENOSYS: 52,
  ENOTCONN: 53,
  ENOTDIR: 54,
  ENOTSOCK: 57,
  ENOTSUP: 58,
  EPERM: 63,
  ESPIPE: 70,
  ESRCH: 71,
  ETIMEDOUT: 73,
  ENOTCAPABLE: 76,
  /** Linux names wasi-libc lacks: 128 + the Linux number, as the SDK's errno.h defines them. */
  ENODATA: 128 + 61,
} as const

export type ErrnoName = keyof typeof Errno

const NAMES = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]))
export function errnoName(n: number): string {
  return NAMES.get(n) ?? `errno ${n}`
}

/** Signals the kernel delivers (Linux numbers, which the SDK's signal.h uses too). */
export const Signal = {SIGKILL: 9, SIGTERM: 15} as const
