/* sphere-sdk: azure_c_shared_utility's string map (Map_*, public names and signatures): a message's
   application properties. Like the SDK's own headers it brings in the C library's string, stdio and
   errno declarations. */
#pragma once

#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <azure_macro_utils/macro_utils.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAP_RESULT_VALUES MAP_OK, MAP_ERROR, MAP_INVALIDARG, MAP_KEYEXISTS, MAP_KEYNOTFOUND, MAP_FILTER_REJECT
MU_DEFINE_ENUM_WITHOUT_INVALID(MAP_RESULT, MAP_RESULT_VALUES)

typedef struct MAP_HANDLE_DATA_TAG *MAP_HANDLE;
/* Return non-zero to refuse a key/value pair. */
typedef int (*MAP_FILTER_CALLBACK)(const char *mapProperty, const char *mapValue);

MAP_HANDLE Map_Create(MAP_FILTER_CALLBACK mapFilterFunc);
void Map_Destroy(MAP_HANDLE handle);
MAP_HANDLE Map_Clone(MAP_HANDLE handle);
MAP_RESULT Map_Add(MAP_HANDLE handle, const char *key, const char *value);
MAP_RESULT Map_AddOrUpdate(MAP_HANDLE handle, const char *key, const char *value);
MAP_RESULT Map_Delete(MAP_HANDLE handle, const char *key);
MAP_RESULT Map_ContainsKey(MAP_HANDLE handle, const char *key, bool *keyExists);
MAP_RESULT Map_ContainsValue(MAP_HANDLE handle, const char *value, bool *valueExists);
const char *Map_GetValueFromKey(MAP_HANDLE handle, const char *key);
MAP_RESULT Map_GetInternals(MAP_HANDLE handle, const char *const **keys, const char *const **values,
                            size_t *count);

#ifdef __cplusplus
}
#endif
