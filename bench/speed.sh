#!/usr/bin/env bash
# The speed benchmark in one command: sets up .venv with the package and the
# peers it races (bench/run.sh), then runs bench/speed.py.
# Extra arguments go to bench/speed.py (--quick, --reps N, --skip-fashion, ...).
set -euo pipefail
exec bash "$(dirname "$0")/run.sh" speed.py "$@"
