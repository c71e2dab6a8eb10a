/* sphere-sdk applibs: versioned-struct plumbing for wificonfig.h (do not include directly). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define z__WIFICONFIG_STORED_NETWORK_STRUCT_MAGIC 0xb22e0000
#define z__WIFICONFIG_CONNECTED_NETWORK_STRUCT_MAGIC 0x09ef0000
#define z__WIFICONFIG_SCANNED_NETWORK_STRUCT_MAGIC 0x7eb10000

struct z__WifiConfig_StoredNetwork_Base {
    uint32_t z__magicAndVersion;
};
struct z__WifiConfig_ConnectedNetwork_Base {
    uint32_t z__magicAndVersion;
};
struct z__WifiConfig_ScannedNetwork_Base {
    uint32_t z__magicAndVersion;
};

ssize_t z__WifiConfig_GetStoredNetworks(struct z__WifiConfig_StoredNetwork_Base *storedNetworkArray,
                                        size_t storedNetworkArrayCount, uint32_t storedNetworkStructVersion);
int z__WifiConfig_GetCurrentNetwork(struct z__WifiConfig_ConnectedNetwork_Base *connectedNetwork,
                                    uint32_t connectedNetworkStructVersion);
ssize_t z__WifiConfig_GetScannedNetworks(struct z__WifiConfig_ScannedNetwork_Base *scannedNetworkArray,
                                         size_t scannedNetworkArrayCount, uint32_t scannedNetworkStructVersion);
int z__WifiConfig_ForgetNetwork(const struct z__WifiConfig_StoredNetwork_Base *storedNetwork,
                                uint32_t storedNetworkStructVersion);

static inline ssize_t WifiConfig_GetStoredNetworks(WifiConfig_StoredNetwork *storedNetworkArray,
                                                   size_t storedNetworkArrayCount)
{
    return z__WifiConfig_GetStoredNetworks((struct z__WifiConfig_StoredNetwork_Base *)storedNetworkArray,
                                           storedNetworkArrayCount, WIFICONFIG_STRUCTS_VERSION);
}

static inline int WifiConfig_GetCurrentNetwork(WifiConfig_ConnectedNetwork *connectedNetwork)
{
    return z__WifiConfig_GetCurrentNetwork((struct z__WifiConfig_ConnectedNetwork_Base *)connectedNetwork,
                                           WIFICONFIG_STRUCTS_VERSION);
}

static inline ssize_t WifiConfig_GetScannedNetworks(WifiConfig_ScannedNetwork *scannedNetworkArray,
                                                    size_t scannedNetworkArrayCount)
{
    return z__WifiConfig_GetScannedNetworks((struct z__WifiConfig_ScannedNetwork_Base *)scannedNetworkArray,
                                            scannedNetworkArrayCount, WIFICONFIG_STRUCTS_VERSION);
}

static inline int WifiConfig_ForgetNetwork(const WifiConfig_StoredNetwork *storedNetwork)
{
    return z__WifiConfig_ForgetNetwork((const struct z__WifiConfig_StoredNetwork_Base *)storedNetwork,
                                       WIFICONFIG_STRUCTS_VERSION);
}

#ifdef __cplusplus
}
#endif
