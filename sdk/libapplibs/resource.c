/* sphere-sdk libapplibs: getrusage / getrlimit / setrlimit (see sysroot/include/sys/resource.h). */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <wasi/api.h>

int getrusage(int who, struct rusage *usage)
{
    if (usage == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN) {
        errno = EINVAL;
        return -1;
    }
    memset(usage, 0, sizeof(*usage));
    if (who == RUSAGE_CHILDREN) {
        return 0; /* an app has no children */
    }
    __wasi_timestamp_t cpu = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &cpu) != 0) {
        cpu = 0;
    }
    usage->ru_utime.tv_sec = (time_t)(cpu / 1000000000ull);
    usage->ru_utime.tv_usec = (suseconds_t)((cpu % 1000000000ull) / 1000u);
    /* linear memory only grows: its size is the peak */
    usage->ru_maxrss = (long)(__builtin_wasm_memory_size(0) * 64u);
    return 0;
}

static rlim_t Limit(int resource)
{
    switch (resource) {
    case RLIMIT_AS:
    case RLIMIT_DATA:
    case RLIMIT_RSS:
        return 256u * 1024u;
    case RLIMIT_STACK:
        return 64u * 1024u;
    case RLIMIT_CORE:
    case RLIMIT_NPROC:
        return 0;
    default:
        return RLIM_INFINITY;
    }
}

int getrlimit(int resource, struct rlimit *rlim)
{
    if (rlim == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (resource < 0 || resource >= RLIMIT_NLIMITS) {
        errno = EINVAL;
        return -1;
    }
    rlim->rlim_cur = rlim->rlim_max = Limit(resource);
    return 0;
}

int setrlimit(int resource, const struct rlimit *rlim)
{
    if (rlim == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (resource < 0 || resource >= RLIMIT_NLIMITS || rlim->rlim_cur > rlim->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    if (rlim->rlim_max > Limit(resource)) {
        errno = EPERM;
        return -1;
    }
    return 0; /* lowering a limit is accepted; the OS enforces its own */
}
