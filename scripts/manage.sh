#!/usr/bin/env bash
# Run a Django management command with the project's virtualenv (created on first use):
#   ./scripts/manage.sh reconcile_payments --older-than 900
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
exec "$VENV/bin/python" manage.py "$@"
