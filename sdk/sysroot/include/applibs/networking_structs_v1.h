/* sphere-sdk applibs: version 1 of the networking structs (do not include directly). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

struct z__Networking_NetworkInterface_v1 {
    uint32_t z__magicAndVersion;
    bool isEnabled;
    char interfaceName[IF_NAMESIZE];
    uint32_t reserved;
    uint8_t ipConfigurationType;
    uint8_t interfaceMediumType;
};
