/* sphere-sdk libapplibs: Wi-Fi configuration. Network arrays are written by the kernel in the v1 layouts;
   the library stamps z__magicAndVersion on what it returns. */
#define WIFICONFIG_STRUCTS_VERSION 1
#include <applibs/wificonfig.h>

#include "internal.h"

_Static_assert(sizeof(WifiConfig_StoredNetwork) == 40, "StoredNetwork v1 is 40 bytes");
_Static_assert(sizeof(WifiConfig_ScannedNetwork) == 52, "ScannedNetwork v1 is 52 bytes");

#define MAX_STORED_NETWORKS 37

SPHERE_API int WifiConfig_StoreOpenNetwork(const uint8_t *ssid, size_t ssidLength)
{
    return WifiConfig_StoreWpa2Network(ssid, ssidLength, NULL, 0);
}

SPHERE_API int WifiConfig_StoreWpa2Network(const uint8_t *ssid, size_t ssidLength, const char *psk, size_t pskLength)
{
    SPHERE_REQUIRE_PTR(ssid);
    int id = WifiConfig_AddNetwork();
    if (id < 0) {
        return -1;
    }
    if (WifiConfig_SetSSID(id, ssid, ssidLength) != 0 ||
        WifiConfig_SetSecurityType(id, psk == NULL ? WifiConfig_Security_Open : WifiConfig_Security_Wpa2_Psk) != 0 ||
        (psk != NULL && WifiConfig_SetPSK(id, psk, pskLength) != 0) || WifiConfig_SetNetworkEnabled(id, true) != 0 ||
        WifiConfig_PersistConfig() != 0) {
        int saved = errno;
        WifiConfig_ForgetNetworkById(id);
        errno = saved;
        return -1;
    }
    return 0;
}

