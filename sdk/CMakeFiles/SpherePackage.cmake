# sphere-sdk: image-package step, run with cmake -P after the app links (see azsphere_target_add_image_package).
#   1. stage approot<target>/: bin/app (the .wasm without debug sections), app_manifest.json, resource files;
#   2. write <package>.json describing the pack inputs;
#   3. unless SPHERE_PACKAGER=none (set by `sphere app build`, which packs in-process), run
#      `sphere image-package pack-application`.
cmake_minimum_required(VERSION 3.20)
include("${SPHERE_ARGS_FILE}")

file(REMOVE_RECURSE "${SPHERE_APPROOT}")
file(MAKE_DIRECTORY "${SPHERE_APPROOT}/bin")
if(SPHERE_OBJCOPY)
    execute_process(COMMAND "${SPHERE_OBJCOPY}" --strip-debug "${SPHERE_APP}" "${SPHERE_APPROOT}/bin/app"
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "sphere-sdk: stripping ${SPHERE_APP} failed: ${err}")
    endif()
else()
    file(COPY_FILE "${SPHERE_APP}" "${SPHERE_APPROOT}/bin/app")
endif()
file(COPY_FILE "${SPHERE_MANIFEST}" "${SPHERE_APPROOT}/app_manifest.json")
list(LENGTH SPHERE_RESOURCES count)
if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
        list(GET SPHERE_RESOURCES ${i} src)
        list(GET SPHERE_RESOURCE_NAMES ${i} rel)
        get_filename_component(dir "${SPHERE_APPROOT}/${rel}" DIRECTORY)
        file(MAKE_DIRECTORY "${dir}")
        file(COPY_FILE "${src}" "${SPHERE_APPROOT}/${rel}")
    endforeach()
endif()

set(hw_dirs ${SPHERE_HW_DIRECTORIES})
set(args --package-directory "${SPHERE_APPROOT}" --destination "${SPHERE_PACKAGE}"
         --application-manifest "${SPHERE_APPROOT}/app_manifest.json" --executables bin/app
         --target-api-set "${SPHERE_API_SET}")
set(json_dirs "")
if(SPHERE_HW_DEFINITION)
    get_filename_component(def_dir "${SPHERE_HW_DEFINITION}" DIRECTORY)
    get_filename_component(def_name "${SPHERE_HW_DEFINITION}" NAME)
    list(PREPEND hw_dirs "${def_dir}")
    list(REMOVE_DUPLICATES hw_dirs)
    foreach(dir IN LISTS hw_dirs)
        list(APPEND args --hardware-definitions "${dir}")
        string(APPEND json_dirs "\"${dir}\",")
    endforeach()
    list(APPEND args --target-definition-filename "${def_name}")
endif()
string(REGEX REPLACE ",$" "" json_dirs "${json_dirs}")
file(WRITE "${SPHERE_PACKAGE}.json" "{
  \"packageDirectory\": \"${SPHERE_APPROOT}\",
  \"destination\": \"${SPHERE_PACKAGE}\",
  \"applicationManifest\": \"${SPHERE_APPROOT}/app_manifest.json\",
  \"executables\": [\"bin/app\"],
  \"hardwareDefinitions\": [${json_dirs}],
  \"targetDefinitionFilename\": \"${def_name}\",
  \"targetApiSet\": \"${SPHERE_API_SET}\",
  \"app\": \"${SPHERE_APP}\"
}
")

if("$ENV{SPHERE_PACKAGER}" STREQUAL "none")
    return()
endif()
file(REMOVE "${SPHERE_PACKAGE}")
execute_process(COMMAND ${SPHERE_CLI} image-package pack-application ${args} --output none
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${SPHERE_CLI}")
    message(FATAL_ERROR "sphere-sdk: '${shown} image-package pack-application' failed (exit ${rc}):\n${err}${out}\n"
                        "Set SPHERE_CLI to the sphere CLI (bin/run.js of a built sphere-sdk) if it is elsewhere.")
endif()
