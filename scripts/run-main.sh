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
# armory's main job: GEMM, SVD and ResNet50 beside the peers on this machine (about 2-3 minutes on 2
# cores), stored in ~/.local/share/armory/bench.db, with the HTML report (`armory serve` shows it live).
./build/native/src/cli/armory bench --report build/report.html
