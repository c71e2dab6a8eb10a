/* sphere-sdk: the Azure IoT C SDK's low-level device client (IoTHubDeviceClient_LL_*, public names and
   signatures). Single-threaded: nothing happens between calls; IoTHubDeviceClient_LL_DoWork delivers every
   callback on the caller's thread. The MQTT connection itself is made by the OS (host side), as an app network
   connection the firewall checks against the manifest's AllowedConnections. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <azureiot/iothub_client_core_common.h>
#include <azureiot/iothub_message.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct IOTHUB_CLIENT_CORE_LL_HANDLE_DATA_TAG *IOTHUB_DEVICE_CLIENT_LL_HANDLE;

IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateFromConnectionString(
    const char *connectionString, IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol);
IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_Create(const IOTHUB_CLIENT_CONFIG *config);
IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateFromDeviceAuth(const char *iothub_uri,
                                                                          const char *device_id,
                                                                          IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol);
/* Azure Sphere: authenticate with the device's certificate (device ID = the Azure Sphere device ID). */
IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateWithAzureSphereFromDeviceAuth(
    const char *iothub_uri, IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol);
void IoTHubDeviceClient_LL_Destroy(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle);

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendEventAsync(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                          IOTHUB_MESSAGE_HANDLE eventMessageHandle,
                                                          IOTHUB_CLIENT_EVENT_CONFIRMATION_CALLBACK eventConfirmationCallback,
                                                          void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetSendStatus(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                         IOTHUB_CLIENT_STATUS *iotHubClientStatus);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetMessageCallback(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                              IOTHUB_CLIENT_MESSAGE_CALLBACK_ASYNC messageCallback,
                                                              void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetConnectionStatusCallback(
    IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
    IOTHUB_CLIENT_CONNECTION_STATUS_CALLBACK connectionStatusCallback, void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetRetryPolicy(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                          IOTHUB_CLIENT_RETRY_POLICY retryPolicy,
                                                          size_t retryTimeoutLimitInSeconds);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetRetryPolicy(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                          IOTHUB_CLIENT_RETRY_POLICY *retryPolicy,
                                                          size_t *retryTimeoutLimitInSeconds);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetLastMessageReceiveTime(
    IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle, time_t *lastMessageReceiveTime);
void IoTHubDeviceClient_LL_DoWork(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetOption(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                     const char *optionName, const void *value);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetDeviceTwinCallback(
    IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle, IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK deviceTwinCallback,
    void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendReportedState(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                             const unsigned char *reportedState, size_t size,
                                                             IOTHUB_CLIENT_REPORTED_STATE_CALLBACK reportedStateCallback,
                                                             void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetTwinAsync(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                        IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK deviceTwinCallback,
                                                        void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetDeviceMethodCallback(
    IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
    IOTHUB_CLIENT_DEVICE_METHOD_CALLBACK_ASYNC deviceMethodCallback, void *userContextCallback);
IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendMessageDisposition(IOTHUB_DEVICE_CLIENT_LL_HANDLE iotHubClientHandle,
                                                                  IOTHUB_MESSAGE_HANDLE message,
                                                                  IOTHUBMESSAGE_DISPOSITION_RESULT disposition);

#ifdef __cplusplus
}
#endif
