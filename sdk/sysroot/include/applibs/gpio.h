/* sphere-sdk applibs: general-purpose I/O. Capability: "Gpio": [ids or hardware-definition names]. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A GPIO number (MT3620_GPIOn in the hardware definition headers).
typedef int GPIO_Id;

/// A GPIO level, one of GPIO_Value.
typedef uint8_t GPIO_Value_Type;
typedef enum {
    GPIO_Value_Low = 0,
    GPIO_Value_High = 1
} GPIO_Value;

/// An output drive mode, one of GPIO_OutputMode.
typedef uint8_t GPIO_OutputMode_Type;
typedef enum {
    GPIO_OutputMode_PushPull = 0,
    GPIO_OutputMode_OpenDrain = 1,
    GPIO_OutputMode_OpenSource = 2
} GPIO_OutputMode;

/// Opens a GPIO as an input. Returns an fd, or -1 with errno: EACCES (not in the manifest's Gpio list),
/// ENODEV (no such GPIO), EBUSY (already open).
int GPIO_OpenAsInput(GPIO_Id gpioId);

/// Opens a GPIO as an output driven to initialValue. Returns an fd, or -1 with errno: EACCES, EBUSY, ENODEV,
/// EINVAL (bad outputMode or initialValue).
int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode, GPIO_Value_Type initialValue);

/// Reads the level of an input or output GPIO. Returns 0, or -1 with errno: EFAULT (outValue NULL), EBADF.
int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue);

/// Drives an output GPIO. Returns 0, or -1 with errno: EINVAL (value not a GPIO_Value), EBADF.
int GPIO_SetValue(int gpioFd, GPIO_Value_Type value);

#ifdef __cplusplus
}
#endif
