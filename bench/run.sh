#!/usr/bin/env bash
# The HTTP checkout benchmark (bench/http_bench.py) against a throwaway PostgreSQL on
# loopback. Results go to bench/results/ (ignored by git); exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
EXTRA_DEBIAN_PACKAGES=redis-server
source scripts/pg.sh
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres paycart
set +e
"$VENV/bin/python" bench/http_bench.py
status=$?
set -e
exit "$status"
