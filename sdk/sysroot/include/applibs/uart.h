/* sphere-sdk applibs: UART on an ISU. Capability: "Uart": ["ISU0", ...]. Requires UART_STRUCTS_VERSION (1),
   usually from the app's applibs_versions.h included first. After UART_Open the fd works with read/write/close
   and EventLoop_RegisterIo. */
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include <applibs/uart_config_v1.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int UART_Id;
typedef uint32_t UART_BaudRate_Type;

typedef uint8_t UART_BlockingMode_Type;
typedef enum { UART_BlockingMode_NonBlocking = 0 } UART_BlockingMode;

typedef uint8_t UART_DataBits_Type;
typedef enum {
    UART_DataBits_Five = 5,
    UART_DataBits_Six = 6,
    UART_DataBits_Seven = 7,
    UART_DataBits_Eight = 8
} UART_DataBits;

typedef uint8_t UART_Parity_Type;
typedef enum { UART_Parity_None = 0, UART_Parity_Even = 1, UART_Parity_Odd = 2 } UART_Parity;

typedef uint8_t UART_StopBits_Type;
typedef enum { UART_StopBits_One = 1, UART_StopBits_Two = 2 } UART_StopBits;

typedef uint8_t UART_FlowControl_Type;
typedef enum { UART_FlowControl_None = 0, UART_FlowControl_RTSCTS = 1, UART_FlowControl_XONXOFF = 2 } UART_FlowControl;

#if !defined(UART_STRUCTS_VERSION)
#error To use applibs/uart.h you must first #define UART_STRUCTS_VERSION to 1
#elif UART_STRUCTS_VERSION == 1
typedef struct z__UART_Config_v1 UART_Config;
#else
#error Unsupported UART_STRUCTS_VERSION: only version 1 is supported
#endif

/// Fills uartConfig with defaults (8 data bits, no parity, 1 stop bit, no flow control, non-blocking,
/// 115200 baud) and stamps its version. Call it before setting fields.
static inline void UART_InitConfig(UART_Config *uartConfig);

/// Opens a UART. Returns an fd, or -1 with errno: EACCES (not in the manifest's Uart list), ENODEV, EINVAL
/// (bad config), EBUSY (already open), EFAULT (config NULL).
static inline int UART_Open(UART_Id uartId, const UART_Config *uartConfig);

#ifdef __cplusplus
}
#endif

#include <applibs/uart_internal.h>
