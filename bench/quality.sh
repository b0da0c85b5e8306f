#!/usr/bin/env bash
# The quality benchmark in one command: sets up .venv with the package and
# the peers it compares against (bench/run.sh), then runs bench/quality.py.
# Extra arguments go to bench/quality.py (--quick, --seeds N, --skip-fashion).
set -euo pipefail
exec bash "$(dirname "$0")/run.sh" quality.py "$@"
