/* sphere-sdk sysroot: <unistd.h> = wasi-libc's header with getpid() declared (the simulated OS provides it). */
#ifndef __SPHERE_UNISTD_H
#define __SPHERE_UNISTD_H

#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID 1
#endif

#include_next <unistd.h>

#endif
