/* sphere-sdk libapplibs: ADC and PWM. */
#include <applibs/adc.h>
#include <applibs/pwm.h>

#include "internal.h"

SPHERE_API int ADC_Open(ADC_ControllerId id)
{
    return __sphere_ret(__applibs_adc_open(id));
}

SPHERE_API int ADC_GetSampleBitCount(int fd, ADC_ChannelId channel)
{
    return __sphere_ret(__applibs_adc_get_sample_bit_count(fd, channel));
}

SPHERE_API int ADC_SetReferenceVoltage(int fd, ADC_ChannelId channel, float referenceVoltage)
{
    return __sphere_ret(__applibs_adc_set_reference_voltage(fd, channel, referenceVoltage));
}

SPHERE_API int ADC_Poll(int fd, ADC_ChannelId channel, uint32_t *outSampleValue)
{
    SPHERE_REQUIRE_PTR(outSampleValue);
    return __sphere_ret(__applibs_adc_poll(fd, channel, outSampleValue));
}

SPHERE_API int PWM_Open(PWM_ControllerId pwm)
{
    return __sphere_ret(__applibs_pwm_open(pwm));
}

SPHERE_API int PWM_Apply(int pwmFd, PWM_ChannelId pwmChannel, const PwmState *newState)
{
    if (newState == NULL) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_pwm_apply(pwmFd, pwmChannel, newState));
}
