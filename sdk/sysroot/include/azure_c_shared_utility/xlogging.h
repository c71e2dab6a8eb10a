/* sphere-sdk: azure_c_shared_utility's logging macros (public names), writing to the app's log (Log_Debug). */
#pragma once

#include <applibs/log.h>

#define LogInfo(FORMAT, ...) Log_Debug("Info: " FORMAT "\n", ##__VA_ARGS__)
#define LogError(FORMAT, ...) Log_Debug("Error: " FORMAT "\n", ##__VA_ARGS__)
#define LogTrace(FORMAT, ...) Log_Debug(FORMAT "\n", ##__VA_ARGS__)
