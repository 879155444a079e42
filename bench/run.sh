#!/usr/bin/env bash
# The HTTP benchmarks against a throwaway PostgreSQL on loopback:
#   bash bench/run.sh              checkout, step by step (bench/http_bench.py)
#   bash bench/run.sh flash-sale   N shoppers racing for M units (bench/flash_sale.py)
#   bash bench/run.sh invoices     verify with tax documents on and off (bench/invoices_bench.py)
#   bash bench/run.sh settlements  recon lines matched per second, 1,000 and 10,000 a day
#   bash bench/run.sh outbound     1,000 events to 5 endpoints by two relay workers
# Results go to bench/results/ (ignored by git); exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
EXTRA_DEBIAN_PACKAGES=redis-server
source scripts/pg.sh
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres paycart
set +e
case "${1:-checkout}" in
  checkout) "$VENV/bin/python" bench/http_bench.py ;;
  flash-sale) "$VENV/bin/python" bench/flash_sale.py ;;
  invoices) "$VENV/bin/python" bench/invoices_bench.py ;;
  settlements) "$VENV/bin/python" bench/settlements_bench.py ;;
  outbound) "$VENV/bin/python" bench/outbound_bench.py ;;
  *) echo "usage: bash bench/run.sh [checkout|flash-sale|invoices|settlements|outbound]" >&2; exit 2 ;;
esac
status=$?
set -e
exit "$status"
