/* sphere-sdk applibs: reboot, power-down and power profile.
   Capability: "PowerControls": ["ForceReboot", "ForcePowerDown", "SetPowerProfile"]. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t PowerManagement_System_PowerProfile;
enum {
    PowerManagement_PowerSaver = 0,
    PowerManagement_Balanced = 1,
    PowerManagement_HighPerformance = 2
};

typedef uint32_t z__PowerManagement_System_PowerState;
enum {
    z__PowerManagement_System_PowerState_ForceReboot = 0,
    z__PowerManagement_System_PowerState_ForcePowerDown = 1
};

struct z__PowerManagement_PowerDownStateTransitionParams {
    unsigned int maximum_residency_in_seconds;
};

int z__PowerManagement_TransitionToSystemPowerState(z__PowerManagement_System_PowerState type,
                                                    void *power_state_transition_params_ptr);
int z__PowerManagement_SetSystemPowerProfile(PowerManagement_System_PowerProfile desired_profile);

/// Reboots the device (asynchronously: every app gets SIGTERM). Returns 0, or -1 with errno EACCES.
static inline int PowerManagement_ForceSystemReboot(void)
{
    return z__PowerManagement_TransitionToSystemPowerState(z__PowerManagement_System_PowerState_ForceReboot,
                                                           (void *)0);
}

/// Powers the device down for at most maximum_residency_in_seconds. Returns 0, or -1 with errno EACCES, EINVAL.
static inline int PowerManagement_ForceSystemPowerDown(unsigned int maximum_residency_in_seconds)
{
    struct z__PowerManagement_PowerDownStateTransitionParams params = {
        .maximum_residency_in_seconds = maximum_residency_in_seconds};
    return z__PowerManagement_TransitionToSystemPowerState(z__PowerManagement_System_PowerState_ForcePowerDown,
                                                           &params);
}

/// Sets the CPU power profile until the next reboot. Returns 0, or -1 with errno EACCES, EINVAL.
static inline int PowerManagement_SetSystemPowerProfile(PowerManagement_System_PowerProfile desired_profile)
{
    return z__PowerManagement_SetSystemPowerProfile(desired_profile);
}

#ifdef __cplusplus
}
#endif
