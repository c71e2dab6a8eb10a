/* sphere-sdk: azure_c_shared_utility's ThreadAPI (public names). Only ThreadAPI_Sleep: apps on Azure Sphere use
   the LL (single-threaded) client. */
#pragma once

#include <azure_macro_utils/macro_utils.h>

#ifdef __cplusplus
extern "C" {
#endif

#define THREADAPI_RESULT_VALUES THREADAPI_OK, THREADAPI_INVALID_ARG, THREADAPI_NO_MEMORY, THREADAPI_ERROR
MU_DEFINE_ENUM_WITHOUT_INVALID(THREADAPI_RESULT, THREADAPI_RESULT_VALUES)

/* Sleep the calling thread for `milliseconds`. */
void ThreadAPI_Sleep(unsigned int milliseconds);

#ifdef __cplusplus
}
#endif
