#!/usr/bin/env bash
# Builds Centrix and runs its demo: the notebook-2d example, clustered, with
# outputs in centrix-demo/ (or the folder given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/centrix demo -o "${1:-centrix-demo}"
