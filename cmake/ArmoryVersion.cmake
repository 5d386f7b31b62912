# Generates armory/build_info.h at build time, so that `armory --version` names the commit that was
# really built, not the one present when CMake last configured.
set(ARMORY_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/generated/include)
file(MAKE_DIRECTORY ${ARMORY_GENERATED_INCLUDE}/armory)
add_custom_target(armory_build_info
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${ARMORY_GENERATED_INCLUDE}/armory/build_info.h
          -DVERSION=${PROJECT_VERSION}
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
          -DSANITIZE=${ARMORY_SANITIZE}
          -P ${CMAKE_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${ARMORY_GENERATED_INCLUDE}/armory/build_info.h
  COMMENT "armory: build info")
