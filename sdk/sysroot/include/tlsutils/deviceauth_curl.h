/* sphere-sdk: tlsutils/deviceauth_curl.h: mutual authentication for libcurl with the device certificate. */
#pragma once

#include <curl/curl.h>
#include <tlsutils/deviceauth.h>

#ifdef __cplusplus
extern "C" {
#endif

/// <summary>
///     Set as CURLOPT_SSL_CTX_FUNCTION: the transfer presents the device's client certificate (the TLS context
///     lives in the OS, so this is how the handle asks for it). Needs the DeviceAuthentication capability.
/// </summary>
CURLcode DeviceAuth_CurlSslFunc(CURL *curl, void *sslctx, void *userCtx);

#ifdef __cplusplus
}
#endif
