/* sphere-sdk: IoTHubMessage_* (the Azure IoT C SDK's message API, public names and signatures). Messages live in
   the app's memory; SendEventAsync hands a copy to the OS's client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <azure_macro_utils/macro_utils.h>
#include <azure_c_shared_utility/map.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOTHUB_MESSAGE_RESULT_VALUES IOTHUB_MESSAGE_OK, IOTHUB_MESSAGE_INVALID_ARG, IOTHUB_MESSAGE_INVALID_TYPE, \
        IOTHUB_MESSAGE_ERROR
MU_DEFINE_ENUM_WITHOUT_INVALID(IOTHUB_MESSAGE_RESULT, IOTHUB_MESSAGE_RESULT_VALUES)

#define IOTHUBMESSAGE_CONTENT_TYPE_VALUES IOTHUBMESSAGE_BYTEARRAY, IOTHUBMESSAGE_STRING, IOTHUBMESSAGE_UNKNOWN
MU_DEFINE_ENUM_WITHOUT_INVALID(IOTHUBMESSAGE_CONTENT_TYPE, IOTHUBMESSAGE_CONTENT_TYPE_VALUES)

typedef struct IOTHUB_MESSAGE_HANDLE_DATA_TAG *IOTHUB_MESSAGE_HANDLE;

IOTHUB_MESSAGE_HANDLE IoTHubMessage_CreateFromByteArray(const unsigned char *byteArray, size_t size);
IOTHUB_MESSAGE_HANDLE IoTHubMessage_CreateFromString(const char *source);
IOTHUB_MESSAGE_HANDLE IoTHubMessage_Clone(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_GetByteArray(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle,
                                                 const unsigned char **buffer, size_t *size);
const char *IoTHubMessage_GetString(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUBMESSAGE_CONTENT_TYPE IoTHubMessage_GetContentType(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetContentTypeSystemProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle,
                                                                 const char *contentType);
const char *IoTHubMessage_GetContentTypeSystemProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetContentEncodingSystemProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle,
                                                                     const char *contentEncoding);
const char *IoTHubMessage_GetContentEncodingSystemProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
MAP_HANDLE IoTHubMessage_Properties(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle, const char *key,
                                                const char *value);
const char *IoTHubMessage_GetProperty(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle, const char *key);
const char *IoTHubMessage_GetMessageId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetMessageId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle, const char *messageId);
const char *IoTHubMessage_GetCorrelationId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetCorrelationId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle,
                                                     const char *correlationId);
const char *IoTHubMessage_GetOutputName(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
const char *IoTHubMessage_GetInputName(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
const char *IoTHubMessage_GetConnectionModuleId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
const char *IoTHubMessage_GetConnectionDeviceId(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
IOTHUB_MESSAGE_RESULT IoTHubMessage_SetAsSecurityMessage(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
bool IoTHubMessage_IsSecurityMessage(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);
void IoTHubMessage_Destroy(IOTHUB_MESSAGE_HANDLE iotHubMessageHandle);

#ifdef __cplusplus
}
#endif
