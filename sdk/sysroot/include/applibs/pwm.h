/* sphere-sdk applibs: pulse-width modulation. Capability: "Pwm": [controller ids or names]. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int PWM_ControllerId;
typedef uint32_t PWM_ChannelId;

typedef uint32_t PwmPolarity;
enum {
    /// The output is high during the duty cycle.
    PWM_Polarity_Normal = 0,
    /// The output is low during the duty cycle.
    PWM_Polarity_Inversed = 1
};

/// The state of one PWM channel (16 bytes).
typedef struct PwmState {
    unsigned int period_nsec;
    unsigned int dutyCycle_nsec;
    PwmPolarity polarity;
    bool enabled;
} PwmState;

/// Opens a PWM controller (MT3620: 0-2, 4 channels each). Returns an fd, or -1 with errno EACCES.
int PWM_Open(PWM_ControllerId pwm);

/// Applies newState to a channel atomically. Returns 0, or -1 with errno EBADF, ENODEV (bad channel),
/// EINVAL (newState NULL or invalid).
int PWM_Apply(int pwmFd, PWM_ChannelId pwmChannel, const PwmState *newState);

#ifdef __cplusplus
}
#endif
