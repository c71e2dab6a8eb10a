# sphere-sdk: CMake toolchain for Azure Sphere high-level apps, compiled to WebAssembly (wasm32-wasi).
#
# Point a project at it the way Azure Sphere projects expect:
#   AzureSphereDefaultSDKDir=<this sdk dir>   (the samples' CMakePresets.json read $env{AzureSphereDefaultSDKDir})
#   cmake --preset ARM-Debug && cmake --build out/ARM-Debug
# or -DCMAKE_TOOLCHAIN_FILE=<sdk>/CMakeFiles/AzureSphereToolchain.cmake.
#
# Needs Debian/Ubuntu packages: clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 cmake ninja-build.
# The first configure builds a clean sysroot (wasi-libc + the SDK's libapplibs) into a cache directory
# ($SPHERE_SDK_CACHE, else $SPHERE_HOME/sdk-cache, else ~/.cache/sphere-sdk), keyed by a hash of its inputs.

include_guard(GLOBAL)
cmake_minimum_required(VERSION 3.20)

get_filename_component(SPHERE_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(AZURE_SPHERE_SDK_PATH "${SPHERE_SDK_DIR}")

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_SYSTEM_VERSION 1)

include("${CMAKE_CURRENT_LIST_DIR}/SphereSysroot.cmake")
sphere_find_tools()
sphere_prepare_sysroot(SPHERE_SYSROOT)

set(CMAKE_C_COMPILER "${SPHERE_CLANG}")
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER "${SPHERE_CLANGXX}")
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_ASM_COMPILER "${SPHERE_CLANG}")
set(CMAKE_AR "${SPHERE_AR}" CACHE FILEPATH "sphere-sdk archiver")
set(CMAKE_RANLIB "${SPHERE_RANLIB}" CACHE FILEPATH "sphere-sdk ranlib")
set(CMAKE_SYSROOT "${SPHERE_SYSROOT}")
# The API set's sysroot as Azure Sphere projects name it (`${AZURE_SPHERE_API_SET_DIR}/usr/include/azureiot`).
set(AZURE_SPHERE_API_SET_DIR "${SPHERE_SYSROOT}")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SPHERE_SDK_CACHE_DIR)

set(CMAKE_FIND_ROOT_PATH "${SPHERE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The SDK's headers (applibs/*.h and the Linux headers wasi-libc lacks) come before wasi-libc's.
# -ffile-prefix-map keeps build paths out of the binary (reproducible builds).
set(_sphere_common_flags
    "-isystem \"${SPHERE_SDK_DIR}/sysroot/include\" -ffile-prefix-map=\"${SPHERE_SDK_DIR}\"=/sphere-sdk -fno-exceptions")
if(DEFINED CMAKE_SOURCE_DIR AND NOT CMAKE_SOURCE_DIR STREQUAL "")
    string(APPEND _sphere_common_flags " -ffile-prefix-map=\"${CMAKE_SOURCE_DIR}\"=.")
endif()
# GCC (the Azure Sphere compiler) only warns about `return value;` in a void function; clang refuses it by
# default, which would stop sample code that builds on the real SDK (the Iperf sample's iperf_free_test).
string(APPEND _sphere_common_flags " -Wno-error=return-type")
# Clang warns by default where the Azure Sphere SDK's GCC build of the same sample code does not: an enum value
# returned as another enum type (the AzureIoT sample returns IOTHUB_MESSAGE_OK as a disposition) and a
# `const unsigned char *` passed as `const char *`. They stay warnings under -Werror, as there.
string(APPEND _sphere_common_flags " -Wno-error=enum-conversion -Wno-error=pointer-sign")
set(CMAKE_C_FLAGS_INIT "${_sphere_common_flags}")
# C++ has no ARM format check (below): there "%u" of a size_t draws a -Wformat warning (size_t is unsigned long
# on wasm32), kept a warning under a project's -Werror.
set(CMAKE_CXX_FLAGS_INIT "${_sphere_common_flags} -Wno-error=format")

# printf formats are checked as on the device: on the ARM target size_t / ssize_t are unsigned int / int, on
# wasm32 clang fixes them as unsigned long / long (the type of sizeof too) with no option to change that, and a
# typedef would only move the mismatch to "%zu". So every C compile goes through sphere-cc-launcher.sh: the wasm32
# compile runs with -Wno-format, and a syntax-only pass of the same source and flags for arm-linux-musleabihf,
# over the same headers with ARM's type sizes, gives the format diagnostics (errors under a project's -Werror).
find_program(SPHERE_BASH NAMES bash NO_CMAKE_FIND_ROOT_PATH)
if(NOT SPHERE_BASH)
    message(FATAL_ERROR "sphere-sdk: bash was not found (the C compiler launcher needs it)")
endif()
set(CMAKE_C_COMPILER_LAUNCHER
    "${SPHERE_BASH};${CMAKE_CURRENT_LIST_DIR}/sphere-cc-launcher.sh;${SPHERE_CLANG};${SPHERE_SYSROOT}/include/arm-linux-musleabihf;${SPHERE_SYSROOT}/include/wasm32-wasi;--")
set(CMAKE_C_FLAGS_DEBUG_INIT "-g -O1")
set(CMAKE_C_FLAGS_RELEASE_INIT "-Os -DNDEBUG")
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-g -O2 -DNDEBUG")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Oz -DNDEBUG")

# A high-level app gets 256 KiB of RAM: cap the linear memory there, with a 64 KiB stack.
# sphere_unwind_area/size (libapplibs) are the exports the OS uses to suspend blocking calls; data starts at
# 4096 so the first page can fault on access as on ARM (libapplibs exports sphere_null_guard).
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-Wl,--max-memory=262144 -Wl,-z,stack-size=65536 -Wl,--global-base=4096 -Wl,--undefined=sphere_unwind_area -Wl,--undefined=sphere_unwind_size")
set(CMAKE_C_STANDARD_LIBRARIES_INIT "-lapplibs")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lapplibs")

# Executables are named <target>.wasm (set after the platform files load).
set(CMAKE_USER_MAKE_RULES_OVERRIDE "${CMAKE_CURRENT_LIST_DIR}/SphereRules.cmake")

include("${CMAKE_CURRENT_LIST_DIR}/AzureSphereFunctions.cmake")
