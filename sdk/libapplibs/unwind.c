/* sphere-sdk libapplibs: the area the OS uses to suspend the app inside a blocking call (Asyncify's unwind
   data: the call stack is saved here while the app waits). Exported as sphere_unwind_area() /
   sphere_unwind_size(); the toolchain links this object into every app (-Wl,--undefined=...). */
#include <stdint.h>

#define SPHERE_UNWIND_BYTES 8192

static uint64_t unwindArea[SPHERE_UNWIND_BYTES / sizeof(uint64_t)];

__attribute__((export_name("sphere_unwind_area"))) void *sphere_unwind_area(void)
{
    return unwindArea;
}

__attribute__((export_name("sphere_unwind_size"))) uint32_t sphere_unwind_size(void)
{
    return SPHERE_UNWIND_BYTES;
}

/* Asks the OS for the NULL-page guard: a load or store below 4096 kills the app with SIGSEGV, as on the ARM
   target. The toolchain links data from 4096 up (-Wl,--global-base=4096), so nothing legitimate lives there.
   The OS never calls it; the export is the request. */
__attribute__((export_name("sphere_null_guard"))) uint32_t sphere_null_guard(void)
{
    return 4096;
}
