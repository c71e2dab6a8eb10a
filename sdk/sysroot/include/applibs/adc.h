/* sphere-sdk applibs: analog-to-digital converter. Capability: "Adc": [controller ids or names]. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t ADC_ControllerId;
typedef uint32_t ADC_ChannelId;

/// Opens an ADC controller (MT3620: controller 0, channels 0-7). Returns an fd, or -1 with errno EACCES.
int ADC_Open(ADC_ControllerId id);

/// Returns the number of valid bits in a sample of channel (MT3620: 12), or -1.
int ADC_GetSampleBitCount(int fd, ADC_ChannelId channel);

/// Sets the reference voltage of channel (MT3620 samples use 2.5 V). Returns 0, or -1 with errno EINVAL.
int ADC_SetReferenceVoltage(int fd, ADC_ChannelId channel, float referenceVoltage);

/// Reads one sample of channel into *outSampleValue (0 .. 2^bits - 1). Returns 0 / -1.
int ADC_Poll(int fd, ADC_ChannelId channel, uint32_t *outSampleValue);

#ifdef __cplusplus
}
#endif
