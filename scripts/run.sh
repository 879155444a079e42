#!/usr/bin/env bash
# Set up and run the service on the embedded default: SQLite, DEBUG on, sandbox providers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
port="${PORT:-8000}"
# The sandbox providers live on this same server, and the demo storefront is the frontend
# that payment redirects land on.
export PAYMENTS_SANDBOX=1
export SANDBOX_ORIGIN="${SANDBOX_ORIGIN:-http://127.0.0.1:$port}"
export FRONTEND_BASE_URL="${FRONTEND_BASE_URL:-http://127.0.0.1:$port/demo}"
"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py seed_demo
exec "$VENV/bin/python" manage.py runserver "${HOST:-127.0.0.1}:$port"
