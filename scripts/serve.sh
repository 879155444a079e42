#!/usr/bin/env bash
# The production topology on this machine, with DEBUG off:
#   nginx (load balancer, one port) → two gunicorn app servers
#   one Celery worker and Celery beat, a throwaway PostgreSQL and Redis,
#   the sandbox providers as their own process (standing in for Razorpay, PhonePe, Stripe).
# Ctrl-C or SIGTERM stops everything (bounded: see stop_processes), leaving its folder. SERVE_PORT picks the load balancer's port (default 8080);
# SERVE_DIR keeps logs, pids, mail and app.env (the app servers' environment) there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
EXTRA_DEBIAN_PACKAGES="redis-server nginx"
source scripts/pg.sh
pg_port=$port

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
lb_port=${SERVE_PORT:-8080}
app1_port=$(free_port); app2_port=$(free_port); sandbox_port=$(free_port); redis_port=$(free_port)
dir=${SERVE_DIR:-$(mktemp -d /tmp/paycart-serve.XXXXXX)}
rm -rf "$dir/metrics"  # counters start from zero with each start
mkdir -p "$dir/mail" "$dir/nginx" "$dir/metrics"
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres paycart

pids=() names=()
# Stopping is bounded: what has not stopped STOP_GRACE_SECONDS after its SIGTERM (gunicorn's
# own grace is 30 s) is killed, with its children, and named.
stop_processes() {
  local i pid deadline=$((SECONDS + ${STOP_GRACE_SECONDS:-40}))
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "${names[$i]} did not stop within ${STOP_GRACE_SECONDS:-40} s: killing it" >&2
      kill -STOP "$pid" 2>/dev/null || true  # so it forks no replacement meanwhile
      pkill -KILL -P "$pid" || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}
say_what_is_left() {  # runs once everything it started has stopped (cleanup runs newest first)
  echo "paycart stopped. Its logs, pids, mail and app.env are left in $dir (remove it when done)."
}
cleanup_steps+=(say_what_is_left stop_processes)
start() {  # start NAME COMMAND...: in the background, logging to $dir/NAME.log
  local name=$1; shift
  "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!) names+=("$name")
  echo $! >"$dir/$name.pid"
}

start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no

# What the providers' stand-in and the app agree on (test credentials only). The app reaches
# the stand-in through the load balancer, so the pages it hands browsers are public URLs.
sandbox="http://127.0.0.1:$lb_port/sandbox"
cat >"$dir/providers.env" <<ENV
export RAZORPAY_KEY_ID=rzp_test_localtopology RAZORPAY_KEY_SECRET=local-razorpay-secret
export RAZORPAY_WEBHOOK_SECRET=local-razorpay-webhook-secret
export PHONEPE_CLIENT_ID=LOCALCLIENT PHONEPE_CLIENT_SECRET=local-phonepe-secret PHONEPE_CLIENT_VERSION=1
export PHONEPE_ENV=UAT PHONEPE_WEBHOOK_USERNAME=localhook PHONEPE_WEBHOOK_PASSWORD=localhook123
export STRIPE_SECRET_KEY=sk_test_localtopology STRIPE_PUBLISHABLE_KEY=pk_test_localtopology
export STRIPE_WEBHOOK_SECRET=whsec_localtopology
export DATABASE_URL=$DATABASE_URL
export FRONTEND_BASE_URL=http://127.0.0.1:$lb_port/demo
ENV
cat >"$dir/app.env" <<ENV
source "$dir/providers.env"
export DEBUG=0 PAYMENTS_SANDBOX=0
export SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export ALLOWED_HOSTS=127.0.0.1,localhost
export CORS_ALLOWED_ORIGINS=http://127.0.0.1:$lb_port
export REDIS_URL=redis://127.0.0.1:$redis_port/0 CELERY_BROKER_URL=redis://127.0.0.1:$redis_port/1
# nginx on this host is the one load balancer whose X-Forwarded-* headers are believed.
export TRUSTED_PROXY_IPS=127.0.0.1 TRUSTED_PROXY_COUNT=1
# nginx here speaks plain HTTP on loopback; in production the load balancer terminates TLS.
export SECURE_SSL_REDIRECT=0
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=$dir/mail
export RAZORPAY_BASE_URL=$sandbox/razorpay PHONEPE_BASE_URL=$sandbox/phonepe STRIPE_API_BASE=$sandbox/stripe
export RECONCILE_EVERY_SECONDS=${RECONCILE_EVERY_SECONDS:-60}
export RECONCILE_OLDER_THAN_SECONDS=${RECONCILE_OLDER_THAN_SECONDS:-120}
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-1} GUNICORN_THREADS=${GUNICORN_THREADS:-4}
# One metrics folder for both app servers and the worker: a scrape of either sums them all.
export PROMETHEUS_MULTIPROC_DIR=$dir/metrics
export METRICS_TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
ENV

