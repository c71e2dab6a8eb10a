/* sphere-sdk: azure_c_shared_utility's option names for IoTHubDeviceClient_LL_SetOption (public values). */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HTTP_PROXY_OPTIONS_TAG {
    const char *host_address;
    int port;
    const char *username;
    const char *password;
} HTTP_PROXY_OPTIONS;

#define OPTION_HTTP_PROXY "proxy_data"
#define OPTION_PROXY_HOST "proxy_address"
#define OPTION_PROXY_USERNAME "proxy_username"
#define OPTION_PROXY_PASSWORD "proxy_password"
#define SU_OPTION_X509_CERT "x509certificate"
#define SU_OPTION_X509_PRIVATE_KEY "x509privatekey"
#define OPTION_X509_ECC_CERT "x509EccCertificate"
#define OPTION_X509_ECC_KEY "x509EccAliasKey"
#define OPTION_CURL_LOW_SPEED_LIMIT "CURLOPT_LOW_SPEED_LIMIT"
#define OPTION_CURL_LOW_SPEED_TIME "CURLOPT_LOW_SPEED_TIME"
#define OPTION_CURL_FRESH_CONNECT "CURLOPT_FRESH_CONNECT"
#define OPTION_CURL_FORBID_REUSE "CURLOPT_FORBID_REUSE"
#define OPTION_CURL_VERBOSE "CURLOPT_VERBOSE"
#define OPTION_NET_INT_MAC_ADDRESS "net_interface_mac_address"
#define OPTION_TLS_VERSION "tls_version"
#define OPTION_ADDRESS_TYPE "ADDRESS_TYPE"
#define OPTION_ADDRESS_TYPE_DOMAIN_SOCKET "DOMAIN_SOCKET"
#define OPTION_ADDRESS_TYPE_IP_SOCKET "IP_SOCKET"

#ifdef __cplusplus
}
#endif
