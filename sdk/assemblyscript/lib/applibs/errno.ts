// sphere-sdk AssemblyScript library: errno, as the C library keeps it. Wrappers return -1 and set errno
// (WASI numbering, the same numbers wasi-libc's <errno.h> uses) when a call fails.

// @ts-ignore: decorator
@lazy export let errno: i32 = 0

export const EACCES: i32 = 2
export const EAGAIN: i32 = 6
export const EBADF: i32 = 8
export const EBUSY: i32 = 10
export const EEXIST: i32 = 20
export const EFAULT: i32 = 21
export const EINTR: i32 = 27
export const EINVAL: i32 = 28
export const EIO: i32 = 29
export const ENODEV: i32 = 43
export const ENOENT: i32 = 44
export const ENOMEM: i32 = 48
export const ENOSPC: i32 = 51
export const ENOSYS: i32 = 52
export const ENOTSUP: i32 = 58
export const EPERM: i32 = 63
export const ETIMEDOUT: i32 = 73

/** Turns an ABI result (>= 0 value, or -errno) into the C convention: the value, or -1 with errno set. */
export function check(result: i32): i32 {
  if (result >= 0) return result
  errno = -result
  return -1
}

/** Records a WASI errno (0 = success); returns 0 or -1 like a C call. */
export function checkWasi(err: u16): i32 {
  if (err == 0) return 0
  errno = <i32>err
  return -1
}

/** The C library's strerror text for the common codes. */
export function strerror(e: i32): string {
  switch (e) {
    case 0: return "Success"
    case EACCES: return "Permission denied"
    case EAGAIN: return "Resource temporarily unavailable"
    case EBADF: return "Bad file descriptor"
    case EBUSY: return "Device or resource busy"
    case EEXIST: return "File exists"
    case EFAULT: return "Bad address"
    case EINTR: return "Interrupted system call"
    case EINVAL: return "Invalid argument"
    case EIO: return "I/O error"
    case ENODEV: return "No such device"
    case ENOENT: return "No such file or directory"
    case ENOMEM: return "Out of memory"
    case ENOSPC: return "No space left on device"
    case ENOSYS: return "Function not implemented"
    case ENOTSUP: return "Not supported"
    case EPERM: return "Operation not permitted"
    case ETIMEDOUT: return "Operation timed out"
    default: return "Unknown error"
  }
}
