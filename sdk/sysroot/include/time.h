/* sphere-sdk sysroot: <time.h> = wasi-libc's header plus clock_settime() and the POSIX time zone interface
   (tzset, tzname, timezone, daylight): as on Azure Sphere, an app picks its zone with a POSIX TZ string,
   e.g. setenv("TZ", "PST+8", 1); tzset(); localtime/mktime/strftime then follow it (libapplibs/tz.c). */
#ifndef __SPHERE_TIME_H
#define __SPHERE_TIME_H

#include_next <time.h>

#ifdef __cplusplus
extern "C" {
#endif

void tzset(void);
extern char *tzname[2];
extern long timezone;
extern int daylight;
int clock_settime(clockid_t clockid, const struct timespec *tp);

#ifdef __cplusplus
}
#endif

#endif
