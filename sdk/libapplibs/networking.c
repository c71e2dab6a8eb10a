/* sphere-sdk libapplibs: networking. Configuration objects are filled in the app; Apply/Start pass them to
   the kernel in the layouts documented in sdk/ABI.md (IpConfig, DhcpServerConfig, ProxyConfig). */
#include <stdlib.h>

#include <applibs/networking.h>

#include "internal.h"

/* Layout of Networking_IpConfig's opaque storage (32 of its 40 bytes). */
typedef struct {
    uint32_t flags; /* bit 0: static IP, bit 1: custom DNS */
    uint32_t ip, subnetMask, gateway;
    uint32_t dnsCount;
    uint32_t dns[3];
} IpConfigImpl;

/* Layout of Networking_DhcpServerConfig's opaque storage (36 of its 64 bytes). */
typedef struct {
    uint32_t startIp, subnetMask, gateway, leaseTimeInHours;
    uint32_t ipAddressCount;
    uint32_t ntpCount;
    uint32_t ntp[3];
} DhcpConfigImpl;

/* Networking_ProxyConfig (648 bytes). */
struct Networking_ProxyConfig {
    uint32_t options;
    uint16_t port;
    int8_t type;
    int8_t authType;
    char address[PROXY_ADDRESS_MAX_LENGTH + 1];
    char noProxyAddresses[PROXY_NO_PROXY_ADDRESSES_MAX_LENGTH + 1];
    char username[PROXY_USERNAME_MAX_LENGTH + 1];
    char password[PROXY_PASSWORD_MAX_LENGTH + 1];
};

_Static_assert(sizeof(IpConfigImpl) <= sizeof(Networking_IpConfig), "IpConfig storage");
_Static_assert(sizeof(DhcpConfigImpl) <= sizeof(Networking_DhcpServerConfig), "DhcpServerConfig storage");
_Static_assert(sizeof(Networking_NetworkInterface) == 32, "Networking_NetworkInterface v1 is 32 bytes");

SPHERE_API int Networking_IsNetworkingReady(bool *outIsNetworkingReady)
{
    SPHERE_REQUIRE_PTR(outIsNetworkingReady);
    uint8_t ready = 0;
    if (__sphere_ret(__applibs_networking_is_ready(&ready)) < 0) {
        return -1;
    }
    *outIsNetworkingReady = ready != 0;
    return 0;
}

SPHERE_API ssize_t Networking_GetInterfaceCount(void)
{
    return __sphere_ret(__applibs_networking_get_interface_count());
}

SPHERE_API ssize_t z__Networking_GetInterfaces(struct z__Networking_NetworkInterface_Base *outNetworkInterfacesArray,
                                    size_t networkInterfacesArrayCount, uint32_t networkInterfaceStructVersion)
{
    SPHERE_REQUIRE_PTR(outNetworkInterfacesArray);
    if (networkInterfacesArrayCount == 0) {
        errno = ERANGE;
        return -1;
    }
    if (networkInterfaceStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    Networking_NetworkInterface *items = (Networking_NetworkInterface *)outNetworkInterfacesArray;
    memset(items, 0, networkInterfacesArrayCount * sizeof(*items));
    int32_t n = __sphere_ret(__applibs_networking_get_interfaces(items, networkInterfacesArrayCount));
    for (int32_t i = 0; i < n; i++) {
        items[i].z__magicAndVersion = z__NETWORKING_NETWORK_INTERFACE_STRUCT_MAGIC | 1;
    }
    return n;
}

SPHERE_API int Networking_SetInterfaceState(const char *networkInterfaceName, bool isEnabled)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    return __sphere_ret(__applibs_networking_set_interface_state(
        networkInterfaceName, __sphere_strlen(networkInterfaceName), isEnabled));
}

SPHERE_API int Networking_GetInterfaceConnectionStatus(const char *networkInterfaceName,
                                            Networking_InterfaceConnectionStatus *outStatus)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(outStatus);
    return __sphere_ret(__applibs_networking_get_interface_connection_status(
        networkInterfaceName, __sphere_strlen(networkInterfaceName), outStatus));
}

SPHERE_API void Networking_IpConfig_Init(Networking_IpConfig *ipConfig)
{
    if (ipConfig != NULL) {
        memset(ipConfig, 0, sizeof(*ipConfig));
    }
}

SPHERE_API void Networking_IpConfig_Destroy(Networking_IpConfig *ipConfig)
{
    Networking_IpConfig_Init(ipConfig);
}

SPHERE_API void Networking_IpConfig_EnableDynamicIp(Networking_IpConfig *ipConfig)
{
    if (ipConfig != NULL) {
        ((IpConfigImpl *)ipConfig)->flags &= ~1u;
    }
}

