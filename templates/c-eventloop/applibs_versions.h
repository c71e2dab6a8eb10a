#pragma once

// Versions of the applibs structs this app was written against. Include this file before any applibs header.
#define NETWORKING_STRUCTS_VERSION 1
#define WIFICONFIG_STRUCTS_VERSION 1
#define UART_STRUCTS_VERSION 1
#define SPI_STRUCTS_VERSION 1