SPHERE_API int z__WifiConfig_ForgetNetwork(const struct z__WifiConfig_StoredNetwork_Base *storedNetwork,
                                uint32_t storedNetworkStructVersion)
{
    SPHERE_REQUIRE_PTR(storedNetwork);
    if (storedNetworkStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    const WifiConfig_StoredNetwork *wanted = (const WifiConfig_StoredNetwork *)storedNetwork;
    WifiConfig_StoredNetwork all[MAX_STORED_NETWORKS];
    ssize_t n = WifiConfig_GetStoredNetworks(all, MAX_STORED_NETWORKS);
    for (ssize_t i = 0; i < n; i++) {
        if (all[i].ssidLength == wanted->ssidLength && all[i].security == wanted->security &&
            memcmp(all[i].ssid, wanted->ssid, wanted->ssidLength) == 0) {
            return WifiConfig_ForgetNetworkById((int)i);
        }
    }
    if (n >= 0) {
        errno = ENOENT;
    }
    return -1;
}

SPHERE_API int WifiConfig_ForgetNetworkById(int networkId)
{
    return __sphere_ret(__applibs_wificonfig_forget_network_by_id(networkId));
}

SPHERE_API int WifiConfig_ForgetAllNetworks(void)
{
    return __sphere_ret(__applibs_wificonfig_forget_all_networks());
}

SPHERE_API ssize_t WifiConfig_GetStoredNetworkCount(void)
{
    return __sphere_ret(__applibs_wificonfig_get_stored_network_count());
}

static void Stamp(void *items, size_t size, int32_t count, uint32_t magic)
{
    for (int32_t i = 0; i < count; i++) {
        uint32_t value = magic | 1;
        memcpy((char *)items + (size_t)i * size, &value, sizeof(value));
    }
}

SPHERE_API ssize_t z__WifiConfig_GetStoredNetworks(struct z__WifiConfig_StoredNetwork_Base *storedNetworkArray,
                                        size_t storedNetworkArrayCount, uint32_t storedNetworkStructVersion)
{
    SPHERE_REQUIRE_PTR(storedNetworkArray);
    if (storedNetworkArrayCount == 0) {
        errno = ERANGE;
        return -1;
    }
    if (storedNetworkStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    int32_t n = __sphere_ret(__applibs_wificonfig_get_stored_networks(storedNetworkArray, storedNetworkArrayCount));
    Stamp(storedNetworkArray, sizeof(WifiConfig_StoredNetwork), n, z__WIFICONFIG_STORED_NETWORK_STRUCT_MAGIC);
    return n;
}

SPHERE_API int z__WifiConfig_GetCurrentNetwork(struct z__WifiConfig_ConnectedNetwork_Base *connectedNetwork,
                                    uint32_t connectedNetworkStructVersion)
{
    SPHERE_REQUIRE_PTR(connectedNetwork);
    if (connectedNetworkStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    int32_t r = __sphere_ret(__applibs_wificonfig_get_current_network(connectedNetwork));
    if (r < 0) {
        return -1;
    }
    Stamp(connectedNetwork, sizeof(WifiConfig_ConnectedNetwork), 1, z__WIFICONFIG_CONNECTED_NETWORK_STRUCT_MAGIC);
    return 0;
}

SPHERE_API int WifiConfig_GetConnectedNetworkId(void)
{
    return __sphere_ret(__applibs_wificonfig_get_connected_network_id());
}

SPHERE_API ssize_t WifiConfig_TriggerScanAndGetScannedNetworkCount(void)
{
    return __sphere_ret_blocking(__applibs_wificonfig_trigger_scan());
}

SPHERE_API ssize_t z__WifiConfig_GetScannedNetworks(struct z__WifiConfig_ScannedNetwork_Base *scannedNetworkArray,
                                         size_t scannedNetworkArrayCount, uint32_t scannedNetworkStructVersion)
{
    SPHERE_REQUIRE_PTR(scannedNetworkArray);
    if (scannedNetworkArrayCount == 0) {
        errno = ERANGE;
        return -1;
    }
    if (scannedNetworkStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    int32_t n =
        __sphere_ret(__applibs_wificonfig_get_scanned_networks(scannedNetworkArray, scannedNetworkArrayCount));
    Stamp(scannedNetworkArray, sizeof(WifiConfig_ScannedNetwork), n, z__WIFICONFIG_SCANNED_NETWORK_STRUCT_MAGIC);
    return n;
}

SPHERE_API int WifiConfig_AddNetwork(void)
{
    return __sphere_ret(__applibs_wificonfig_add_network());
}

SPHERE_API int WifiConfig_AddDuplicateNetwork(int networkId, const char *configName)
{
    SPHERE_REQUIRE_PTR(configName);
    return __sphere_ret(
        __applibs_wificonfig_add_duplicate_network(networkId, configName, __sphere_strlen(configName)));
}

SPHERE_API int WifiConfig_SetSSID(int networkId, const uint8_t *ssid, size_t ssidLength)
{
    SPHERE_REQUIRE_PTR(ssid);
    if (ssidLength == 0 || ssidLength > WIFICONFIG_SSID_MAX_LENGTH) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_wificonfig_set_ssid(networkId, ssid, ssidLength));
}

SPHERE_API int WifiConfig_SetSecurityType(int networkId, WifiConfig_Security_Type securityType)
{
    return __sphere_ret(__applibs_wificonfig_set_security_type(networkId, securityType));
}

SPHERE_API int WifiConfig_SetPSK(int networkId, const char *psk, size_t pskLength)
{
    SPHERE_REQUIRE_PTR(psk);
    if (pskLength > WIFICONFIG_WPA2_KEY_MAX_BUFFER_SIZE) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_wificonfig_set_psk(networkId, psk, pskLength));
}

SPHERE_API int WifiConfig_SetNetworkEnabled(int networkId, bool enabled)
{
    return __sphere_ret(__applibs_wificonfig_set_network_enabled(networkId, enabled));
}

SPHERE_API int WifiConfig_SetTargetedScanEnabled(int networkId, bool enabled)
{
    return __sphere_ret(__applibs_wificonfig_set_targeted_scan_enabled(networkId, enabled));
}

SPHERE_API int WifiConfig_SetConfigName(int networkId, const char *configName)
{
    SPHERE_REQUIRE_PTR(configName);
    if (strnlen(configName, WIFICONFIG_CONFIG_NAME_MAX_LENGTH + 1) > WIFICONFIG_CONFIG_NAME_MAX_LENGTH) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_wificonfig_set_config_name(networkId, configName, __sphere_strlen(configName)));
}

SPHERE_API int WifiConfig_GetNetworkIdByConfigName(const char *configName)
{
    SPHERE_REQUIRE_PTR(configName);
    return __sphere_ret(
        __applibs_wificonfig_get_network_id_by_config_name(configName, __sphere_strlen(configName)));
}

SPHERE_API int WifiConfig_SetClientIdentity(int networkId, const char *identity)
{
    SPHERE_REQUIRE_PTR(identity);
    if (strnlen(identity, WIFICONFIG_EAP_IDENTITY_MAX_LENGTH + 1) > WIFICONFIG_EAP_IDENTITY_MAX_LENGTH) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_wificonfig_set_client_identity(networkId, identity, __sphere_strlen(identity)));
}