SPHERE_API void Networking_IpConfig_EnableStaticIp(Networking_IpConfig *ipConfig, struct in_addr ipAddress,
                                        struct in_addr subnetMask, struct in_addr gatewayAddress)
{
    if (ipConfig != NULL) {
        IpConfigImpl *c = (IpConfigImpl *)ipConfig;
        c->flags |= 1u;
        c->ip = ipAddress.s_addr;
        c->subnetMask = subnetMask.s_addr;
        c->gateway = gatewayAddress.s_addr;
    }
}

SPHERE_API void Networking_IpConfig_EnableAutomaticDns(Networking_IpConfig *ipConfig)
{
    if (ipConfig != NULL) {
        IpConfigImpl *c = (IpConfigImpl *)ipConfig;
        c->flags &= ~2u;
        c->dnsCount = 0;
    }
}

SPHERE_API int Networking_IpConfig_EnableCustomDns(Networking_IpConfig *ipConfig, const struct in_addr *dnsServerAddresses,
                                        size_t serverCount)
{
    SPHERE_REQUIRE_PTR(ipConfig);
    if (serverCount > 0) {
        SPHERE_REQUIRE_PTR(dnsServerAddresses);
    }
    if (serverCount > 3) {
        errno = EINVAL;
        return -1;
    }
    IpConfigImpl *c = (IpConfigImpl *)ipConfig;
    for (size_t i = 0; i < serverCount; i++) {
        if (dnsServerAddresses[i].s_addr == INADDR_ANY) {
            errno = EINVAL;
            return -1;
        }
        c->dns[i] = dnsServerAddresses[i].s_addr;
    }
    c->flags |= 2u;
    c->dnsCount = serverCount;
    return 0;
}

SPHERE_API int Networking_IpConfig_Apply(const char *networkInterfaceName, const Networking_IpConfig *ipConfig)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(ipConfig);
    return __sphere_ret(__applibs_networking_ip_config_apply(networkInterfaceName,
                                                             __sphere_strlen(networkInterfaceName), ipConfig));
}

SPHERE_API int Networking_IpConfig_ReleaseIp(const char *networkInterfaceName)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    return __sphere_ret(
        __applibs_networking_ip_release(networkInterfaceName, __sphere_strlen(networkInterfaceName)));
}

SPHERE_API int Networking_IpConfig_RenewIp(const char *networkInterfaceName)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    return __sphere_ret(__applibs_networking_ip_renew(networkInterfaceName, __sphere_strlen(networkInterfaceName)));
}

SPHERE_API int Networking_TimeSync_SetEnabled(bool enabled)
{
    return __sphere_ret(__applibs_networking_timesync_set_enabled(enabled));
}

SPHERE_API int Networking_TimeSync_GetEnabled(bool *outIsEnabled)
{
    SPHERE_REQUIRE_PTR(outIsEnabled);
    uint8_t enabled = 0;
    if (__sphere_ret(__applibs_networking_timesync_get_enabled(&enabled)) < 0) {
        return -1;
    }
    *outIsEnabled = enabled != 0;
    return 0;
}

SPHERE_API int Networking_TimeSync_EnableDefaultNtp(void)
{
    return __sphere_ret(__applibs_networking_timesync_enable_default_ntp());
}

SPHERE_API int Networking_TimeSync_EnableAutomaticNtp(Networking_NtpOption option)
{
    return __sphere_ret(__applibs_networking_timesync_enable_automatic_ntp(option));
}

SPHERE_API int Networking_TimeSync_EnableCustomNtp(const char *primaryNtpServer, const char *secondaryNtpServer,
                                        Networking_NtpOption option)
{
    SPHERE_REQUIRE_PTR(primaryNtpServer);
    return __sphere_ret(__applibs_networking_timesync_enable_custom_ntp(
        primaryNtpServer, __sphere_strlen(primaryNtpServer), secondaryNtpServer,
        __sphere_strlen(secondaryNtpServer), option));
}

SPHERE_API int Networking_TimeSync_GetLastNtpSyncInfo(char *outNtpServer, size_t *inOutNtpServerLength,
                                           struct tm *outTimeBeforeSync, struct tm *outNtpTime)
{
    if (outNtpServer != NULL && inOutNtpServerLength == NULL) {
        errno = EFAULT;
        return -1;
    }
    uint32_t length = inOutNtpServerLength != NULL ? *inOutNtpServerLength : 0;
    int32_t r = __sphere_ret(__applibs_networking_timesync_get_last_ntp_sync_info(
        outNtpServer, inOutNtpServerLength != NULL ? &length : NULL, outTimeBeforeSync, outNtpTime));
    if (inOutNtpServerLength != NULL) {
        *inOutNtpServerLength = length;
    }
    return r < 0 ? -1 : 0;
}

