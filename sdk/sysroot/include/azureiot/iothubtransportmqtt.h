/* sphere-sdk: the MQTT transport (MQTT 3.1.1 over TLS to port 8883), the Azure IoT C SDK's public name. */
#pragma once

#include <azureiot/iothub_client_core_common.h>

#ifdef __cplusplus
extern "C" {
#endif

const TRANSPORT_PROVIDER *MQTT_Protocol(void);

#ifdef __cplusplus
}
#endif
