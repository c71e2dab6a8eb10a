/* sphere-sdk sysroot: eventfd (Linux). Shadows wasi-libc's header (which declares eventfd but has no
   implementation); these are kernel calls of the simulated OS (module "sphere"). */
#ifndef _SYS_EVENTFD_H
#define _SYS_EVENTFD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t eventfd_t;

#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK 0x800
#define EFD_CLOEXEC 0x80000

int eventfd(unsigned int initval, int flags);
int eventfd_read(int fd, eventfd_t *value);
int eventfd_write(int fd, eventfd_t value);

#ifdef __cplusplus
}
#endif

#endif
