/* sphere-sdk: the IoT Hub client's security set-up (public names). On Azure Sphere only X.509 (the device
   certificate) is available. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    IOTHUB_SECURITY_TYPE_UNKNOWN,
    IOTHUB_SECURITY_TYPE_SAS,
    IOTHUB_SECURITY_TYPE_X509,
    IOTHUB_SECURITY_TYPE_HTTP_EDGE,
    IOTHUB_SECURITY_TYPE_SYMMETRIC_KEY
} IOTHUB_SECURITY_TYPE;

int iothub_security_init(IOTHUB_SECURITY_TYPE sec_type);
void iothub_security_deinit(void);
IOTHUB_SECURITY_TYPE iothub_security_type(void);

#ifdef __cplusplus
}
#endif
