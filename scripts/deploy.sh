#!/usr/bin/env bash
# deploy/compose.yaml on one host, as docs/deployment.md says (run it from the repository):
#   init             make deploy/.env (from .env.example: fill in every empty value),
#                    deploy/stack.env (the stack's ports and images, a new PostgreSQL
#                    password) and deploy/tls/; never overwrites any of them
#   images           build paycart:local; pull PostgreSQL, Redis and nginx, or where they
#                    cannot be pulled build them from Debian's packages (named in stack.env)
#   up               check the images, the TLS files and the configuration (nothing starts
#                    while one is missing), migrate, start everything, wait until healthy
#   createsuperuser  the first staff user (asks; without a terminal it takes
#                    DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD)
#   manage ARGS…     python manage.py ARGS… in web1
#   status           every container and its state
#   upgrade IMAGE    the release step (migrate) with IMAGE, then web1 and web2 one at a time
#                    (nginx serves from the other meanwhile), then the worker and beat
#   rollback         back to the image that ran before the last upgrade (kept as
#                    PROJECT:previous), the same way
#   stop             stop every service, data kept (`up` starts them again)
#   down [-v]        remove the containers and the network (-v: the data volumes too)
# PAYCART_DEPLOY_DIR names another folder holding compose.yaml, nginx/, .env, stack.env and
# tls/ (the smoke test's throwaway copy); the default is deploy/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath "${PAYCART_DEPLOY_DIR:-deploy}")
source scripts/engine.sh
# A roll waits this long for each service to become healthy.
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-240}

say() { echo "== $*"; }
fail() { echo "deploy: $*" >&2; exit 1; }
secret() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }

set_var() {  # NAME VALUE into stack.env, replacing the line that sets it
  if grep -q "^$1=" "$dir/stack.env"; then
    sed -i "s|^$1=.*|$1=$2|" "$dir/stack.env"
  else
    echo "$1=$2" >>"$dir/stack.env"
  fi
  export "$1=$2"
}

load_stack() {
  [ -f "$dir/.env" ] && [ -f "$dir/stack.env" ] \
    || fail "$dir/.env or $dir/stack.env is missing: run ./scripts/deploy.sh init first"
  set -a
  source "$dir/stack.env"
  set +a
  project=${COMPOSE_PROJECT_NAME:-paycart}
  kept=localhost/$project  # its :current and :previous images, one pair per stack
  if [ "$engine" = docker ]; then
    tool=(docker compose)
  elif [ -x .venv/bin/podman-compose ]; then
    tool=(.venv/bin/podman-compose)
  else
    # The podman-compose the suite proves (requirements-dev.txt), in a venv of its own.
    if [ ! -x .venv-deploy/bin/podman-compose ]; then
      pin=$(grep -i '^podman-compose==' requirements-dev.txt)
      echo "Installing $pin into .venv-deploy"
      python3 -m venv .venv-deploy 2>/dev/null || {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        rm -rf .venv-deploy && python3 -m venv .venv-deploy
      }
      .venv-deploy/bin/pip install -q --disable-pip-version-check "$pin"
    fi
    tool=(.venv-deploy/bin/podman-compose)
  fi
  compose=("${tool[@]}" -f "$dir/compose.yaml" -p "$project" --env-file "$dir/stack.env")
}

container() {  # the container of service $1
  "$engine" ps -a -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" | head -n 1
}

healthy() {  # podman 4.3 runs health checks from systemd timers a host may lack: ask
  if [ "$engine" = podman ]; then
    podman healthcheck run "$1" >/dev/null 2>&1
  else
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ]
  fi
}

wait_healthy() {  # every running container of the services named (all when none are)
  local services=("$@") service id name deadline=$((SECONDS + HEALTH_TIMEOUT))
  [ "$#" -gt 0 ] || services=(postgres redis web1 web2 worker beat sandbox nginx)
  for service in "${services[@]}"; do
    id=$(container "$service")
    [ -n "$id" ] || continue
    name=$("$engine" inspect -f '{{.Name}}' "$id")
    until healthy "$id"; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        "$engine" logs "$id" 2>&1 | tail -n 20
        fail "$name is not healthy after ${HEALTH_TIMEOUT}s"
      fi
      sleep 2
    done
    echo "healthy: $name"
  done
}

