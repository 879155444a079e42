"""Task runs, from Celery's signals, in eager mode and on workers alike: one task_finished
line (task, outcome, run time, queue delay, and the request id of the request that enqueued
it) and the matching metrics. The enqueue time and request id travel in the job's headers."""

import time

import structlog
from celery import signals

from .metrics import TASK_QUEUE_DELAY_SECONDS, TASK_RUNS, TASK_SECONDS

log = structlog.get_logger("paycart.tasks")
ENQUEUED_AT, REQUEST_ID = "paycart_enqueued_at", "paycart_request_id"
OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}


@signals.before_task_publish.connect
def _stamp(headers=None, **kwargs):
    if headers is not None:
        headers[ENQUEUED_AT] = time.time()
        headers[REQUEST_ID] = structlog.contextvars.get_contextvars().get("request_id")


@signals.task_prerun.connect
def _started(task_id=None, task=None, **kwargs):
    request = task.request
    if not request.is_eager:  # a worker's job starts with only its own context
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=getattr(request, REQUEST_ID, None))
    request.observed = {"started": time.perf_counter(), "queue_delay_ms": None}
    enqueued_at = getattr(request, ENQUEUED_AT, None)
    if isinstance(enqueued_at, int | float):
        delay = max(0.0, time.time() - enqueued_at)
        TASK_QUEUE_DELAY_SECONDS.labels(task.name).observe(delay)
        request.observed["queue_delay_ms"] = round(delay * 1000, 1)


@signals.task_postrun.connect
def _finished(task_id=None, task=None, state=None, **kwargs):
    outcome = OUTCOMES.get(state, str(state).lower())
    TASK_RUNS.labels(task.name, outcome).inc()
    observed = getattr(task.request, "observed", None) or {}
    seconds = time.perf_counter() - observed.get("started", time.perf_counter())
    TASK_SECONDS.labels(task.name).observe(seconds)
    (log.info if outcome != "failed" else log.warning)(
        "task_finished",
        task=task.name,
        task_id=task_id,
        outcome=outcome,
        duration_ms=round(seconds * 1000, 1),
        queue_delay_ms=observed.get("queue_delay_ms"),
        eager=bool(task.request.is_eager),
    )
