/* sphere-sdk libapplibs: Application, Applications, PowerManagement, RTC. */
#include <stdbool.h>

#include <applibs/application.h>
#include <applibs/applications.h>
#include <applibs/powermanagement.h>
#include <applibs/rtc.h>

#include "internal.h"

SPHERE_API int Application_Connect(const char *componentId)
{
    SPHERE_REQUIRE_PTR(componentId);
    return __sphere_ret(__applibs_app_connect(componentId, __sphere_strlen(componentId)));
}

SPHERE_API int Application_IsDeviceAuthReady(bool *outIsDeviceAuthReady)
{
    SPHERE_REQUIRE_PTR(outIsDeviceAuthReady);
    uint8_t ready = 0;
    if (__sphere_ret(__applibs_application_is_device_auth_ready(&ready)) < 0) {
        return -1;
    }
    *outIsDeviceAuthReady = ready != 0;
    return 0;
}

SPHERE_API int z__Applications_GetMemoryInfo(z__Application_MemoryAttribute memoryAttribute, void *buffer, size_t capacity)
{
    SPHERE_REQUIRE_PTR(buffer);
    if (capacity < sizeof(size_t)) {
        errno = EINVAL;
        return -1;
    }
    int32_t kib = __sphere_ret(__applibs_applications_get_memory_info(memoryAttribute));
    if (kib < 0) {
        return -1;
    }
    size_t value = (size_t)kib;
    memcpy(buffer, &value, sizeof(value));
    return 0;
}

SPHERE_API int Applications_GetOsVersion(Applications_OsVersion *outVersion)
{
    SPHERE_REQUIRE_PTR(outVersion);
    int32_t n = __sphere_ret(__applibs_applications_get_os_version(outVersion->version,
                                                                   sizeof(outVersion->version) - 1));
    if (n < 0) {
        return -1;
    }
    outVersion->version[(size_t)n < sizeof(outVersion->version) ? (size_t)n : sizeof(outVersion->version) - 1] =
        '\0';
    return 0;
}

SPHERE_API int z__PowerManagement_TransitionToSystemPowerState(z__PowerManagement_System_PowerState type,
                                                    void *power_state_transition_params_ptr)
{
    switch (type) {
    case z__PowerManagement_System_PowerState_ForceReboot:
        return __sphere_ret(__applibs_power_restart());
    case z__PowerManagement_System_PowerState_ForcePowerDown: {
        SPHERE_REQUIRE_PTR(power_state_transition_params_ptr);
        const struct z__PowerManagement_PowerDownStateTransitionParams *params = power_state_transition_params_ptr;
        return __sphere_ret(__applibs_power_down(params->maximum_residency_in_seconds));
    }
    default:
        errno = EINVAL;
        return -1;
    }
}

SPHERE_API int z__PowerManagement_SetSystemPowerProfile(PowerManagement_System_PowerProfile desired_profile)
{
    if (desired_profile > PowerManagement_HighPerformance) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_power_set_profile(desired_profile));
}

SPHERE_API int clock_systohc(void)
{
    return __sphere_ret(__applibs_rtc_systohc());
}
