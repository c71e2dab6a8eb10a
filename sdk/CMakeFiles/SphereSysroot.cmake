# sphere-sdk: find the WebAssembly tools and build the clean sysroot (wasi-libc + libapplibs).
include_guard(GLOBAL)

set(SPHERE_APT_PACKAGES "clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 cmake ninja-build")

function(_sphere_missing what packages)
    message(FATAL_ERROR
        "sphere-sdk: ${what} not found.\n"
        "Install the C toolchain: sudo apt-get install -y --no-install-recommends ${packages}")
endfunction()

# Sets SPHERE_CLANG, SPHERE_CLANGXX, SPHERE_AR, SPHERE_RANLIB, SPHERE_OBJCOPY, SPHERE_WASI_INCLUDE,
# SPHERE_WASI_LIB, SPHERE_CLANG_VERSION in the caller's scope.
macro(sphere_find_tools)
    find_program(SPHERE_CLANG NAMES clang-14 clang-15 clang-16 clang-19 clang NO_CMAKE_FIND_ROOT_PATH)
    if(NOT SPHERE_CLANG)
        _sphere_missing("clang" "${SPHERE_APT_PACKAGES}")
    endif()
    get_filename_component(_sphere_clang_real "${SPHERE_CLANG}" REALPATH)
    get_filename_component(_sphere_llvm_bin "${_sphere_clang_real}" DIRECTORY)
    find_program(SPHERE_CLANGXX NAMES clang++ clang++-14 HINTS "${_sphere_llvm_bin}" NO_CMAKE_FIND_ROOT_PATH)
    if(NOT SPHERE_CLANGXX)
        set(SPHERE_CLANGXX "${SPHERE_CLANG}")
    endif()
    find_program(SPHERE_AR NAMES llvm-ar llvm-ar-14 HINTS "${_sphere_llvm_bin}" NO_CMAKE_FIND_ROOT_PATH)
    find_program(SPHERE_RANLIB NAMES llvm-ranlib llvm-ranlib-14 HINTS "${_sphere_llvm_bin}" NO_CMAKE_FIND_ROOT_PATH)
    find_program(SPHERE_OBJCOPY NAMES llvm-objcopy llvm-objcopy-14 HINTS "${_sphere_llvm_bin}" NO_CMAKE_FIND_ROOT_PATH)
    if(NOT SPHERE_AR OR NOT SPHERE_RANLIB)
        _sphere_missing("llvm-ar (from clang's LLVM)" "${SPHERE_APT_PACKAGES}")
    endif()
    if(NOT EXISTS "${_sphere_llvm_bin}/wasm-ld")
        find_program(_sphere_wasm_ld NAMES wasm-ld wasm-ld-14 NO_CMAKE_FIND_ROOT_PATH)
        if(NOT _sphere_wasm_ld)
            _sphere_missing("wasm-ld (the WebAssembly linker)" "lld-14")
        endif()
    endif()
    execute_process(COMMAND "${SPHERE_CLANG}" --target=wasm32-wasi -print-libgcc-file-name
                    OUTPUT_VARIABLE _sphere_builtins OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _sphere_rc)
    if(NOT _sphere_rc EQUAL 0 OR NOT EXISTS "${_sphere_builtins}")
        _sphere_missing("the wasm32 compiler runtime (libclang_rt.builtins-wasm32.a)" "libclang-rt-14-dev-wasm32")
    endif()
    execute_process(COMMAND "${SPHERE_CLANG}" --version OUTPUT_VARIABLE _sphere_version_text)
    string(REGEX MATCH "clang version [0-9.]+" SPHERE_CLANG_VERSION "${_sphere_version_text}")
    set(SPHERE_WASI_INCLUDE "")
    foreach(_dir IN ITEMS "$ENV{WASI_SYSROOT}/include/wasm32-wasi" "$ENV{WASI_SYSROOT}/include"
                          /usr/include/wasm32-wasi /usr/share/wasi-sysroot/include/wasm32-wasi
                          /usr/share/wasi-sysroot/include)
        if(NOT SPHERE_WASI_INCLUDE AND EXISTS "${_dir}/wasi/api.h")
            set(SPHERE_WASI_INCLUDE "${_dir}")
        endif()
    endforeach()
    set(SPHERE_WASI_LIB "")
    foreach(_dir IN ITEMS "$ENV{WASI_SYSROOT}/lib/wasm32-wasi" "$ENV{WASI_SYSROOT}/lib"
                          /usr/lib/wasm32-wasi /usr/share/wasi-sysroot/lib/wasm32-wasi)
        if(NOT SPHERE_WASI_LIB AND EXISTS "${_dir}/libc.a" AND EXISTS "${_dir}/crt1-command.o")
            set(SPHERE_WASI_LIB "${_dir}")
        endif()
    endforeach()
    if(NOT SPHERE_WASI_INCLUDE OR NOT SPHERE_WASI_LIB)
        _sphere_missing("wasi-libc (headers and libc.a for wasm32-wasi)" "wasi-libc")
    endif()
