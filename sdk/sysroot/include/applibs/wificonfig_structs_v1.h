/* sphere-sdk applibs: version 1 of the Wi-Fi structs (do not include directly). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct z__WifiConfig_StoredNetwork_v1 {
    uint32_t z__magicAndVersion;
    uint8_t ssid[WIFICONFIG_SSID_MAX_LENGTH];
    uint8_t ssidLength;
    bool isEnabled;
    bool isConnected;
    WifiConfig_Security_Type security;
};

struct z__WifiConfig_ConnectedNetwork_v1 {
    uint32_t z__magicAndVersion;
    uint8_t ssid[WIFICONFIG_SSID_MAX_LENGTH];
    uint8_t bssid[WIFICONFIG_BSSID_BUFFER_SIZE];
    uint8_t ssidLength;
    WifiConfig_Security_Type security;
    uint32_t frequencyMHz;
    int8_t signalRssi;
};

struct z__WifiConfig_ScannedNetwork_v1 {
    uint32_t z__magicAndVersion;
    uint8_t ssid[WIFICONFIG_SSID_MAX_LENGTH];
    uint8_t bssid[WIFICONFIG_BSSID_BUFFER_SIZE];
    uint8_t ssidLength;
    WifiConfig_Security_Type security;
    uint32_t frequencyMHz;
    int8_t signalRssi;
};
