/* sphere-sdk sysroot: timerfd (Linux). wasi-libc has no timerfd; these calls are kernel calls of the
   simulated OS (module "sphere"). Read 8 bytes (a uint64_t expiry count) from the fd to consume expiries. */
#ifndef _SYS_TIMERFD_H
#define _SYS_TIMERFD_H

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFD_NONBLOCK 0x800
#define TFD_CLOEXEC 0x80000
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

/// Creates a timer fd on CLOCK_REALTIME or CLOCK_MONOTONIC. Returns an fd, or -1 with errno EINVAL, EMFILE.
int timerfd_create(clockid_t clockid, int flags);

/// Arms (it_value non-zero) or disarms (it_value zero) the timer; it_interval non-zero makes it periodic.
/// Returns 0, or -1 with errno EBADF, EINVAL, EFAULT.
int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value);

/// Reads the time left and the interval. Returns 0, or -1 with errno EBADF, EFAULT.
int timerfd_gettime(int fd, struct itimerspec *curr_value);

#ifdef __cplusplus
}
#endif

#endif
