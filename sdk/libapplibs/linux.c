/* sphere-sdk libapplibs: Linux calls wasi-libc lacks (timerfd, eventfd, epoll, getpid, clock_settime)
   and the sleeps, re-implemented so that a signal delivered during a sleep runs its handler (EINTR). */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "internal.h"

#define LINUX_NONBLOCK 0x800
#define WASI_NONBLOCK 0x4 /* wasi-libc's O_NONBLOCK */
#define LINUX_CLOEXEC 0x80000

/* wasi-libc's clockid_t is a pointer to a clock descriptor; the ABI numbers clocks as WASI does. */
static int ClockNumber(clockid_t clockid)
{
    if (clockid == CLOCK_REALTIME) {
        return 0;
    }
    if (clockid == CLOCK_MONOTONIC) {
        return 1;
    }
    return -1;
}

/* Maps the nonblocking flag (Linux or wasi-libc spelling) to the Linux value; drops close-on-exec. */
static int MapFdFlags(int flags, int allowedExtra, int *out)
{
    int mapped = 0;
    if (flags & (LINUX_NONBLOCK | WASI_NONBLOCK)) {
        mapped |= LINUX_NONBLOCK;
    }
    mapped |= flags & allowedExtra;
    if ((flags & ~(LINUX_NONBLOCK | WASI_NONBLOCK | LINUX_CLOEXEC | allowedExtra)) != 0) {
        return -1;
    }
    *out = mapped;
    return 0;
}

int timerfd_create(clockid_t clockid, int flags)
{
    int clock = ClockNumber(clockid);
    int mapped;
    if (clock < 0 || MapFdFlags(flags, 0, &mapped) != 0) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__sphere_timerfd_create(clock, mapped));
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value)
{
    SPHERE_REQUIRE_PTR(new_value);
    return __sphere_ret(__sphere_timerfd_settime(fd, flags, new_value, old_value));
}

int timerfd_gettime(int fd, struct itimerspec *curr_value)
{
    SPHERE_REQUIRE_PTR(curr_value);
    return __sphere_ret(__sphere_timerfd_gettime(fd, curr_value));
}

int eventfd(unsigned int initval, int flags)
{
    int mapped;
    if (MapFdFlags(flags, EFD_SEMAPHORE, &mapped) != 0) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__sphere_eventfd(initval, mapped));
}

int eventfd_read(int fd, eventfd_t *value)
{
    return read(fd, value, sizeof(*value)) == (ssize_t)sizeof(*value) ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
    return write(fd, &value, sizeof(value)) == (ssize_t)sizeof(value) ? 0 : -1;
}

int epoll_create(int size)
{
    if (size <= 0) {
        errno = EINVAL;
        return -1;
    }
    return epoll_create1(0);
}

int epoll_create1(int flags)
{
    if ((flags & ~EPOLL_CLOEXEC) != 0) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__sphere_epoll_create1(0));
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
    if (op != EPOLL_CTL_DEL && event == NULL) {
        errno = EFAULT;
        return -1;
    }
    return __sphere_ret(__sphere_epoll_ctl(epfd, op, fd, event));
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    if (maxevents <= 0) {
        errno = EINVAL;
        return -1;
    }
    SPHERE_REQUIRE_PTR(events);
    return __sphere_ret_blocking(__sphere_epoll_wait(epfd, events, maxevents, timeout));
}

pid_t getpid(void)
{
    int32_t pid = __sphere_getpid();
    return pid < 0 ? 1 : pid;
}

int clock_settime(clockid_t clockid, const struct timespec *tp)
{
    int clock = ClockNumber(clockid);
    if (clock != 0) {
        errno = EINVAL;
        return -1;
    }
    SPHERE_REQUIRE_PTR(tp);
    return __sphere_ret(__sphere_clock_settime(clock, tp));
}


static __wasi_timestamp_t ToNanoseconds(const struct timespec *ts)
{
    if (ts->tv_sec < 0) {
        return 0;
    }
    return (__wasi_timestamp_t)ts->tv_sec * 1000000000ull + (__wasi_timestamp_t)ts->tv_nsec;
}

static __wasi_timestamp_t Now(__wasi_clockid_t clock)
{
    __wasi_timestamp_t now = 0;
    if (__wasi_clock_time_get(clock, 1, &now) != 0) {
        return 0;
    }
    return now;
}

int clock_nanosleep(clockid_t clockid, int flags, const struct timespec *request, struct timespec *remain)
{
    int clock = ClockNumber(clockid);
    if (clock < 0 || (flags & ~TIMER_ABSTIME) != 0 || request == NULL || request->tv_nsec < 0 ||
        request->tv_nsec >= 1000000000) {
        return EINVAL;
    }
    __wasi_timestamp_t timeout = ToNanoseconds(request);
    __wasi_timestamp_t start = (flags & TIMER_ABSTIME) ? 0 : Now((__wasi_clockid_t)clock);
    __wasi_subscription_t subscription = {
        .userdata = 0,
        .u = {.tag = __WASI_EVENTTYPE_CLOCK,
              .u = {.clock = {.id = (__wasi_clockid_t)clock,
                              .timeout = timeout,
                              .precision = 0,
                              .flags = (flags & TIMER_ABSTIME) ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME
                                                               : 0}}}};
    __wasi_event_t event;
    __wasi_size_t count = 0;
    __wasi_errno_t error = __wasi_poll_oneoff(&subscription, &event, 1, &count);
    if (error == 0 && count == 1 && event.error != 0) {
        error = event.error;
    }
    if (error == __WASI_ERRNO_INTR) {
        if (remain != NULL && !(flags & TIMER_ABSTIME)) {
            __wasi_timestamp_t elapsed = Now((__wasi_clockid_t)clock) - start;
            __wasi_timestamp_t left = elapsed < timeout ? timeout - elapsed : 0;
            remain->tv_sec = (time_t)(left / 1000000000ull);
            remain->tv_nsec = (long)(left % 1000000000ull);
        }
        __sphere_after_blocking_call();
        return EINTR;
    }
    __sphere_after_blocking_call();
    return error == 0 ? 0 : (int)error;
}

int nanosleep(const struct timespec *request, struct timespec *remain)
{
    int error = clock_nanosleep(CLOCK_MONOTONIC, 0, request, remain);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}

int usleep(useconds_t usec)
{
    struct timespec ts = {.tv_sec = usec / 1000000, .tv_nsec = (long)(usec % 1000000) * 1000};
    return nanosleep(&ts, NULL);
}

unsigned int sleep(unsigned int seconds)
{
    struct timespec ts = {.tv_sec = seconds, .tv_nsec = 0};
    struct timespec left = {0, 0};
    if (nanosleep(&ts, &left) == -1) {
        return (unsigned int)left.tv_sec + (left.tv_nsec > 0 ? 1 : 0);
    }
    return 0;
}
