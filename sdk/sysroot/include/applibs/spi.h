/* sphere-sdk applibs: SPI master on an ISU. Capability: "SpiMaster": ["ISU1", ...]. Requires SPI_STRUCTS_VERSION
   (1), usually from the app's applibs_versions.h included first. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Maximum number of transfers in one SPIMaster_TransferSequential call.
#define SPI_MASTER_MAX_TRANSFERS 256

typedef int SPI_InterfaceId;
typedef int SPI_ChipSelectId;

typedef enum SPI_Mode {
    SPI_Mode_Invalid = 0x0,
    SPI_Mode_0 = 0x1, /* CPOL 0, CPHA 0 */
    SPI_Mode_1 = 0x2, /* CPOL 0, CPHA 1 */
    SPI_Mode_2 = 0x3, /* CPOL 1, CPHA 0 */
    SPI_Mode_3 = 0x4  /* CPOL 1, CPHA 1 */
} SPI_Mode;

typedef enum SPI_BitOrder {
    SPI_BitOrder_Invalid = 0x0,
    SPI_BitOrder_LsbFirst = 0x1,
    SPI_BitOrder_MsbFirst = 0x2
} SPI_BitOrder;

typedef enum SPI_ChipSelectPolarity {
    SPI_ChipSelectPolarity_Invalid = 0x0,
    SPI_ChipSelectPolarity_ActiveLow = 0x1,
    SPI_ChipSelectPolarity_ActiveHigh = 0x2
} SPI_ChipSelectPolarity;

typedef enum SPI_TransferFlags {
    SPI_TransferFlags_None = 0x0,
    SPI_TransferFlags_Read = 0x1,
    SPI_TransferFlags_Write = 0x2
} SPI_TransferFlags;

#include <applibs/spi_structs_v1.h>

#if !defined(SPI_STRUCTS_VERSION)
#error To use applibs/spi.h you must first #define SPI_STRUCTS_VERSION to 1
#elif SPI_STRUCTS_VERSION == 1
typedef struct z__SPIMaster_Config_v1 SPIMaster_Config;
typedef struct z__SPIMaster_Transfer_v1 SPIMaster_Transfer;
#else
#error Unsupported SPI_STRUCTS_VERSION: only version 1 is supported
#endif

/// Fills config with defaults (chip select active low) and stamps its version. Returns 0 / -1.
static inline int SPIMaster_InitConfig(SPIMaster_Config *config);

/// Opens an SPI master interface with a chip select. Returns an fd, or -1 with errno EACCES (not in the
/// manifest), ENODEV, EBUSY, EINVAL, EFAULT. Initial settings: SPI_Mode_0, MSB first.
static inline int SPIMaster_Open(SPI_InterfaceId interfaceId, SPI_ChipSelectId chipSelectId,
                                 const SPIMaster_Config *config);

/// Sets the bus speed (the actual speed may be lower). Returns 0 / -1.
int SPIMaster_SetBusSpeed(int fd, uint32_t speedInHz);

/// Sets the clock mode. Returns 0 / -1.
int SPIMaster_SetMode(int fd, SPI_Mode mode);

/// Sets the bit order. Returns 0 / -1.
int SPIMaster_SetBitOrder(int fd, SPI_BitOrder order);

/// Stamps every element of transfers with its version (call before filling them). Returns 0 / -1.
static inline int SPIMaster_InitTransfers(SPIMaster_Transfer *transfers, size_t transferCount);

/// Runs half-duplex transfers in order as one transaction. Returns total bytes transferred, or -1.
static inline ssize_t SPIMaster_TransferSequential(int fd, const SPIMaster_Transfer *transfers,
                                                   size_t transferCount);

/// Writes then reads in one transaction. Returns total bytes, or -1 with errno EFAULT (a buffer NULL),
/// EINVAL (a length 0), or a transfer error.
static inline ssize_t SPIMaster_WriteThenRead(int fd, const uint8_t *writeData, size_t lenWriteData,
                                              uint8_t *readData, size_t lenReadData);

#ifdef __cplusplus
}
#endif

#include <applibs/spi_internal.h>