wait_released() {  # the release job (migrate) to its end
  local id state deadline=$((SECONDS + HEALTH_TIMEOUT))
  id=$(container migrate)
  while :; do
    state=$("$engine" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")
    case "$state" in
      "exited 0") echo "migrated"; return ;;
      exited*) "$engine" logs "$id" 2>&1 | tail -n 20; fail "the release job failed ($state)" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail "the release job did not finish in ${HEALTH_TIMEOUT}s"
    sleep 2
  done
}

images_here() {  # every image the stack runs is on this host, or say which is not
  local image missing=0
  for image in "${PAYCART_IMAGE:-paycart:local}" "${POSTGRES_IMAGE:-docker.io/library/postgres:15}" \
    "${REDIS_IMAGE:-docker.io/library/redis:7}" "${NGINX_IMAGE:-docker.io/library/nginx:1.27}"; do
    if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
      echo "deploy: the image $image is not on this host" >&2
      missing=1
    fi
  done
  [ "$missing" = 0 ] || fail "nothing started: ./scripts/deploy.sh images builds or pulls them"
}

configuration_ok() {  # the service's own start-up guard, run once before anything starts
  local out
  if ! out=$("$engine" run --rm --env-file "$dir/.env" \
    -e DATABASE_URL=postgres://paycart:unused@postgres:5432/paycart \
    -e REDIS_URL=redis://redis:6379/0 -e CELERY_BROKER_URL=redis://redis:6379/1 \
    "${PAYCART_IMAGE:-paycart:local}" python manage.py check 2>&1); then
    echo "$out" | grep -o 'Refusing to start: .*' >&2 || echo "$out" | tail -n 20 >&2
    fail "nothing started: fill in $dir/.env"
  fi
}

roll() {  # recreate each service with the image stack.env names, one at a time
  local service nginx
  for service in "$@"; do
    "${compose[@]}" up -d --no-deps --force-recreate --pull never "$service" >/dev/null 2>&1 \
      || fail "could not recreate $service"
    wait_healthy "$service"
    nginx=$(container nginx)
    # nginx resolved the web servers' names when it started: resolve the new address.
    if [[ "$service" == web* ]] && [ -n "$nginx" ]; then
      "$engine" exec "$nginx" nginx -s reload >/dev/null 2>&1
    fi
    echo "rolled: $service"
  done
}

tag_running_as_previous() {
  local running
  running=$("$engine" inspect -f '{{.Image}}' "$(container web1)") \
    || fail "web1 is not running: nothing to upgrade from"
  "$engine" tag "$running" "$kept:previous"
}

case "${1:-}" in
  init)
    if [ ! -f "$dir/.env" ]; then
      install -m 600 .env.example "$dir/.env"
      echo "made $dir/.env: fill in every empty value (docs/configuration.md)"
    fi
    if [ ! -f "$dir/stack.env" ]; then
      umask 077
      cat >"$dir/stack.env" <<STACK
