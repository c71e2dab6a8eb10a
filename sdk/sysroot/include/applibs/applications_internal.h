/* sphere-sdk applibs: plumbing for applications.h (do not include directly). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t z__Application_MemoryAttribute;
enum {
    z__Applications_MemoryAttribute_TotalMemoryUsageInKB = 0,
    z__Applications_MemoryAttribute_UserModeMemoryUsageInKB = 1,
    z__Applications_MemoryAttribute_PeakUserModeMemoryUsageInKB = 2
};

int z__Applications_GetMemoryInfo(z__Application_MemoryAttribute memoryAttribute, void *buffer, size_t capacity);

static inline size_t z__Applications_GetMemoryValue(z__Application_MemoryAttribute attribute)
{
    size_t value = 0;
    if (z__Applications_GetMemoryInfo(attribute, &value, sizeof(value)) == -1) {
        return 0;
    }
    return value;
}

#ifdef __cplusplus
}
#endif
