/* sphere-sdk applibs: debug log. Output goes to the app's log (`sphere device app start --debug`, the monitor). */
#pragma once

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Formats like printf and writes the result to the app's debug log. No newline is added.
/// Returns 0 on success, -1 with errno set on failure (EFAULT: fmt is NULL).
/// Declared as the SDK declares it, without a printf format attribute: the compiler does not check its
/// arguments against the format (sample code that builds on the device passes an int for a %s here).
int Log_Debug(const char *fmt, ...);

/// Like Log_Debug, taking a va_list. Returns 0 / -1 (EFAULT: fmt is NULL).
int Log_DebugVarArgs(const char *fmt, va_list args);

#ifdef __cplusplus
}
#endif
