/* sphere-sdk applibs: network interfaces, IP configuration, time sync, SNTP/DHCP servers, proxy.
   These functions are not thread safe. NETWORKING_STRUCTS_VERSION defaults to 1. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <net/if.h>

#include <applibs/applibs_internal_api_traits.h>

#ifndef NETWORKING_STRUCTS_VERSION
#define NETWORKING_STRUCTS_VERSION 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t Networking_IpType_Type;
typedef enum { Networking_IpType_DhcpNone = 0, Networking_IpType_DhcpClient = 1 } Networking_IpType;

typedef uint8_t Networking_InterfaceMedium_Type;
typedef enum {
    Networking_InterfaceMedium_Unspecified = 0,
    Networking_InterfaceMedium_Wifi = 1,
    Networking_InterfaceMedium_Ethernet = 2
} Networking_InterfaceMedium;

typedef uint32_t Networking_InterfaceConnectionStatus;
enum {
    Networking_InterfaceConnectionStatus_InterfaceUp = 1 << 0,
    Networking_InterfaceConnectionStatus_ConnectedToNetwork = 1 << 1,
    Networking_InterfaceConnectionStatus_IpAvailable = 1 << 2,
    Networking_InterfaceConnectionStatus_ConnectedToInternet = 1 << 3
};

typedef uint32_t Networking_NtpOption;
enum { Networking_NtpOption_FallbackServerDisabled = 0, Networking_NtpOption_FallbackServerEnabled = 1 };

typedef uint32_t Networking_ProxyStatus;
enum {
    Networking_ProxyStatus_Enabled = 1 << 0,
    Networking_ProxyStatus_ResolvingProxyName = 1 << 1,
    Networking_ProxyStatus_Ready = 1 << 2
};

typedef uint32_t Networking_ProxyOptions;
enum { Networking_ProxyOptions_None = 1 << 0, Networking_ProxyOptions_Enabled = 1 << 1 };

typedef int8_t Networking_ProxyType;
enum { Networking_ProxyType_Invalid = -1, Networking_ProxyType_HTTP = 0 };

typedef int8_t Networking_ProxyAuthType;
enum {
    Networking_ProxyAuthType_Invalid = -1,
    Networking_ProxyAuthType_Anonymous = 0,
    Networking_ProxyAuthType_Basic = 1
};

#define HARDWARE_ADDRESS_LENGTH 6
#define PROXY_ADDRESS_MAX_LENGTH 255
#define PROXY_NO_PROXY_ADDRESSES_MAX_LENGTH 255
#define PROXY_USERNAME_MAX_LENGTH 63
#define PROXY_PASSWORD_MAX_LENGTH 63

/// Opaque IP configuration (initialise with Networking_IpConfig_Init).
typedef struct Networking_IpConfig {
    uint64_t reserved[5];
} Networking_IpConfig;

/// Opaque SNTP server configuration.
typedef struct Networking_SntpServerConfig {
    uint64_t reserved[3];
} Networking_SntpServerConfig;

/// Opaque DHCP server configuration.
typedef struct Networking_DhcpServerConfig {
    uint64_t reserved[8];
} Networking_DhcpServerConfig;

/// Opaque proxy configuration (Networking_Proxy_Create / Networking_Proxy_Destroy).
typedef struct Networking_ProxyConfig Networking_ProxyConfig;

typedef struct Networking_Interface_HardwareAddress {
    uint8_t address[HARDWARE_ADDRESS_LENGTH];
} Networking_Interface_HardwareAddress;

#include <applibs/networking_structs_v1.h>

#if NETWORKING_STRUCTS_VERSION == 1
typedef struct z__Networking_NetworkInterface_v1 Networking_NetworkInterface;
#else
#error Unsupported NETWORKING_STRUCTS_VERSION value. Only version 1 is currently supported.
#endif

/// true when an interface is up, connected, has an IP address and the time is synced.
int Networking_IsNetworkingReady(bool *outIsNetworkingReady);
ssize_t Networking_GetInterfaceCount(void);
static inline ssize_t Networking_GetInterfaces(Networking_NetworkInterface *outNetworkInterfacesArray,
                                               size_t networkInterfacesArrayCount);
int Networking_SetInterfaceState(const char *networkInterfaceName, bool isEnabled);
int Networking_GetInterfaceConnectionStatus(const char *networkInterfaceName,
                                            Networking_InterfaceConnectionStatus *outStatus);

void Networking_IpConfig_Init(Networking_IpConfig *ipConfig);
void Networking_IpConfig_Destroy(Networking_IpConfig *ipConfig);
void Networking_IpConfig_EnableDynamicIp(Networking_IpConfig *ipConfig);
void Networking_IpConfig_EnableStaticIp(Networking_IpConfig *ipConfig, struct in_addr ipAddress,
                                        struct in_addr subnetMask, struct in_addr gatewayAddress);
void Networking_IpConfig_EnableAutomaticDns(Networking_IpConfig *ipConfig);
int Networking_IpConfig_EnableCustomDns(Networking_IpConfig *ipConfig, const struct in_addr *dnsServerAddresses,
                                        size_t serverCount);
int Networking_IpConfig_Apply(const char *networkInterfaceName, const Networking_IpConfig *ipConfig);
/// DHCP release / renew of the interface's address (one argument, as in the Azure Sphere SDK).
int Networking_IpConfig_ReleaseIp(const char *networkInterfaceName);
int Networking_IpConfig_RenewIp(const char *networkInterfaceName);

int Networking_TimeSync_SetEnabled(bool enabled);
int Networking_TimeSync_GetEnabled(bool *outIsEnabled);
int Networking_TimeSync_EnableDefaultNtp(void);
int Networking_TimeSync_EnableAutomaticNtp(Networking_NtpOption option);
int Networking_TimeSync_EnableCustomNtp(const char *primaryNtpServer, const char *secondaryNtpServer,
                                        Networking_NtpOption option);
int Networking_TimeSync_GetLastNtpSyncInfo(char *outNtpServer, size_t *inOutNtpServerLength,
                                           struct tm *outTimeBeforeSync, struct tm *outNtpTime);

void Networking_SntpServerConfig_Init(Networking_SntpServerConfig *sntpServerConfig);
void Networking_SntpServerConfig_Destroy(Networking_SntpServerConfig *sntpServerConfig);
int Networking_SntpServer_Start(const char *networkInterfaceName,
                                const Networking_SntpServerConfig *sntpServerConfig);

void Networking_DhcpServerConfig_Init(Networking_DhcpServerConfig *dhcpServerConfig);
void Networking_DhcpServerConfig_Destroy(Networking_DhcpServerConfig *dhcpServerConfig);
int Networking_DhcpServerConfig_SetLease(Networking_DhcpServerConfig *dhcpServerConfig,
                                         struct in_addr startIpAddress, uint8_t ipAddressCount,
                                         struct in_addr subnetMask, struct in_addr gatewayAddress,
                                         uint32_t leaseTimeInHours);
int Networking_DhcpServerConfig_SetNtpServerAddresses(Networking_DhcpServerConfig *dhcpServerConfig,
                                                      const struct in_addr *ntpServerAddresses,
                                                      size_t serverCount);
int Networking_DhcpServer_Start(const char *networkInterfaceName,
                                const Networking_DhcpServerConfig *dhcpServerConfig);

int Networking_SetHardwareAddress(const char *networkInterfaceName, const uint8_t *hardwareAddress,
                                  size_t hardwareAddressLength);
int Networking_GetHardwareAddress(const char *networkInterfaceName,
                                  Networking_Interface_HardwareAddress *outAddress);

Networking_ProxyConfig *Networking_Proxy_Create(void);
void Networking_Proxy_Destroy(Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_Apply(const Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_Get(Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_SetProxyOptions(Networking_ProxyConfig *proxyConfig, Networking_ProxyOptions proxyOptions);
int Networking_Proxy_SetProxyAddress(Networking_ProxyConfig *proxyConfig, const char *proxyAddress,
                                     uint16_t proxyPort);
int Networking_Proxy_SetAnonymousAuthentication(Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_SetBasicAuthentication(Networking_ProxyConfig *proxyConfig, const char *username,
                                            const char *password);
int Networking_Proxy_SetProxyNoProxyAddresses(Networking_ProxyConfig *proxyConfig, const char *noProxyAddresses);
int Networking_Proxy_GetProxyOptions(const Networking_ProxyConfig *proxyConfig,
                                     Networking_ProxyOptions *proxyOptions);
const char *Networking_Proxy_GetProxyAddress(const Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_GetProxyPort(const Networking_ProxyConfig *proxyConfig, uint16_t *proxyPort);
Networking_ProxyType Networking_Proxy_GetProxyType(const Networking_ProxyConfig *proxyConfig);
const char *Networking_Proxy_GetProxyUsername(const Networking_ProxyConfig *proxyConfig);
const char *Networking_Proxy_GetProxyPassword(const Networking_ProxyConfig *proxyConfig);
Networking_ProxyAuthType Networking_Proxy_GetAuthType(const Networking_ProxyConfig *proxyConfig);
const char *Networking_Proxy_GetNoProxyAddresses(const Networking_ProxyConfig *proxyConfig);
int Networking_Proxy_GetProxyStatus(Networking_ProxyStatus *proxyStatus);

#ifdef __cplusplus
}
#endif

#include <applibs/networking_internal.h>