SPHERE_API void Networking_SntpServerConfig_Init(Networking_SntpServerConfig *sntpServerConfig)
{
    if (sntpServerConfig != NULL) {
        memset(sntpServerConfig, 0, sizeof(*sntpServerConfig));
    }
}

SPHERE_API void Networking_SntpServerConfig_Destroy(Networking_SntpServerConfig *sntpServerConfig)
{
    Networking_SntpServerConfig_Init(sntpServerConfig);
}

SPHERE_API int Networking_SntpServer_Start(const char *networkInterfaceName,
                                const Networking_SntpServerConfig *sntpServerConfig)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(sntpServerConfig);
    return __sphere_ret(
        __applibs_networking_sntp_server_start(networkInterfaceName, __sphere_strlen(networkInterfaceName)));
}

SPHERE_API void Networking_DhcpServerConfig_Init(Networking_DhcpServerConfig *dhcpServerConfig)
{
    if (dhcpServerConfig != NULL) {
        memset(dhcpServerConfig, 0, sizeof(*dhcpServerConfig));
    }
}

SPHERE_API void Networking_DhcpServerConfig_Destroy(Networking_DhcpServerConfig *dhcpServerConfig)
{
    Networking_DhcpServerConfig_Init(dhcpServerConfig);
}

SPHERE_API int Networking_DhcpServerConfig_SetLease(Networking_DhcpServerConfig *dhcpServerConfig,
                                         struct in_addr startIpAddress, uint8_t ipAddressCount,
                                         struct in_addr subnetMask, struct in_addr gatewayAddress,
                                         uint32_t leaseTimeInHours)
{
    SPHERE_REQUIRE_PTR(dhcpServerConfig);
    if (ipAddressCount == 0 || leaseTimeInHours == 0) {
        errno = EINVAL;
        return -1;
    }
    DhcpConfigImpl *c = (DhcpConfigImpl *)dhcpServerConfig;
    c->startIp = startIpAddress.s_addr;
    c->ipAddressCount = ipAddressCount;
    c->subnetMask = subnetMask.s_addr;
    c->gateway = gatewayAddress.s_addr;
    c->leaseTimeInHours = leaseTimeInHours;
    return 0;
}

SPHERE_API int Networking_DhcpServerConfig_SetNtpServerAddresses(Networking_DhcpServerConfig *dhcpServerConfig,
                                                      const struct in_addr *ntpServerAddresses,
                                                      size_t serverCount)
{
    SPHERE_REQUIRE_PTR(dhcpServerConfig);
    if (serverCount > 3) {
        errno = EINVAL;
        return -1;
    }
    if (serverCount > 0) {
        SPHERE_REQUIRE_PTR(ntpServerAddresses);
    }
    DhcpConfigImpl *c = (DhcpConfigImpl *)dhcpServerConfig;
    for (size_t i = 0; i < serverCount; i++) {
        c->ntp[i] = ntpServerAddresses[i].s_addr;
    }
    c->ntpCount = serverCount;
    return 0;
}

SPHERE_API int Networking_DhcpServer_Start(const char *networkInterfaceName,
                                const Networking_DhcpServerConfig *dhcpServerConfig)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(dhcpServerConfig);
    return __sphere_ret(__applibs_networking_dhcp_server_start(
        networkInterfaceName, __sphere_strlen(networkInterfaceName), dhcpServerConfig));
}

SPHERE_API int Networking_SetHardwareAddress(const char *networkInterfaceName, const uint8_t *hardwareAddress,
                                  size_t hardwareAddressLength)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(hardwareAddress);
    if (hardwareAddressLength > HARDWARE_ADDRESS_LENGTH) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_networking_set_hardware_address(
        networkInterfaceName, __sphere_strlen(networkInterfaceName), hardwareAddress, hardwareAddressLength));
}

SPHERE_API int Networking_GetHardwareAddress(const char *networkInterfaceName, Networking_Interface_HardwareAddress *outAddress)
{
    SPHERE_REQUIRE_PTR(networkInterfaceName);
    SPHERE_REQUIRE_PTR(outAddress);
    return __sphere_ret(__applibs_networking_get_hardware_address(
        networkInterfaceName, __sphere_strlen(networkInterfaceName), outAddress->address));
}

SPHERE_API Networking_ProxyConfig *Networking_Proxy_Create(void)
{
    Networking_ProxyConfig *config = calloc(1, sizeof(Networking_ProxyConfig));
    if (config == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    config->options = Networking_ProxyOptions_Enabled;
    config->type = Networking_ProxyType_HTTP;
    config->authType = Networking_ProxyAuthType_Anonymous;
    return config;
}

SPHERE_API void Networking_Proxy_Destroy(Networking_ProxyConfig *proxyConfig)
{
    free(proxyConfig);
}

SPHERE_API int Networking_Proxy_Apply(const Networking_ProxyConfig *proxyConfig)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    return __sphere_ret(__applibs_networking_proxy_apply(proxyConfig));
}

