#!/usr/bin/env bash
# Configures and builds one armory flavour into build/<flavour>:
#   native  Release build for this machine (the CLI, libarmory.so, tests, benchmarks)
#   asan    the tests with AddressSanitizer + UndefinedBehaviorSanitizer
#   aarch64 cross build for aarch64, tests run under qemu-aarch64
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-native}
jobs=${ARMORY_BUILD_JOBS:-$(nproc)}
case "$flavour" in
  native)  args=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 -g1 (line tables): what sanitizer reports need, at half the compile time of -O2 -g (the asan
  # build was the longest step of the test command).
  asan)    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                 -DARMORY_SANITIZE=ON -DARMORY_BUILD_BENCH=OFF) ;;
  aarch64) args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake) ;;
  *) echo "build.sh: unknown flavour '$flavour' (native, asan, aarch64)" >&2; exit 2 ;;
esac

mkdir -p build
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" > "build/.configure-$flavour.log" 2>&1 || {
  mkdir -p build; cat "build/.configure-$flavour.log" >&2; exit 1; }
cmake --build "build/$flavour" -j "$jobs"
