#!/usr/bin/env bash
# The README's main command: install what is missing, build, and run armory's main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh native
bash scripts/install-python.sh
./build/native/src/cli/armory --version
./build/native/src/cli/armory cpu
./build/native/src/cli/armory blas status
# The doctor exits 1 when it finds a problem on this machine; that is its report, not a failure here.
./build/native/src/cli/armory doctor || true
