/* sphere-sdk sysroot: <sched.h> = wasi-libc's header plus the CPU affinity calls Linux apps use
   (sched_setaffinity / sched_getaffinity, cpu_set_t and its macros). The MT3620's high-level core is one
   Cortex-A7: the only CPU an app may ask for is CPU 0 (sdk/libapplibs/sched.c). */
#ifndef __SPHERE_SCHED_H
#define __SPHERE_SCHED_H

#include_next <sched.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CPU_SETSIZE 1024
typedef struct {
    unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

#define __SPHERE_CPU_WORD(cpu) ((cpu) / (8 * sizeof(unsigned long)))
#define __SPHERE_CPU_BIT(cpu) (1UL << ((cpu) % (8 * sizeof(unsigned long))))
#define CPU_ZERO(set) __builtin_memset((set), 0, sizeof(cpu_set_t))
#define CPU_SET(cpu, set) \
    ((size_t)(cpu) < CPU_SETSIZE ? ((set)->__bits[__SPHERE_CPU_WORD(cpu)] |= __SPHERE_CPU_BIT(cpu)) : 0)
#define CPU_CLR(cpu, set) \
    ((size_t)(cpu) < CPU_SETSIZE ? ((set)->__bits[__SPHERE_CPU_WORD(cpu)] &= ~__SPHERE_CPU_BIT(cpu)) : 0)
#define CPU_ISSET(cpu, set) \
    ((size_t)(cpu) < CPU_SETSIZE ? (((set)->__bits[__SPHERE_CPU_WORD(cpu)] & __SPHERE_CPU_BIT(cpu)) != 0) : 0)

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);

#ifdef __cplusplus
}
#endif

#endif
