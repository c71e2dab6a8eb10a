/* sphere-sdk: the Device Provisioning Service low-level client (Prov_Device_LL_*, public names and signatures).
   Registration runs over MQTT ($dps/registrations/...) on the host side of the OS, authenticated by the device's
   certificate; callbacks come from Prov_Device_LL_DoWork on the caller's thread. */
#pragma once

#include <azure_macro_utils/macro_utils.h>
#include <azure_prov_client/prov_transport.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct PROV_INSTANCE_INFO_TAG *PROV_DEVICE_LL_HANDLE;

#define PROV_DEVICE_RESULT_VALUE                                                                          \
    PROV_DEVICE_RESULT_OK, PROV_DEVICE_RESULT_INVALID_ARG, PROV_DEVICE_RESULT_SUCCESS,                    \
        PROV_DEVICE_RESULT_MEMORY, PROV_DEVICE_RESULT_PARSING, PROV_DEVICE_RESULT_TRANSPORT,              \
        PROV_DEVICE_RESULT_INVALID_STATE, PROV_DEVICE_RESULT_DEV_AUTH_ERROR, PROV_DEVICE_RESULT_TIMEOUT,  \
        PROV_DEVICE_RESULT_KEY_ERROR, PROV_DEVICE_RESULT_ERROR, PROV_DEVICE_RESULT_HUB_NOT_SPECIFIED,     \
        PROV_DEVICE_RESULT_UNAUTHORIZED, PROV_DEVICE_RESULT_DISABLED
MU_DEFINE_ENUM_WITHOUT_INVALID(PROV_DEVICE_RESULT, PROV_DEVICE_RESULT_VALUE)

#define PROV_DEVICE_REG_STATUS_VALUES                                                                     \
    PROV_DEVICE_REG_STATUS_CONNECTED, PROV_DEVICE_REG_STATUS_REGISTERING, PROV_DEVICE_REG_STATUS_ASSIGNING, \
        PROV_DEVICE_REG_STATUS_ASSIGNED, PROV_DEVICE_REG_STATUS_ERROR, PROV_DEVICE_REG_HUB_NOT_SPECIFIED
MU_DEFINE_ENUM_WITHOUT_INVALID(PROV_DEVICE_REG_STATUS, PROV_DEVICE_REG_STATUS_VALUES)

#define PROV_REGISTRATION_ID "registration_id"
#define PROV_OPTION_LOG_TRACE "logtrace"
#define PROV_OPTION_TIMEOUT "provisioning_timeout"
#define PROV_OPTION_DO_WORK_FREQUENCY_IN_MS "do_work_freq_ms"

typedef void (*PROV_DEVICE_CLIENT_REGISTER_DEVICE_CALLBACK)(PROV_DEVICE_RESULT register_result,
                                                            const char *iothub_uri, const char *device_id,
                                                            void *user_context);
typedef void (*PROV_DEVICE_CLIENT_REGISTER_STATUS_CALLBACK)(PROV_DEVICE_REG_STATUS reg_status,
                                                            void *user_context);
typedef const PROV_DEVICE_TRANSPORT_PROVIDER *(*PROV_DEVICE_TRANSPORT_PROVIDER_FUNCTION)(void);

PROV_DEVICE_LL_HANDLE Prov_Device_LL_Create(const char *uri, const char *scope_id,
                                            PROV_DEVICE_TRANSPORT_PROVIDER_FUNCTION protocol);
void Prov_Device_LL_Destroy(PROV_DEVICE_LL_HANDLE handle);
PROV_DEVICE_RESULT Prov_Device_LL_Register_Device(PROV_DEVICE_LL_HANDLE handle,
                                                  PROV_DEVICE_CLIENT_REGISTER_DEVICE_CALLBACK register_callback,
                                                  void *user_context,
                                                  PROV_DEVICE_CLIENT_REGISTER_STATUS_CALLBACK reg_status_cb,
                                                  void *status_user_ctext);
void Prov_Device_LL_DoWork(PROV_DEVICE_LL_HANDLE handle);
PROV_DEVICE_RESULT Prov_Device_LL_SetOption(PROV_DEVICE_LL_HANDLE handle, const char *optionName,
                                            const void *value);
const char *Prov_Device_LL_GetVersionString(void);
PROV_DEVICE_RESULT Prov_Device_LL_Set_Provisioning_Payload(PROV_DEVICE_LL_HANDLE handle, const char *json);
const char *Prov_Device_LL_Get_Provisioning_Payload(PROV_DEVICE_LL_HANDLE handle);

#ifdef __cplusplus
}
#endif