(
  source "$dir/app.env"
  "$VENV/bin/python" manage.py migrate --noinput >"$dir/release.log"
  "$VENV/bin/python" manage.py collectstatic --noinput >>"$dir/release.log"
  "$VENV/bin/python" manage.py seed_demo --allow-demo-staff >>"$dir/release.log"
)
# The providers' stand-in shares only the provider settings (it needs DEBUG for the sandbox).
source "$dir/providers.env"
# Its one table is its own app's, installed only with the sandbox on: migrated by it.
DEBUG=1 PAYMENTS_SANDBOX=1 "$VENV/bin/python" manage.py migrate sandbox --noinput >>"$dir/release.log"
start sandbox env DEBUG=1 PAYMENTS_SANDBOX=1 GUNICORN_THREADS=8 \
  "$VENV/bin/gunicorn" config.wsgi:application -c gunicorn.conf.py \
  --bind "127.0.0.1:$sandbox_port" --workers 1
source "$dir/app.env"
for n in 1 2; do
  eval "app_port=\$app${n}_port"
  start "app$n" "$VENV/bin/gunicorn" config.wsgi:application -c gunicorn.conf.py \
    --bind "127.0.0.1:$app_port"
done
start worker "$VENV/bin/celery" -A config worker --loglevel=INFO --concurrency=2
start beat "$VENV/bin/celery" -A config beat --loglevel=INFO --schedule "$dir/celerybeat-schedule"

user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$dir/nginx/nginx.conf" <<NGINX
$user_line
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 512; }
http {
  # A manage link's or waiting-list entry's token is a bearer secret: logged masked.
  map \$uri \$loggable_uri {
    "~^(?<secret_head>/api/(manage|booking/waitlist)/)(?!links/)[^/]+(?<secret_tail>.*)\$" "\${secret_head}[redacted]\${secret_tail}";
    default \$uri;
  }
  # Which app server answered each request: the system test reads this.
  log_format upstreams '\$request_method \$loggable_uri \$status \$upstream_addr';
  access_log $dir/nginx-access.log upstreams;
  client_body_temp_path $dir/nginx/body; proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi; uwsgi_temp_path $dir/nginx/uwsgi; scgi_temp_path $dir/nginx/scgi;
  client_max_body_size 2m;
  upstream app {
    server 127.0.0.1:$app1_port max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$app2_port max_fails=1 fail_timeout=10s;
  }
  upstream providers { server 127.0.0.1:$sandbox_port; }
  proxy_http_version 1.1;
  proxy_set_header Host \$http_host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto \$scheme;
  proxy_set_header X-Request-ID \$request_id;
  # A server that is down never saw the request: hand it to the other one.
  proxy_next_upstream error timeout;
  server {
    listen 127.0.0.1:$lb_port;
    location /sandbox/ { proxy_pass http://providers; }
    location /demo/ { proxy_pass http://providers; }
    location / { proxy_pass http://app; }
  }
}
NGINX
start nginx nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g "daemon off;"

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$lb_port/api/health/" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<INFO
paycart production topology (DEBUG off) is up:
  load balancer  http://127.0.0.1:$lb_port/          (API, admin; /demo/ and /sandbox/ go to the providers' stand-in)
  demo           http://127.0.0.1:$lb_port/demo/      demo@example.com / demo-pass-123
  admin          http://127.0.0.1:$lb_port/admin/     admin@example.com / admin-pass-123
  payment health http://127.0.0.1:$lb_port/admin/payment-health/
  metrics        http://127.0.0.1:$lb_port/metrics    bearer token: METRICS_TOKEN in $dir/app.env
  app servers    127.0.0.1:$app1_port, 127.0.0.1:$app2_port (gunicorn)
  sandbox        127.0.0.1:$sandbox_port             worker, beat, PostgreSQL :$pg_port, Redis :$redis_port
  logs, pids     $dir   (left there when it stops)
Ctrl-C, or SIGTERM to this script (kill $$), stops everything.
INFO
trap 'exit 0' INT TERM
while true; do sleep 1; done
