#!/usr/bin/env bash
# Set up and run the service on the embedded default: SQLite, DEBUG on, sandbox providers.
# Installs only what serving needs (requirements.txt; the test command adds its tools), then
# says where to go. Ctrl-C (or SIGTERM to this script) stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS=requirements.txt
source scripts/venv.sh
port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
site="http://127.0.0.1:$port"
# The sandbox providers live on this same server, and the demo storefront is the frontend
# that payment redirects land on.
export PAYMENTS_SANDBOX=1
export SANDBOX_ORIGIN="${SANDBOX_ORIGIN:-$site}"
export FRONTEND_BASE_URL="${FRONTEND_BASE_URL:-$site/demo}"
"$VENV/bin/python" manage.py migrate --noinput -v 0
"$VENV/bin/python" manage.py seed_demo

"$VENV/bin/python" manage.py runserver "$host:$port" &
server=$!
stop() {  # the autoreloader and the server it runs
  trap - INT TERM EXIT
  pkill -TERM -P "$server" 2>/dev/null || true
  kill -TERM "$server" 2>/dev/null || true
}
trap stop INT TERM EXIT
until "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('$site/api/health/live/', timeout=1)" 2>/dev/null; do
  kill -0 "$server" 2>/dev/null || exit 1  # it could not start: its error is above
  sleep 0.3
done
cat <<BANNER

  paycart is running at $site (SQLite, sandbox providers)
    demo storefront  $site/demo/     demo@example.com / demo-pass-123
    admin            $site/admin/    admin@example.com / admin-pass-123
    events received  $site/sandbox/receiver/
    API docs         $site/api/docs/
  Ctrl-C stops it.

BANNER
wait