endmacro()

# The cache directory for built sysroots.
function(_sphere_cache_dir out)
    if(DEFINED ENV{SPHERE_SDK_CACHE} AND NOT "$ENV{SPHERE_SDK_CACHE}" STREQUAL "")
        set(dir "$ENV{SPHERE_SDK_CACHE}")
    elseif(DEFINED ENV{SPHERE_HOME} AND NOT "$ENV{SPHERE_HOME}" STREQUAL "")
        set(dir "$ENV{SPHERE_HOME}/sdk-cache")
    elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
        set(dir "$ENV{XDG_CACHE_HOME}/sphere-sdk")
    else()
        set(dir "$ENV{HOME}/.cache/sphere-sdk")
    endif()
    set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# Builds (once per input hash) <cache>/sysroot-<hash>:
#   include/wasm32-wasi -> wasi-libc headers (symlink)
#   lib/wasm32-wasi/    -> wasi-libc's files (symlinks) + libapplibs.a + libgcc_s.a, libwolfssl.a, libcurl.a, libazureiot.a (empty)
#   usr/include         -> the SDK's headers (symlink): ${AZURE_SPHERE_API_SET_DIR}/usr/include as projects name it
#   include/arm-linux-musleabihf/bits/alltypes.h -> wasi-libc's, with the ARM target's type sizes (the format
#                          check, sphere-cc-launcher.sh, reads the wasi-libc headers through it)
# A private sysroot keeps clang from falling back to the host's glibc headers in /usr/include.
function(sphere_prepare_sysroot out_var)
    _sphere_cache_dir(cache)
    file(GLOB sources RELATIVE "${SPHERE_SDK_DIR}" "${SPHERE_SDK_DIR}/libapplibs/*.c" "${SPHERE_SDK_DIR}/libapplibs/*.h")
    file(GLOB_RECURSE headers RELATIVE "${SPHERE_SDK_DIR}" "${SPHERE_SDK_DIR}/sysroot/include/*.h")
    list(SORT sources)
    list(SORT headers)
    set(key_text "v3;${SPHERE_CLANG_VERSION};${SPHERE_WASI_INCLUDE};${SPHERE_WASI_LIB}")
    foreach(f IN LISTS sources headers)
        file(SHA256 "${SPHERE_SDK_DIR}/${f}" h)
        string(APPEND key_text ";${f}=${h}")
    endforeach()
    string(SHA256 key "${key_text}")
    string(SUBSTRING "${key}" 0 16 key)
    set(root "${cache}/sysroot-${key}")
    set(${out_var} "${root}" PARENT_SCOPE)
    if(EXISTS "${root}/.complete")
        return()
    endif()

    string(RANDOM LENGTH 8 suffix)
    set(tmp "${root}.tmp-${suffix}")
    file(REMOVE_RECURSE "${tmp}")
    file(MAKE_DIRECTORY "${tmp}/include" "${tmp}/lib/wasm32-wasi" "${tmp}/obj")
    file(CREATE_LINK "${SPHERE_WASI_INCLUDE}" "${tmp}/include/wasm32-wasi" SYMBOLIC)
    file(GLOB wasi_files "${SPHERE_WASI_LIB}/*")
    foreach(f IN LISTS wasi_files)
        get_filename_component(name "${f}" NAME)
        file(CREATE_LINK "${f}" "${tmp}/lib/wasm32-wasi/${name}" SYMBOLIC)
    endforeach()

    set(c_files "")
    foreach(f IN LISTS sources)
        if(f MATCHES "\\.c$")
            list(APPEND c_files "${SPHERE_SDK_DIR}/${f}")
        endif()
    endforeach()
    execute_process(
        COMMAND "${SPHERE_CLANG}" --target=wasm32-wasi "--sysroot=${tmp}" -isystem "${SPHERE_SDK_DIR}/sysroot/include"
                -Os -Wall -Werror=implicit-function-declaration "-ffile-prefix-map=${SPHERE_SDK_DIR}=/sphere-sdk"
                -c ${c_files}
        WORKING_DIRECTORY "${tmp}/obj"
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        file(REMOVE_RECURSE "${tmp}")
        message(FATAL_ERROR "sphere-sdk: building libapplibs failed:\n${out}${err}")
    endif()
    file(GLOB objects RELATIVE "${tmp}/obj" "${tmp}/obj/*.o")
    list(SORT objects)
    execute_process(COMMAND "${SPHERE_AR}" rcsD "${tmp}/lib/wasm32-wasi/libapplibs.a" ${objects}
                    WORKING_DIRECTORY "${tmp}/obj" RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        file(REMOVE_RECURSE "${tmp}")
        message(FATAL_ERROR "sphere-sdk: archiving libapplibs failed: ${err}")
    endif()
    # Azure Sphere projects link gcc_s by name; the wasm32 runtime lives in clang's builtins library.
    execute_process(COMMAND "${SPHERE_AR}" rcsD "${tmp}/lib/wasm32-wasi/libgcc_s.a" RESULT_VARIABLE rc)
    # wolfSSL and libcurl are OS libraries: their app-side calls are in libapplibs (wolfssl.c, curl.c); projects
    # link `wolfssl` and `curl` by name.
    execute_process(COMMAND "${SPHERE_AR}" rcsD "${tmp}/lib/wasm32-wasi/libwolfssl.a" RESULT_VARIABLE rc)
    execute_process(COMMAND "${SPHERE_AR}" rcsD "${tmp}/lib/wasm32-wasi/libcurl.a" RESULT_VARIABLE rc)
    # The Azure IoT C SDK is an OS library too (libapplibs' azureiot.c); projects link `azureiot` by name and add
    # ${AZURE_SPHERE_API_SET_DIR}/usr/include/{azureiot,azure_prov_client,azure_c_shared_utility} to their
    # include path, as the real SDK's sysroot lays them out.
    execute_process(COMMAND "${SPHERE_AR}" rcsD "${tmp}/lib/wasm32-wasi/libazureiot.a" RESULT_VARIABLE rc)
    # The ARM format check's types: wasi-libc's alltypes.h defines size_t, ssize_t, ptrdiff_t, intptr_t and
    # register_t over _Addr / _Reg, fixed as long / long long for wasm32; the Azure Sphere target's musl has int.
    file(READ "${SPHERE_WASI_INCLUDE}/bits/alltypes.h" alltypes)
    string(REPLACE "#define _Addr long\n" "#define _Addr int\n" arm_alltypes "${alltypes}")
    string(REPLACE "#define _Reg long long\n" "#define _Reg int\n" arm_alltypes "${arm_alltypes}")
    if(arm_alltypes STREQUAL alltypes OR NOT arm_alltypes MATCHES "#define _Reg int\n")
        file(REMOVE_RECURSE "${tmp}")
        message(FATAL_ERROR "sphere-sdk: ${SPHERE_WASI_INCLUDE}/bits/alltypes.h does not define _Addr / _Reg as "
                            "this SDK expects (#define _Addr long, #define _Reg long long): unsupported wasi-libc")
    endif()
    file(WRITE "${tmp}/include/arm-linux-musleabihf/bits/alltypes.h" "${arm_alltypes}")
    file(MAKE_DIRECTORY "${tmp}/usr")
    file(CREATE_LINK "${SPHERE_SDK_DIR}/sysroot/include" "${tmp}/usr/include" SYMBOLIC)
    file(REMOVE_RECURSE "${tmp}/obj")
    file(WRITE "${tmp}/.complete" "${key_text}\n")
    file(RENAME "${tmp}" "${root}" RESULT rename_rc)
    if(NOT rename_rc EQUAL 0)
        # Another configure finished first: use its copy.
        file(REMOVE_RECURSE "${tmp}")
    endif()
endfunction()
