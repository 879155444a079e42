"""Every Prometheus metric the service records. Under gunicorn (and a Celery worker on the
same host) PROMETHEUS_MULTIPROC_DIR is set before this is imported, so each process writes
its own file and a scrape sums them (see gunicorn.conf.py)."""

from prometheus_client import Counter, Histogram

# Payments move fast except around providers: buckets from 5 ms to 30 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

PAYMENTS = Counter(
    "paycart_payments",
    "Payment status changes by provider and the status reached (INITIATED: created).",
    ["provider", "status"],
)
REFUNDS = Counter(
    "paycart_refunds",
    "Refund status changes by provider and the status reached (REQUESTED: owed).",
    ["provider", "status"],
)
FULFILMENT_SECONDS = Histogram(
    "paycart_fulfilment_seconds",
    "Time to turn a paid payment into its order and bookings, by outcome "
    "(fulfilled, needs_attention, already_done).",
    ["provider", "outcome"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "paycart_webhook_deliveries",
    "Webhook deliveries by provider and outcome.",
    ["provider", "outcome"],
)
PROVIDER_CALL_SECONDS = Histogram(
    "paycart_provider_call_seconds",
    "Calls to a provider's API by provider, action and outcome (ok or the error type).",
    ["provider", "action", "outcome"],
    buckets=LATENCY_BUCKETS,
)
PROVIDER_CALL_ERRORS = Counter(
    "paycart_provider_call_errors",
    "Failed calls to a provider's API by provider, action and error type.",
    ["provider", "action", "error"],
)
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
