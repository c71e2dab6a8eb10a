/* sphere-sdk libapplibs: Log_Debug formats in the app, then writes the text with one applibs.log_write call. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <applibs/log.h>

#include "internal.h"

SPHERE_API int Log_DebugVarArgs(const char *fmt, va_list args)
{
    SPHERE_REQUIRE_PTR(fmt);
    char stackBuffer[512];
    va_list copy;
    va_copy(copy, args);
    int n = vsnprintf(stackBuffer, sizeof(stackBuffer), fmt, copy);
    va_end(copy);
    if (n < 0) {
        return -1;
    }
    if ((size_t)n < sizeof(stackBuffer)) {
        return __sphere_ret(__applibs_log_write(stackBuffer, (uint32_t)n)) < 0 ? -1 : 0;
    }
    char *heapBuffer = malloc((size_t)n + 1);
    if (heapBuffer == NULL) {
        /* Out of memory: log what fits. */
        return __sphere_ret(__applibs_log_write(stackBuffer, sizeof(stackBuffer) - 1)) < 0 ? -1 : 0;
    }
    vsnprintf(heapBuffer, (size_t)n + 1, fmt, args);
    int result = __sphere_ret(__applibs_log_write(heapBuffer, (uint32_t)n)) < 0 ? -1 : 0;
    free(heapBuffer);
    return result;
}

SPHERE_API int Log_Debug(const char *fmt, ...)
{
    SPHERE_REQUIRE_PTR(fmt);
    va_list args;
    va_start(args, fmt);
    int result = Log_DebugVarArgs(fmt, args);
    va_end(args);
    return result;
}