SPHERE_API int Networking_Proxy_Get(Networking_ProxyConfig *proxyConfig)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    return __sphere_ret(__applibs_networking_proxy_get(proxyConfig));
}

SPHERE_API int Networking_Proxy_SetProxyOptions(Networking_ProxyConfig *proxyConfig, Networking_ProxyOptions proxyOptions)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    proxyConfig->options = proxyOptions;
    return 0;
}

static int CopyBounded(char *dst, size_t capacity, const char *src)
{
    SPHERE_REQUIRE_PTR(src);
    size_t n = strnlen(src, capacity);
    if (n >= capacity) {
        errno = ERANGE;
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

SPHERE_API int Networking_Proxy_SetProxyAddress(Networking_ProxyConfig *proxyConfig, const char *proxyAddress,
                                     uint16_t proxyPort)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    if (CopyBounded(proxyConfig->address, sizeof(proxyConfig->address), proxyAddress) != 0) {
        return -1;
    }
    proxyConfig->port = proxyPort;
    return 0;
}

SPHERE_API int Networking_Proxy_SetAnonymousAuthentication(Networking_ProxyConfig *proxyConfig)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    proxyConfig->authType = Networking_ProxyAuthType_Anonymous;
    proxyConfig->username[0] = '\0';
    proxyConfig->password[0] = '\0';
    return 0;
}

SPHERE_API int Networking_Proxy_SetBasicAuthentication(Networking_ProxyConfig *proxyConfig, const char *username,
                                            const char *password)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    if (CopyBounded(proxyConfig->username, sizeof(proxyConfig->username), username) != 0 ||
        CopyBounded(proxyConfig->password, sizeof(proxyConfig->password), password) != 0) {
        return -1;
    }
    proxyConfig->authType = Networking_ProxyAuthType_Basic;
    return 0;
}

SPHERE_API int Networking_Proxy_SetProxyNoProxyAddresses(Networking_ProxyConfig *proxyConfig, const char *noProxyAddresses)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    return CopyBounded(proxyConfig->noProxyAddresses, sizeof(proxyConfig->noProxyAddresses), noProxyAddresses);
}

SPHERE_API int Networking_Proxy_GetProxyOptions(const Networking_ProxyConfig *proxyConfig,
                                     Networking_ProxyOptions *proxyOptions)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    SPHERE_REQUIRE_PTR(proxyOptions);
    *proxyOptions = proxyConfig->options;
    return 0;
}

#define PROXY_STRING_GETTER(name, field)                                   \
    SPHERE_API const char *name(const Networking_ProxyConfig *proxyConfig) \
    {                                                                      \
        if (proxyConfig == NULL) {                                         \
            errno = EFAULT;                                                \
            return NULL;                                                   \
        }                                                                  \
        return proxyConfig->field;                                         \
    }

PROXY_STRING_GETTER(Networking_Proxy_GetProxyAddress, address)
PROXY_STRING_GETTER(Networking_Proxy_GetProxyUsername, username)
PROXY_STRING_GETTER(Networking_Proxy_GetProxyPassword, password)
PROXY_STRING_GETTER(Networking_Proxy_GetNoProxyAddresses, noProxyAddresses)

SPHERE_API int Networking_Proxy_GetProxyPort(const Networking_ProxyConfig *proxyConfig, uint16_t *proxyPort)
{
    SPHERE_REQUIRE_PTR(proxyConfig);
    SPHERE_REQUIRE_PTR(proxyPort);
    *proxyPort = proxyConfig->port;
    return 0;
}

SPHERE_API Networking_ProxyType Networking_Proxy_GetProxyType(const Networking_ProxyConfig *proxyConfig)
{
    if (proxyConfig == NULL) {
        errno = EFAULT;
        return Networking_ProxyType_Invalid;
    }
    return proxyConfig->type;
}

SPHERE_API Networking_ProxyAuthType Networking_Proxy_GetAuthType(const Networking_ProxyConfig *proxyConfig)
{
    if (proxyConfig == NULL) {
        errno = EFAULT;
        return Networking_ProxyAuthType_Invalid;
    }
    return proxyConfig->authType;
}

SPHERE_API int Networking_Proxy_GetProxyStatus(Networking_ProxyStatus *proxyStatus)
{
    SPHERE_REQUIRE_PTR(proxyStatus);
    return __sphere_ret(__applibs_networking_proxy_get_status(proxyStatus));
}
