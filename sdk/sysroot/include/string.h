/* sphere-sdk sysroot: <string.h> = wasi-libc's, with strerror() also naming the Linux errno values wasi-libc
   lacks (ENODATA, ETIME, ...; see <errno.h>). */
#ifndef __SPHERE_STRING_H
#define __SPHERE_STRING_H

#include_next <string.h>

#ifdef __cplusplus
extern "C" {
#endif

char *__sphere_strerror(int errnum);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus
#define strerror(e) __sphere_strerror(e)
#endif

#endif
