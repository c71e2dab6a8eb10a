/* sphere-sdk: the provisioning client's MQTT transport (public name). */
#pragma once

#include <azure_prov_client/prov_transport.h>

#ifdef __cplusplus
extern "C" {
#endif

const PROV_DEVICE_TRANSPORT_PROVIDER *Prov_Device_MQTT_Protocol(void);

#ifdef __cplusplus
}
#endif
