/* sphere-sdk libapplibs: I2C master. Read, Write and WriteThenRead are one applibs.i2c_transfer call each. */
#include <applibs/i2c.h>

#include "internal.h"

SPHERE_API int I2CMaster_Open(I2C_InterfaceId id)
{
    return __sphere_ret(__applibs_i2c_open(id));
}

SPHERE_API int I2CMaster_SetBusSpeed(int fd, uint32_t speedInHz)
{
    return __sphere_ret(__applibs_i2c_set_bus_speed(fd, speedInHz));
}

SPHERE_API int I2CMaster_SetTimeout(int fd, uint32_t timeoutInMs)
{
    return __sphere_ret(__applibs_i2c_set_timeout(fd, timeoutInMs));
}

SPHERE_API int I2CMaster_SetDefaultTargetAddress(int fd, I2C_DeviceAddress address)
{
    return __sphere_ret(__applibs_i2c_set_default_target_address(fd, address));
}

SPHERE_API ssize_t I2CMaster_Read(int fd, I2C_DeviceAddress address, uint8_t *buffer, size_t maxLength)
{
    if (buffer == NULL && maxLength != 0) {
        errno = EFAULT;
        return -1;
    }
    return __sphere_ret_blocking(__applibs_i2c_transfer(fd, address, NULL, 0, buffer, maxLength));
}

SPHERE_API ssize_t I2CMaster_Write(int fd, I2C_DeviceAddress address, const uint8_t *data, size_t length)
{
    if (data == NULL && length != 0) {
        errno = EFAULT;
        return -1;
    }
    return __sphere_ret_blocking(__applibs_i2c_transfer(fd, address, data, length, NULL, 0));
}

SPHERE_API ssize_t I2CMaster_WriteThenRead(int fd, I2C_DeviceAddress address, const uint8_t *writeData, size_t lenWriteData,
                                uint8_t *readData, size_t lenReadData)
{
    if ((writeData == NULL && lenWriteData != 0) || (readData == NULL && lenReadData != 0)) {
        errno = EFAULT;
        return -1;
    }
    return __sphere_ret_blocking(
        __applibs_i2c_transfer(fd, address, writeData, lenWriteData, readData, lenReadData));
}
