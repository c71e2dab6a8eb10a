/* sphere-sdk applibs: version 1 of the SPI structs (do not include directly). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct z__SPIMaster_Config_v1 {
    uint32_t z__magicAndVersion;
    SPI_ChipSelectPolarity csPolarity;
};

struct z__SPIMaster_Transfer_v1 {
    uint32_t z__magicAndVersion;
    SPI_TransferFlags flags;
    const uint8_t *writeData;
    uint8_t *readData;
    size_t length;
};
