/* sphere-sdk applibs: I2C master on an ISU. Capability: "I2cMaster": ["ISU0", ...]. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define I2C_BUS_SPEED_STANDARD 100000
#define I2C_BUS_SPEED_FAST 400000
#define I2C_BUS_SPEED_FAST_PLUS 1000000
#define I2C_BUS_SPEED_HIGH 3400000

typedef int I2C_InterfaceId;
typedef uint32_t I2C_DeviceAddress;

/// Opens an I2C master interface. Returns an fd, or -1 with errno EACCES (not in the manifest), ENODEV, EBUSY.
int I2CMaster_Open(I2C_InterfaceId id);

/// Sets the bus speed (MT3620: 100 kHz, 400 kHz, 1 MHz). Returns 0 / -1.
int I2CMaster_SetBusSpeed(int fd, uint32_t speedInHz);

/// Sets the transfer timeout (may be rounded). Returns 0 / -1.
int I2CMaster_SetTimeout(int fd, uint32_t timeoutInMs);

/// Reads up to maxLength bytes from address. Returns bytes read, or -1 with errno EBUSY, ENXIO (no ACK),
/// ETIMEDOUT.
ssize_t I2CMaster_Read(int fd, I2C_DeviceAddress address, uint8_t *buffer, size_t maxLength);

/// Writes length bytes to address. Returns bytes written, or -1 (EBUSY, ENXIO, ETIMEDOUT).
ssize_t I2CMaster_Write(int fd, I2C_DeviceAddress address, const uint8_t *data, size_t length);

/// Writes then reads in one transaction (repeated start). Returns bytes written + read, or -1.
ssize_t I2CMaster_WriteThenRead(int fd, I2C_DeviceAddress address, const uint8_t *writeData, size_t lenWriteData,
                                uint8_t *readData, size_t lenReadData);

/// Sets the target address used by read(2) / write(2) on the fd. Returns 0 / -1.
int I2CMaster_SetDefaultTargetAddress(int fd, I2C_DeviceAddress address);

#ifdef __cplusplus
}
#endif
