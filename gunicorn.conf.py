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
    """A replaced worker's live gauges stop counting; its counters stay in the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Pay at start what the first checkout in each worker would otherwise wait for:
    Celery registers its tasks and imports its broker transport on first use."""
    from config.celery import app

    app.finalize()
    app.producer_pool  # noqa: B018
