# sphere-sdk: loaded by CMake after its platform files (CMAKE_USER_MAKE_RULES_OVERRIDE).
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_C ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".wasm")
