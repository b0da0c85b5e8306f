#!/usr/bin/env bash
# Builds Centrix with warnings as errors and runs every test: the C++ suite
# (ctest), then installs the Python package into a virtual environment
# (.venv) and runs the Python suite (pytest: the estimator, property tests,
# and the CLI and package against scikit-learn). With --sanitize, builds in build-sanitize/ under
# AddressSanitizer and UndefinedBehaviorSanitizer and runs the C++ suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

if [ "${1:-}" = "--sanitize" ]; then
  CENTRIX_BUILD_DIR=build-sanitize bash scripts/build.sh -DCENTRIX_WERROR=ON -DCENTRIX_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
  exit 0
fi

bash scripts/build.sh -DCENTRIX_WERROR=ON
ctest --test-dir build --output-on-failure -j "$jobs"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -r tests/python/requirements.txt
# The package, installed from this checkout as a user would (scikit-build-core + nanobind build the extension).
.venv/bin/python -m pip install -q .
CENTRIX_BIN="$PWD/build/centrix" .venv/bin/python -m pytest -q tests/python
