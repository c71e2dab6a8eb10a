/* sphere-sdk: the provisioning client's transport type (opaque; Prov_Device_MQTT_Protocol is the one provided). */
#pragma once

typedef struct PROV_DEVICE_TRANSPORT_PROVIDER_TAG PROV_DEVICE_TRANSPORT_PROVIDER;
