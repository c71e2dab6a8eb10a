/* sphere-sdk: option names for IoTHubDeviceClient_LL_SetOption (the Azure IoT C SDK's public values). What this
   OS's client does with each is in sdk/README.md ("Azure IoT"). */
#pragma once

#include <azure_c_shared_utility/shared_util_options.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct IOTHUB_PROXY_OPTIONS_TAG {
    const char *host_address;
    const char *username;
    const char *password;
} IOTHUB_PROXY_OPTIONS;

#define OPTION_RETRY_INTERVAL_SEC "retry_interval_sec"
#define OPTION_RETRY_MAX_DELAY_SECS "retry_max_delay_secs"
#define OPTION_LOG_TRACE "logtrace"
#define OPTION_X509_CERT "x509certificate"
#define OPTION_X509_PRIVATE_KEY "x509privatekey"
#define OPTION_KEEP_ALIVE "keepalive"
#define OPTION_CONNECTION_TIMEOUT "connect_timeout"
#define OPTION_PRODUCT_INFO "product_info"
#define OPTION_MESSAGE_TIMEOUT "messageTimeout"
#define OPTION_TRUSTED_CERT "TrustedCerts"
#define OPTION_AUTO_URL_ENCODE_DECODE "auto_url_encode_decode"
#define OPTION_MODEL_ID "model_id"
#define OPTION_CONTENT_TYPE "content_type"
#define OPTION_CONTENT_ENCODING "content_encoding"
#define OPTION_DO_WORK_FREQUENCY_IN_MS "do_work_freq_ms"
#define OPTION_SET_SAS_TOKEN_REFRESH_TIME "sas_token_refresh_time"
#define OPTION_SAS_TOKEN_LIFETIME "sas_token_lifetime"

#ifdef __cplusplus
}
#endif
