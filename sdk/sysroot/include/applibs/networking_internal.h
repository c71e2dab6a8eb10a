/* sphere-sdk applibs: versioned-struct plumbing for networking.h (do not include directly). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define z__NETWORKING_NETWORK_INTERFACE_STRUCT_MAGIC 0xfa9a0000

struct z__Networking_NetworkInterface_Base {
    uint32_t z__magicAndVersion;
};

ssize_t z__Networking_GetInterfaces(struct z__Networking_NetworkInterface_Base *outNetworkInterfacesArray,
                                    size_t networkInterfacesArrayCount, uint32_t networkInterfaceStructVersion);

static inline ssize_t Networking_GetInterfaces(Networking_NetworkInterface *outNetworkInterfacesArray,
                                               size_t networkInterfacesArrayCount)
{
    return z__Networking_GetInterfaces((struct z__Networking_NetworkInterface_Base *)outNetworkInterfacesArray,
                                       networkInterfacesArrayCount, NETWORKING_STRUCTS_VERSION);
}

#ifdef __cplusplus
}
#endif
