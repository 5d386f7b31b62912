#!/usr/bin/env bash
# Installs every system package armory needs, from Debian only. Idempotent: installs nothing when all
# packages are present, so it is cheap to run before every build.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ git pkg-config python3
  # header-only libraries and test/benchmark frameworks
  libcli11-dev nlohmann-json3-dev googletest libgtest-dev libbenchmark-dev
  # aarch64 cross build, run under emulation
  g++-aarch64-linux-gnu qemu-user
  # peers the benchmarks load at run time (dlopen), and oneDNN's header for its C API types
  libopenblas0-pthread libblis4-pthread libdnnl2 libdnnl-dev
  # BLAS/LAPACK drop-in: netlib cblas.h, reference LAPACK archive (linked with the gfortran runtime), the
  # netlib testers, and the numpy/scipy whose own test suites run on armory
  libblas-dev liblapack-dev gfortran libblas-test liblapack-test
  python3-numpy python3-scipy python3-pytest
  # the Python package
  python3-dev pybind11-dev
  # the inference engine's tests: ONNX's backend node tests, PyTorch/torchvision to export models and to
  # compare with, the onnx package to build test models; tcmalloc, the allocator PyTorch is measured with
  # (its best on CPU: glibc's malloc page-faults its activations afresh on every inference)
  libonnx-testdata python3-onnx python3-torch python3-torchvision libtcmalloc-minimal4
  # the workload suite: results database, the report checked in a headless browser, Prometheus scraping
  # `armory serve` in its test
  libsqlite3-dev chromium prometheus
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
