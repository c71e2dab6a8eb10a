/* sphere-sdk applibs: inter-app communication with real-time apps and device-auth status. */
#pragma once

#include <stdbool.h>

#include <applibs/applibs_internal_api_traits.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Connects to the real-time app componentId. Returns a socket fd (datagram-like: send/recv), or -1 with errno
/// EINVAL (bad component id), EACCES (not in the manifest's AllowedApplicationConnections).
int Application_Connect(const char *componentId);

/// Sets *outIsDeviceAuthReady to whether the device's authentication certificate is available.
/// Returns 0, or -1 with errno EFAULT.
int Application_IsDeviceAuthReady(bool *outIsDeviceAuthReady);

#ifdef __cplusplus
}
#endif
