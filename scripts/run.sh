#!/usr/bin/env bash
# Set up and run the service on the embedded default: SQLite, DEBUG on, sandbox providers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py seed_demo
exec "$VENV/bin/python" manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
