"""gunicorn, as production runs it. Every number comes from the environment."""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request (provider calls included) gets this long; a worker silent longer is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never takes a process down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# No control socket: nothing here uses gunicornc, and its background thread in the master
# (stopped and restarted around every fork) would hand shutdown and kill to any local
# process of this user.
control_socket_disable = True
# Access log to stdout (the platform collects it), errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# A manage link's token is a bearer secret: the access log masks it in the request line.
logger_class = "config.access_log.MaskedAccessLogger"
# Only the load balancers the app trusts (TRUSTED_PROXY_IPS) may say what scheme they saw.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS") or os.environ.get("TRUSTED_PROXY_IPS") or "127.0.0.1"
)

# Prometheus: each worker writes its metrics to its own file in this folder, and a scrape
# of /metrics sums them. Set it to share one folder with the Celery worker on this host
# (and empty it before starting); unset, each start gets a fresh folder of its own, which
# goes when the server stops. The environment remembers whose it is: a reload (SIGHUP)
# reads this file again.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="paycart-metrics-")
    os.environ["PAYCART_OWN_METRICS_DIR"] = "1"
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_exit(server):
    if os.environ.get("PAYCART_OWN_METRICS_DIR"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker):
    """A replaced worker's live gauges stop counting; its counters stay in the sums. The
    requests it was running died with it: their Idempotency-Keys are let go, so the
    shoppers' retries run now instead of waiting out the claim timeout."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
    _release_idempotency_claims(server, worker.pid)


def _release_idempotency_claims(server, pid: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    try:
        import django
        from django.db import connections

        django.setup()
        from idempotency.services import idempotency_release_claims_of, process_name

        try:
            released = idempotency_release_claims_of(process=process_name(pid))
        finally:
            # Never fork the next worker with this connection open: it would share it.
            connections.close_all()
        if released:
            server.log.info("Released %s idempotency claim(s) of dead worker %s", released, pid)
    except Exception as exc:  # the master must live on; the claim timeout still frees them
        server.log.error("Could not release dead worker %s's claims: %s", pid, type(exc).__name__)


def post_worker_init(worker):
    """Pay at start what the first checkout in each worker would otherwise wait for:
    Celery registers its tasks and imports its broker transport on first use."""
    from config.celery import app

    app.finalize()
    app.producer_pool  # noqa: B018