# The stack's own settings, read by compose and ./scripts/deploy.sh (docs/deployment.md).
# Keep this file: it holds PostgreSQL's password, set once when the data volume is made.
COMPOSE_PROJECT_NAME=paycart
PAYCART_IMAGE=paycart:local
POSTGRES_PASSWORD=$(secret 24)
HTTP_PORT=80
HTTPS_PORT=443
TLS_DIR=./tls
PAYCART_SUBNET=10.89.77.0/24
STACK
      echo "made $dir/stack.env"
    fi
    mkdir -p "$dir/tls"
    ;;
  images)
    load_stack
    ./scripts/image.sh build
    standins=0
    for image in "${POSTGRES_IMAGE:-docker.io/library/postgres:15}" \
      "${REDIS_IMAGE:-docker.io/library/redis:7}" "${NGINX_IMAGE:-docker.io/library/nginx:1.27}"; do
      "$engine" image inspect "$image" >/dev/null 2>&1 && continue
      timeout 60 "$engine" pull -q "$image" >/dev/null 2>&1 && continue
      standins=1
    done
    if [ "$standins" = 1 ]; then
      say "images: PostgreSQL, Redis or nginx cannot be pulled: building them from Debian's packages"
      while IFS== read -r name value; do set_var "$name" "$value"; done \
        < <(./scripts/image.sh standins)
    fi
    images_here
    echo "images: ready"
    ;;
  up)
    load_stack
    images_here
    for file in fullchain.pem privkey.pem; do
      [ -r "$dir/${TLS_DIR:-./tls}/$file" ] \
        || fail "nothing started: no $file in $dir/${TLS_DIR:-./tls} (the certificate for your host name)"
    done
    configuration_ok
    say "up ($project)"
    "${compose[@]}" up -d --pull never >"$dir/up.log" 2>&1 || { tail -n 30 "$dir/up.log"; fail "up failed"; }
    wait_released
    wait_healthy
    say "$project is up: https://<your host>:${HTTPS_PORT:-443}/"
    ;;
  createsuperuser)
    load_stack
    if [ -t 0 ]; then
      "$engine" exec -it "$(container web1)" python manage.py createsuperuser
    else
      "$engine" exec -e DJANGO_SUPERUSER_EMAIL="${DJANGO_SUPERUSER_EMAIL:?set DJANGO_SUPERUSER_EMAIL}" \
        -e DJANGO_SUPERUSER_PASSWORD="${DJANGO_SUPERUSER_PASSWORD:?set DJANGO_SUPERUSER_PASSWORD}" \
        "$(container web1)" python manage.py createsuperuser --noinput
    fi
    ;;
  manage)
    load_stack
    shift
    "$engine" exec "$(container web1)" python manage.py "$@"
    ;;
  status)
    load_stack
    for id in $("$engine" ps -a -q --filter "label=com.docker.compose.project=$project"); do
      "$engine" inspect -f '{{.Name}}  {{.State.Status}}  {{.Config.Image}}  {{.Image}}' "$id"
    done
    ;;
  upgrade)
    load_stack
    new=${2:?usage: ./scripts/deploy.sh upgrade IMAGE}
    "$engine" image inspect "$new" >/dev/null 2>&1 || fail "the image $new is not on this host"
    tag_running_as_previous
    "$engine" tag "$new" "$kept:current"
    set_var PAYCART_IMAGE "localhost/$project:current"
    say "upgrade to $new: the release step, then one service at a time"
    "${compose[@]}" up -d --no-deps --force-recreate --pull never migrate >/dev/null 2>&1 \
      || fail "could not start the release job (migrate)"
    wait_released
    roll web1 web2 worker beat
    say "upgraded to $new (./scripts/deploy.sh rollback goes back)"
    ;;
  rollback)
    load_stack
    "$engine" image inspect "$kept:previous" >/dev/null 2>&1 \
      || fail "no earlier image: nothing has been upgraded on this host"
    back=$("$engine" image inspect -f '{{.Id}}' "$kept:previous")
    tag_running_as_previous  # so a second rollback returns to it
    "$engine" tag "$back" "$kept:current"
    set_var PAYCART_IMAGE "localhost/$project:current"
    say "rollback: one service at a time (the schema stays: each release's migrations are safe for the one before)"
    roll web1 web2 worker beat
    say "rolled back"
    ;;
  stop)
    load_stack
    "${compose[@]}" stop >/dev/null 2>&1
    say "stopped ($project): data kept, ./scripts/deploy.sh up starts it again"
    ;;
  down)
    load_stack
    volumes=()
    [ "${2:-}" = -v ] && volumes=(-v)
    "${compose[@]}" down "${volumes[@]}" -t 10 >/dev/null 2>&1 || true
    "$engine" network rm -f "${project}_paycart" >/dev/null 2>&1 || true
    say "down ($project)"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
