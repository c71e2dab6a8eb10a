/* sphere-sdk: Azure Sphere's one-call DPS provisioning (public names and signature): register the device with the
   Device Provisioning Service (ID scope, device certificate) and return a client for the IoT hub it is assigned
   to. Blocks the calling thread for up to `timeout` milliseconds. */
#pragma once

#include <azureiot/iothub_device_client_ll.h>
#include <azure_prov_client/prov_device_ll_client.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AZURE_SPHERE_PROV_RESULT_OK,
    AZURE_SPHERE_PROV_RESULT_INVALID_PARAM,
    AZURE_SPHERE_PROV_RESULT_NETWORK_NOT_READY,
    AZURE_SPHERE_PROV_RESULT_DEVICEAUTH_NOT_READY,
    AZURE_SPHERE_PROV_RESULT_PROV_DEVICE_ERROR,
    AZURE_SPHERE_PROV_RESULT_IOTHUB_CLIENT_ERROR,
    AZURE_SPHERE_PROV_RESULT_GENERIC_ERROR
} AZURE_SPHERE_PROV_RESULT;

typedef struct {
    AZURE_SPHERE_PROV_RESULT result;
    PROV_DEVICE_RESULT prov_device_error;
    IOTHUB_CLIENT_RESULT iothub_client_error;
} AZURE_SPHERE_PROV_RETURN_VALUE;

AZURE_SPHERE_PROV_RETURN_VALUE IoTHubDeviceClient_LL_CreateWithAzureSphereDeviceAuthProvisioning(
    const char *idScope, unsigned int timeout, IOTHUB_DEVICE_CLIENT_LL_HANDLE *handle);

#ifdef __cplusplus
}
#endif
