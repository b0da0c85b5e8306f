#!/usr/bin/env bash
# The speed benchmark in one command: builds and installs the Python package
# into .venv with the peers it races (scikit-learn, faiss-cpu, NumPy),
# installs Fashion-MNIST from Debian when missing, then runs bench/speed.py.
# Extra arguments go to bench/speed.py (--quick, --reps N, --skip-fashion, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ ! -d /usr/share/datasets/fashion-mnist ] && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q -r tests/python/requirements.txt faiss-cpu
.venv/bin/python -m pip install -q .
.venv/bin/python bench/speed.py "$@"
