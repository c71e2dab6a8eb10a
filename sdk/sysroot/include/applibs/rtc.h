/* sphere-sdk applibs: real-time clock. Capability: "SystemTime": true. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// Copies the system clock into the hardware RTC. Returns 0, or -1 with errno EACCES, EBUSY, ENOENT.
int clock_systohc(void);

#ifdef __cplusplus
}
#endif
