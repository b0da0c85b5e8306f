#!/usr/bin/env bash
# Shared by the benchmark commands (speed.sh, quality.sh): installs what is
# missing from Debian (build dependencies, Fashion-MNIST), builds and
# installs the Python package into .venv with the peers (scikit-learn,
# faiss-cpu, NumPy), then runs bench/SCRIPT with the remaining arguments.
# Usage: bash bench/run.sh SCRIPT.py [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
script="$1"
shift
bash scripts/install-deps.sh
if [ ! -d /usr/share/datasets/fashion-mnist ] && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q -r tests/python/requirements.txt faiss-cpu
.venv/bin/python -m pip install -q .
.venv/bin/python "bench/$script" "$@"
