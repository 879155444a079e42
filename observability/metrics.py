"""The background tasks' Prometheus metrics (each app defines its own: payments/metrics.py).
Under gunicorn (and a Celery worker on the same host) PROMETHEUS_MULTIPROC_DIR is set
before any is imported, so each process writes its own file and a scrape sums them (see
gunicorn.conf.py)."""

from prometheus_client import Counter, Histogram

from config.metrics import LATENCY_BUCKETS

TASK_RUNS = Counter(
    "paycart_task_runs",
    "Background task runs by task and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
TASK_QUEUE_DELAY_SECONDS = Histogram(
    "paycart_task_queue_delay_seconds",
    "Time from enqueueing a task to a worker starting it.",
    ["task"],
    buckets=LATENCY_BUCKETS,
)
TASK_SECONDS = Histogram(
    "paycart_task_seconds", "Background task run time.", ["task"], buckets=LATENCY_BUCKETS
)