SPHERE_API int WifiConfig_GetClientIdentity(int networkId, WifiConfig_ClientIdentity *outIdentity)
{
    SPHERE_REQUIRE_PTR(outIdentity);
    memset(outIdentity, 0, sizeof(*outIdentity));
    int32_t r = __sphere_ret(
        __applibs_wificonfig_get_client_identity(networkId, outIdentity->identity, WIFICONFIG_EAP_IDENTITY_MAX_LENGTH));
    return r < 0 ? -1 : 0;
}

SPHERE_API int WifiConfig_SetClientCertStoreIdentifier(int networkId, const char *certStoreIdentifier)
{
    SPHERE_REQUIRE_PTR(certStoreIdentifier);
    return __sphere_ret(__applibs_wificonfig_set_client_cert_store_identifier(
        networkId, certStoreIdentifier, __sphere_strlen(certStoreIdentifier)));
}

SPHERE_API int WifiConfig_GetClientCertStoreIdentifier(int networkId, CertStore_Identifier *outIdentifier)
{
    SPHERE_REQUIRE_PTR(outIdentifier);
    memset(outIdentifier, 0, sizeof(*outIdentifier));
    int32_t r = __sphere_ret(__applibs_wificonfig_get_client_cert_store_identifier(
        networkId, outIdentifier->identifier, CERTSTORE_MAX_IDENTIFIER_LENGTH));
    return r < 0 ? -1 : 0;
}

SPHERE_API int WifiConfig_SetRootCACertStoreIdentifier(int networkId, const char *certStoreIdentifier)
{
    SPHERE_REQUIRE_PTR(certStoreIdentifier);
    return __sphere_ret(__applibs_wificonfig_set_root_ca_cert_store_identifier(
        networkId, certStoreIdentifier, __sphere_strlen(certStoreIdentifier)));
}

SPHERE_API int WifiConfig_GetRootCACertStoreIdentifier(int networkId, CertStore_Identifier *outIdentifier)
{
    SPHERE_REQUIRE_PTR(outIdentifier);
    memset(outIdentifier, 0, sizeof(*outIdentifier));
    int32_t r = __sphere_ret(__applibs_wificonfig_get_root_ca_cert_store_identifier(
        networkId, outIdentifier->identifier, CERTSTORE_MAX_IDENTIFIER_LENGTH));
    return r < 0 ? -1 : 0;
}

SPHERE_API int WifiConfig_PersistConfig(void)
{
    return __sphere_ret(__applibs_wificonfig_persist_config());
}

SPHERE_API int WifiConfig_ReloadConfig(void)
{
    return __sphere_ret(__applibs_wificonfig_reload_config());
}

SPHERE_API int WifiConfig_GetNetworkDiagnostics(int networkId, WifiConfig_NetworkDiagnostics *networkDiagnostics)
{
    SPHERE_REQUIRE_PTR(networkDiagnostics);
    memset(networkDiagnostics, 0, sizeof(*networkDiagnostics));
    return __sphere_ret(__applibs_wificonfig_get_network_diagnostics(networkId, networkDiagnostics));
}

SPHERE_API int WifiConfig_SetPowerSavingsEnabled(bool enabled)
{
    return __sphere_ret(__applibs_wificonfig_set_power_savings_enabled(enabled));
}
