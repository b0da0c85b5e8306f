#!/usr/bin/env bash
# Configures and builds Centrix (Release) in build/. Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "${CENTRIX_BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "${CENTRIX_BUILD_DIR:-build}" -j "$jobs"
