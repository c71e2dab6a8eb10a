/* sphere-sdk libapplibs: SPI master (versioned config and transfer structs). */
#define SPI_STRUCTS_VERSION 1
#include <applibs/spi.h>

#include "internal.h"

SPHERE_API int z__SPIMaster_InitConfig(z__SPIMaster_Config_Base *config, uint32_t structVersion)
{
    SPHERE_REQUIRE_PTR(config);
    if (structVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    struct z__SPIMaster_Config_v1 *v1 = (struct z__SPIMaster_Config_v1 *)config;
    v1->z__magicAndVersion = z__SPIMASTER_CONFIG_MAGIC | structVersion;
    v1->csPolarity = SPI_ChipSelectPolarity_ActiveLow;
    return 0;
}

SPHERE_API int z__SPIMaster_Open(SPI_InterfaceId interfaceId, SPI_ChipSelectId chipSelectId,
                      const z__SPIMaster_Config_Base *config)
{
    SPHERE_REQUIRE_PTR(config);
    if (config->z__magicAndVersion != (z__SPIMASTER_CONFIG_MAGIC | 1)) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_spi_open(interfaceId, chipSelectId, config));
}

SPHERE_API int SPIMaster_SetBusSpeed(int fd, uint32_t speedInHz)
{
    return __sphere_ret(__applibs_spi_set_bus_speed(fd, speedInHz));
}

SPHERE_API int SPIMaster_SetMode(int fd, SPI_Mode mode)
{
    return __sphere_ret(__applibs_spi_set_mode(fd, mode));
}

SPHERE_API int SPIMaster_SetBitOrder(int fd, SPI_BitOrder order)
{
    return __sphere_ret(__applibs_spi_set_bit_order(fd, order));
}

SPHERE_API int z__SPIMaster_InitTransfers(z__SPIMaster_Transfer_Base *transfers, size_t transferCount,
                               uint32_t transferStructVersion)
{
    SPHERE_REQUIRE_PTR(transfers);
    if (transferStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    struct z__SPIMaster_Transfer_v1 *v1 = (struct z__SPIMaster_Transfer_v1 *)transfers;
    for (size_t i = 0; i < transferCount; i++) {
        memset(&v1[i], 0, sizeof(v1[i]));
        v1[i].z__magicAndVersion = z__SPIMASTER_TRANSFER_MAGIC | transferStructVersion;
    }
    return 0;
}

SPHERE_API ssize_t z__SPIMaster_TransferSequential(int fd, const z__SPIMaster_Transfer_Base *transfers, size_t transferCount,
                                        uint32_t transferStructVersion)
{
    SPHERE_REQUIRE_PTR(transfers);
    if (transferStructVersion != 1 || transferCount == 0 || transferCount > SPI_MASTER_MAX_TRANSFERS) {
        errno = EINVAL;
        return -1;
    }
    const struct z__SPIMaster_Transfer_v1 *v1 = (const struct z__SPIMaster_Transfer_v1 *)transfers;
    for (size_t i = 0; i < transferCount; i++) {
        if (v1[i].z__magicAndVersion != (z__SPIMASTER_TRANSFER_MAGIC | 1)) {
            errno = EINVAL;
            return -1;
        }
    }
    return __sphere_ret_blocking(__applibs_spi_transfer_sequential(fd, transfers, transferCount));
}
