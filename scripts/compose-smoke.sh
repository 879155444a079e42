#!/usr/bin/env bash
# Prove deploy/compose.yaml on this host by running docs/deployment.md's blocks as the page
# shows them, with one real checkout, and leave nothing behind:
#   1. fill in what an operator fills in, in a throwaway copy of deploy/ (PAYCART_DEPLOY_DIR):
#      stack.env (free ports, a subnet of its own, the providers' sandbox beside the stack),
#      .env (test keys) and a self-signed certificate for localhost;
#   2. the block `deploy`: init, images (paycart:local built, each step shown; PostgreSQL,
#      Redis and nginx pulled or built from Debian's packages), up (migrated, every health
#      check passing), the first staff user;
#   3. the catalog; through nginx with TLS the staff user signs in to admin and a shopper
#      pays one Razorpay checkout (paid on the sandbox's page, verified by the stack);
#   4. the blocks `upgrade` and `rollback`, requests going through nginx all along (none may
#      fail), then `stop`;
#   5. take it all down: containers, volumes, network and the copy.
# SMOKE_KEEP=1 leaves the stack up (it prints how to take it down). Needs podman (Debian's
# 4.3.1 or later) and the podman-compose pinned in requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { "$VENV/bin/python" -c "import secrets; print(secrets.token_hex($1))"; }

work=$(mktemp -d /tmp/paycart-smoke.XXXXXX)
project=paycart-smoke-$$
export PAYCART_DEPLOY_DIR=$work
export DJANGO_SUPERUSER_EMAIL=ops@example.com DJANGO_SUPERUSER_PASSWORD=$(secret 12)
http_port=$(free_port) https_port=$(free_port) sandbox_port=$(free_port)
site=https://localhost:$https_port

take_down() {
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    echo "Left running. Take it down with: PAYCART_DEPLOY_DIR=$work ./scripts/deploy.sh down -v"
    return
  fi
  ./scripts/deploy.sh down -v || true
  podman rmi "localhost/$project:previous" "localhost/$project:current" paycart:next >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap take_down EXIT

# docs/deployment.md's block NAME, as the page shows it.
block() {
  awk -v marker="<!-- block: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' docs/deployment.md
}
run_block() {
  echo "== docs/deployment.md, block $1:"
  block "$1" | sed 's/^/   | /'
  bash -euo pipefail -c "$(block "$1")"
}
# Requests through nginx all through a roll: none may fail.
watch_start() {
  "$VENV/bin/python" scripts/smoke_watch.py --site "$site" --ca "$work/tls/fullchain.pem" --label "$1" &
  watcher=$!
  sleep 2
}
watch_stop() {
  kill -TERM "$watcher"
  wait "$watcher" || {
    podman logs "$(podman ps -q --filter "label=com.docker.compose.project=$project" \
      --filter label=com.docker.compose.service=nginx)" 2>&1 | grep -E '\[(error|warn)\]' | tail -n 20
    exit 1
  }
}

# What an operator fills in between `init` and `up`: the stack's settings, the service's
# (test keys, the sandbox beside the stack) and a certificate for localhost.
cp deploy/compose.yaml "$work/"
cp -r deploy/nginx "$work/"
mkdir "$work/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost \
  -keyout "$work/tls/privkey.pem" -out "$work/tls/fullchain.pem" 2>/dev/null
chmod 644 "$work/tls/privkey.pem"  # read by nginx in its container, a copy made for this run
cat >"$work/stack.env" <<STACK
COMPOSE_PROJECT_NAME=$project
COMPOSE_PROFILES=smoke
PAYCART_IMAGE=paycart:local
POSTGRES_PASSWORD=$(secret 16)
HTTP_PORT=$http_port
HTTPS_PORT=$https_port
SANDBOX_PORT=$sandbox_port
TLS_DIR=./tls
PAYCART_SUBNET=10.89.$((RANDOM % 200 + 30)).0/24
STACK
for name in POSTGRES_IMAGE REDIS_IMAGE NGINX_IMAGE; do  # images named by the caller
  [ -z "${!name:-}" ] || echo "$name=${!name}" >>"$work/stack.env"
done
cat >"$work/.env" <<ENV
DEBUG=0
SECRET_KEY=$(secret 40)
ALLOWED_HOSTS=localhost
FRONTEND_BASE_URL=$site/shop
CSRF_TRUSTED_ORIGINS=$site
METRICS_TOKEN=$(secret 24)
# As .env.example once had it: the compose network (nginx included) inside the allowed
# networks. Through nginx /metrics must still need the token (smoke_checkout.py asks).
METRICS_ALLOWED_NETWORKS=10.0.0.0/8
EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=/tmp/mail
PAYMENT_PROVIDERS=razorpay
RAZORPAY_KEY_ID=rzp_test_smoke$(secret 4)
RAZORPAY_KEY_SECRET=$(secret 16)
RAZORPAY_WEBHOOK_SECRET=$(secret 16)
RAZORPAY_BASE_URL=http://sandbox:8000/sandbox/razorpay
SANDBOX_ORIGIN=http://127.0.0.1:$sandbox_port
ENV

run_block deploy

echo "== the catalog, and one checkout through nginx with TLS"
./scripts/deploy.sh manage seed_demo
"$VENV/bin/python" scripts/smoke_checkout.py \
  --site "$site" --plain "http://localhost:$http_port" \
  --sandbox "http://127.0.0.1:$sandbox_port" --ca "$work/tls/fullchain.pem" \
  --staff "$DJANGO_SUPERUSER_EMAIL" --staff-password "$DJANGO_SUPERUSER_PASSWORD"

# What web1 runs, to see the upgrade change it and the rollback bring it back.
web1_image() {
  podman inspect -f '{{.Image}}' "$(podman ps -q --filter "label=com.docker.compose.project=$project" \
    --filter label=com.docker.compose.service=web1)"
}
before=$(web1_image)
watch_start upgrade
run_block upgrade
watch_stop
[ "$(web1_image)" = "$(podman image inspect -f '{{.Id}}' paycart:next)" ] && [ "$(web1_image)" != "$before" ] \
  || { echo "web1 does not run paycart:next after the upgrade"; exit 1; }
echo "web1 runs the new image: ${before:0:12} -> $(web1_image | cut -c1-12)"
watch_start rollback
run_block rollback
watch_stop
[ "$(web1_image)" = "$before" ] || { echo "web1 does not run the image before the upgrade"; exit 1; }
echo "web1 runs the image before the upgrade again: ${before:0:12}"
./scripts/deploy.sh status

run_block stop
running=$(podman ps -q --filter "label=com.docker.compose.project=$project")
[ -z "$running" ] || { echo "still running after stop: $running"; exit 1; }
echo "compose smoke: passed"
