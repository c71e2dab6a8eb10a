/* sphere-sdk: the libcurl version the OS's library answers as (the API and numbering of curl 8.5.0). */
#pragma once

#define LIBCURL_COPYRIGHT "Daniel Stenberg, <daniel@haxx.se>."
#define LIBCURL_VERSION "8.5.0"
#define LIBCURL_VERSION_MAJOR 8
#define LIBCURL_VERSION_MINOR 5
#define LIBCURL_VERSION_PATCH 0
#define LIBCURL_VERSION_NUM 0x080500
#define CURL_VERSION_BITS(x, y, z) ((x) << 16 | (y) << 8 | (z))
#define CURL_AT_LEAST_VERSION(x, y, z) (LIBCURL_VERSION_NUM >= CURL_VERSION_BITS(x, y, z))
