/* sphere-sdk applibs: memory usage of the calling app and the OS version. No capability needed. */
#pragma once

#include <sys/types.h>

#include <applibs/applications_internal.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Maximum length of Applications_OsVersion.version, including the NUL.
#define APPLICATIONS_OS_VERSION_MAX_LENGTH 32

/// The OS version, e.g. "24.03".
typedef struct Applications_OsVersion {
    char version[APPLICATIONS_OS_VERSION_MAX_LENGTH];
} Applications_OsVersion;

/// KiB used by the app (user + kernel allocations); 0 on error (errno EAGAIN).
static inline size_t Applications_GetTotalMemoryUsageInKB(void)
{
    return z__Applications_GetMemoryValue(z__Applications_MemoryAttribute_TotalMemoryUsageInKB);
}

/// KiB of user-mode memory used by the app; 0 on error.
static inline size_t Applications_GetUserModeMemoryUsageInKB(void)
{
    return z__Applications_GetMemoryValue(z__Applications_MemoryAttribute_UserModeMemoryUsageInKB);
}

/// High-water mark of user-mode memory in KiB; 0 on error.
static inline size_t Applications_GetPeakUserModeMemoryUsageInKB(void)
{
    return z__Applications_GetMemoryValue(z__Applications_MemoryAttribute_PeakUserModeMemoryUsageInKB);
}

/// Writes the OS version string. Returns 0, or -1 with errno EFAULT.
int Applications_GetOsVersion(Applications_OsVersion *outVersion);

#ifdef __cplusplus
}
#endif
