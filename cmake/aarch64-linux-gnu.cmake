# Cross build for aarch64 (Neoverse N2 and friends); tests run under qemu-aarch64.
# See ../shared/arm-toolchain.md for the recipe and its traps.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Empty by default so that $QEMU_CPU chooses the emulated CPU at ctest time: the test script runs the
# same binaries at several CPU models and SVE vector lengths without rebuilding.
set(AARCH64_QEMU_CPU "" CACHE STRING "qemu-aarch64 -cpu value (empty: taken from \$QEMU_CPU)")
if(AARCH64_QEMU_CPU)
  set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64;-cpu;${AARCH64_QEMU_CPU};-L;/usr/aarch64-linux-gnu")
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64;-L;/usr/aarch64-linux-gnu")
endif()
