/* sphere-sdk libapplibs: CPU affinity on the MT3620's single high-level core (<sched.h>): CPU 0 is the only CPU;
   a set without it is EINVAL, as Linux answers for CPUs that are not online. pid 0 or the app's own pid only. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

static int Self(pid_t pid)
{
    if (pid != 0 && pid != getpid()) {
        errno = ESRCH;
        return 0;
    }
    return 1;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    if (!Self(pid)) {
        return -1;
    }
    if (set == NULL || size < sizeof(unsigned long) || !(set->__bits[0] & 1UL)) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
    if (!Self(pid)) {
        return -1;
    }
    if (set == NULL || size < sizeof(unsigned long)) {
        errno = EINVAL;
        return -1;
    }
    memset(set, 0, size < sizeof(cpu_set_t) ? size : sizeof(cpu_set_t));
    set->__bits[0] = 1UL;
    return 0;
}
