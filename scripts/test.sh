#!/usr/bin/env bash
# Run the whole test suite (lint, format, import layers, types, pytest) against a throwaway
# PostgreSQL that this script starts on a free port and removes afterwards. Installs what is
# missing: Python packages into .venv, and Debian's postgresql, redis-server (the Celery tests start their
# own throwaway Redis), nginx (the production-topology test runs scripts/serve.sh) and
# chromium (for the browser tests) and podman, runc, debootstrap and openssl (the image tests
# build and run the container image, and bring deploy/compose.yaml up with a certificate) and
# fonts-noto-core (the tax documents' PDFs in every Indian script).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
EXTRA_DEBIAN_PACKAGES="chromium redis-server nginx podman runc debootstrap openssl fonts-noto-core"
source scripts/pg.sh

echo "== ruff check"
"$VENV/bin/ruff" check .
echo "== ruff format --check"
"$VENV/bin/ruff" format --check .
echo "== lint-imports (the layers and contracts in pyproject.toml)"
"$VENV/bin/lint-imports"
echo "== mypy (the files pyproject.toml lists)"
"$VENV/bin/mypy"
echo "== pytest (PostgreSQL on 127.0.0.1:$port)"
set +e
"$VENV/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  # The whole suite collecting nothing is a broken suite; a subset asked for (-k, a path)
  # may simply match nothing.
  if [ "$#" -gt 0 ]; then
    echo "pytest collected no tests for: $*"
    rc=0
  else
    echo "pytest collected no tests: the suite is broken" >&2
  fi
fi
exit "$rc"
