/* sphere-sdk libapplibs: UART (versioned config struct). */
#define UART_STRUCTS_VERSION 1
#include <applibs/uart.h>

#include "internal.h"

SPHERE_API int z__UART_InitConfig(struct z__UART_Config_Base *uartConfig, uint32_t uartConfigStructVersion)
{
    SPHERE_REQUIRE_PTR(uartConfig);
    if (uartConfigStructVersion != 1) {
        errno = EINVAL;
        return -1;
    }
    struct z__UART_Config_v1 *config = (struct z__UART_Config_v1 *)uartConfig;
    memset(config, 0, sizeof(*config));
    config->z__magicAndVersion = z__UART_CONFIG_MAGIC | uartConfigStructVersion;
    config->baudRate = 115200;
    config->blockingMode = UART_BlockingMode_NonBlocking;
    config->dataBits = UART_DataBits_Eight;
    config->parity = UART_Parity_None;
    config->stopBits = UART_StopBits_One;
    config->flowControl = UART_FlowControl_None;
    return 0;
}

SPHERE_API int z__UART_Open(UART_Id uartId, const struct z__UART_Config_Base *uartConfig)
{
    SPHERE_REQUIRE_PTR(uartConfig);
    if (uartConfig->z__magicAndVersion != (z__UART_CONFIG_MAGIC | 1)) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_uart_open(uartId, uartConfig));
}
