/* sphere-sdk: tlsutils/deviceauth.h: the device's client certificate for mutual TLS authentication.
   Using it needs the DeviceAuthentication capability (the tenant ID) in the app manifest. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// <summary>
///     The path of the device's client certificate (and its key), for CURLOPT_SSLCERT / CURLOPT_SSLKEY. The OS's
///     libcurl reads the device certificate for this path; without the DeviceAuthentication capability the
///     transfer fails with CURLE_SSL_CERTPROBLEM.
/// </summary>
const char *DeviceAuth_GetCertificatePath(void);

#ifdef __cplusplus
}
#endif
