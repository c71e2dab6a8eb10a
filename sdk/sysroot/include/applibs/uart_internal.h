/* sphere-sdk applibs: versioned-struct plumbing for uart.h (do not include directly). */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define z__UART_CONFIG_MAGIC 0xde2a0000

struct z__UART_Config_Base {
    uint32_t z__magicAndVersion;
};

int z__UART_InitConfig(struct z__UART_Config_Base *uartConfig, uint32_t uartConfigStructVersion);
int z__UART_Open(UART_Id uartId, const struct z__UART_Config_Base *uartConfig);

static inline void UART_InitConfig(UART_Config *uartConfig)
{
    z__UART_InitConfig((struct z__UART_Config_Base *)uartConfig, UART_STRUCTS_VERSION);
}

static inline int UART_Open(UART_Id uartId, const UART_Config *uartConfig)
{
    return z__UART_Open(uartId, (const struct z__UART_Config_Base *)uartConfig);
}

#ifdef __cplusplus
}
#endif
