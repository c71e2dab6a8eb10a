/* sphere-sdk sysroot: <time.h> = wasi-libc's header plus clock_settime() and tzset() (the simulated OS keeps
   the clock; time zones other than UTC are not supported, tzset() is a no-op). */
#ifndef __SPHERE_TIME_H
#define __SPHERE_TIME_H

#include_next <time.h>

#ifdef __cplusplus
extern "C" {
#endif

void tzset(void);
int clock_settime(clockid_t clockid, const struct timespec *tp);

#ifdef __cplusplus
}
#endif

#endif
