/* sphere-sdk applibs: Wi-Fi network configuration. Capability: "WifiConfig": true (EAP-TLS also
   "EnterpriseWifiConfig": true). WIFICONFIG_STRUCTS_VERSION: 1 (the default). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <applibs/applibs_internal_api_traits.h>
#include <applibs/certstore.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WIFICONFIG_SSID_MAX_LENGTH 32
#define WIFICONFIG_WPA2_KEY_MAX_BUFFER_SIZE 64
#define WIFICONFIG_BSSID_BUFFER_SIZE 6
#define WIFICONFIG_CONFIG_NAME_MAX_LENGTH 16
#define WIFICONFIG_EAP_IDENTITY_MAX_LENGTH 254

typedef uint8_t WifiConfig_Security_Type;
typedef enum {
    WifiConfig_Security_Unknown = 0,
    WifiConfig_Security_Open = 1,
    WifiConfig_Security_Wpa2_Psk = 2,
    WifiConfig_Security_Wpa2_EAP_TLS = 3
} WifiConfig_Security;

typedef struct WifiConfig_ClientIdentity {
    char identity[WIFICONFIG_EAP_IDENTITY_MAX_LENGTH + 1];
} WifiConfig_ClientIdentity;

typedef struct WifiConfig_NetworkDiagnostics {
    uint8_t isEnabled;
    uint8_t isConnected;
    int32_t error;
    time_t timestamp;
    int32_t certError;
    int32_t certDepth;
    CertStore_SubjectName certSubject;
} WifiConfig_NetworkDiagnostics;

#include <applibs/wificonfig_structs_v1.h>

/* As in the SDK's current header: version 1 unless the app's applibs_versions.h picks one (the LoggingToAzure
   sample's utils.c includes applibs/wificonfig.h without it). */
#ifndef WIFICONFIG_STRUCTS_VERSION
#define WIFICONFIG_STRUCTS_VERSION 1
#endif

#if WIFICONFIG_STRUCTS_VERSION == 1
typedef struct z__WifiConfig_StoredNetwork_v1 WifiConfig_StoredNetwork;
typedef struct z__WifiConfig_ConnectedNetwork_v1 WifiConfig_ConnectedNetwork;
typedef struct z__WifiConfig_ScannedNetwork_v1 WifiConfig_ScannedNetwork;
#else
#error To use applibs/wificonfig.h you must first #define a supported WIFICONFIG_STRUCTS_VERSION
#endif

int WifiConfig_StoreOpenNetwork(const uint8_t *ssid, size_t ssidLength)
    _AZSPHERE_DEPRECATED_BY(WifiConfig_AddNetwork);
int WifiConfig_StoreWpa2Network(const uint8_t *ssid, size_t ssidLength, const char *psk, size_t pskLength)
    _AZSPHERE_DEPRECATED_BY(WifiConfig_AddNetwork);
static inline int WifiConfig_ForgetNetwork(const WifiConfig_StoredNetwork *storedNetwork);
int WifiConfig_ForgetNetworkById(int networkId);
int WifiConfig_ForgetAllNetworks(void);
ssize_t WifiConfig_GetStoredNetworkCount(void);
static inline ssize_t WifiConfig_GetStoredNetworks(WifiConfig_StoredNetwork *storedNetworkArray,
                                                   size_t storedNetworkArrayCount);
static inline int WifiConfig_GetCurrentNetwork(WifiConfig_ConnectedNetwork *connectedNetwork);
int WifiConfig_GetConnectedNetworkId(void);
ssize_t WifiConfig_TriggerScanAndGetScannedNetworkCount(void);
static inline ssize_t WifiConfig_GetScannedNetworks(WifiConfig_ScannedNetwork *scannedNetworkArray,
                                                    size_t scannedNetworkArrayCount);
int WifiConfig_AddNetwork(void);
int WifiConfig_AddDuplicateNetwork(int networkId, const char *configName);
int WifiConfig_SetSSID(int networkId, const uint8_t *ssid, size_t ssidLength);
int WifiConfig_SetSecurityType(int networkId, WifiConfig_Security_Type securityType);
int WifiConfig_SetPSK(int networkId, const char *psk, size_t pskLength);
int WifiConfig_SetNetworkEnabled(int networkId, bool enabled);
int WifiConfig_SetTargetedScanEnabled(int networkId, bool enabled);
int WifiConfig_SetConfigName(int networkId, const char *configName);
int WifiConfig_GetNetworkIdByConfigName(const char *configName);
int WifiConfig_SetClientIdentity(int networkId, const char *identity);
int WifiConfig_GetClientIdentity(int networkId, WifiConfig_ClientIdentity *outIdentity);
int WifiConfig_SetClientCertStoreIdentifier(int networkId, const char *certStoreIdentifier);
int WifiConfig_GetClientCertStoreIdentifier(int networkId, CertStore_Identifier *outIdentifier);
int WifiConfig_SetRootCACertStoreIdentifier(int networkId, const char *certStoreIdentifier);
int WifiConfig_GetRootCACertStoreIdentifier(int networkId, CertStore_Identifier *outIdentifier);
int WifiConfig_PersistConfig(void);
int WifiConfig_ReloadConfig(void);
int WifiConfig_GetNetworkDiagnostics(int networkId, WifiConfig_NetworkDiagnostics *networkDiagnostics);
int WifiConfig_SetPowerSavingsEnabled(bool enabled);

#ifdef __cplusplus
}
#endif

#include <applibs/wificonfig_internal.h>
