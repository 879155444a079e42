#!/usr/bin/env bash
# Run the checkout benchmark against a throwaway PostgreSQL; appends to bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
source scripts/pg.sh
"$VENV/bin/python" - <<PY
import psycopg2
conn = psycopg2.connect("${DATABASE_URL%/paycart}/postgres")
conn.autocommit = True
conn.cursor().execute("CREATE DATABASE paycart")
PY
exec "$VENV/bin/python" bench/checkout_bench.py
