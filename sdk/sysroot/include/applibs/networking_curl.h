/* sphere-sdk: applibs/networking_curl.h: apply the device's proxy settings to a curl handle.
   Needs the NetworkConfig or ReadNetworkProxyConfig capability (Networking_Proxy_Get decides). */
#pragma once

#include <errno.h>
#include <stdio.h>

#include <applibs/networking.h>
#include <curl/curl.h>

#ifdef __cplusplus
extern "C" {
#endif

/// <summary>
///     Applies the device's proxy configuration to <paramref name="curlHandle" />: nothing when no proxy is
///     configured or it is disabled; otherwise CURLOPT_PROXY, CURLOPT_PROXYPORT, CURLOPT_PROXYTYPE,
///     CURLOPT_NOPROXY and, for basic authentication, CURLOPT_PROXYUSERNAME / CURLOPT_PROXYPASSWORD.
///     Returns 0, or -1 with errno set (EFAULT: NULL handle; EACCES: no capability; others from
///     Networking_Proxy_Get).
/// </summary>
static inline int Networking_Curl_SetDefaultProxy(CURL *curlHandle)
{
    if (curlHandle == NULL) {
        errno = EFAULT;
        return -1;
    }
    Networking_ProxyConfig *config = Networking_Proxy_Create();
    if (config == NULL) {
        return -1;
    }
    int result = 0;
    if (Networking_Proxy_Get(config) == -1) {
        if (errno != ENOENT) {
            result = -1;
        }
        Networking_Proxy_Destroy(config);
        return result;
    }
    Networking_ProxyOptions options = 0;
    Networking_Proxy_GetProxyOptions(config, &options);
    if ((options & Networking_ProxyOptions_Enabled) != 0) {
        uint16_t port = 0;
        Networking_Proxy_GetProxyPort(config, &port);
        const char *address = Networking_Proxy_GetProxyAddress(config);
        const char *noProxy = Networking_Proxy_GetNoProxyAddresses(config);
        if (curl_easy_setopt(curlHandle, CURLOPT_PROXY, address) != CURLE_OK ||
            curl_easy_setopt(curlHandle, CURLOPT_PROXYPORT, (long)port) != CURLE_OK ||
            curl_easy_setopt(curlHandle, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP) != CURLE_OK ||
            (noProxy != NULL && curl_easy_setopt(curlHandle, CURLOPT_NOPROXY, noProxy) != CURLE_OK)) {
            errno = EINVAL;
            result = -1;
        } else if (Networking_Proxy_GetAuthType(config) == Networking_ProxyAuthType_Basic) {
            if (curl_easy_setopt(curlHandle, CURLOPT_PROXYUSERNAME, Networking_Proxy_GetProxyUsername(config)) !=
                    CURLE_OK ||
                curl_easy_setopt(curlHandle, CURLOPT_PROXYPASSWORD, Networking_Proxy_GetProxyPassword(config)) !=
                    CURLE_OK) {
                errno = EINVAL;
                result = -1;
            }
        }
    }
    Networking_Proxy_Destroy(config);
    return result;
}

#ifdef __cplusplus
}
#endif
