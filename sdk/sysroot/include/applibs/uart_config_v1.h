/* sphere-sdk applibs: version 1 of the UART configuration struct (do not include directly). */
#pragma once

#include <stdint.h>

struct z__UART_Config_v1 {
    uint32_t z__magicAndVersion;
    uint32_t baudRate;
    uint8_t blockingMode;
    uint8_t dataBits;
    uint8_t parity;
    uint8_t stopBits;
    uint8_t flowControl;
};
