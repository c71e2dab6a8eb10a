/* sphere-sdk: IoTHub_Init / IoTHub_Deinit (the Azure IoT C SDK's platform set-up; nothing to do on this OS). */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

int IoTHub_Init(void);
void IoTHub_Deinit(void);

#ifdef __cplusplus
}
#endif
