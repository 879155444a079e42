"""What every task shares: retrying later with exponential backoff. In eager mode (no
broker, the embedded default) a task is not retried inside the request; reconciliation
picks up what it left."""

import logging

from celery import Task, current_app
from celery.utils.time import get_exponential_backoff_interval
from django.db import transaction

logger = logging.getLogger(__name__)


def retry_later(task, exc: Exception) -> None:
    if task.request.is_eager:
        logger.warning("%s failed (%s); left for reconciliation", task.name, type(exc).__name__)
        return
    countdown = get_exponential_backoff_interval(
        factor=5, retries=task.request.retries, maximum=600, full_jitter=True
    )
    raise task.retry(exc=exc, countdown=countdown)


def enqueue_on_commit(task: Task | str, *args) -> None:
    """Send the task once the current transaction commits (a rolled-back request sends
    nothing). A broker outage then never fails a request whose work is committed: the job
    is logged, and reconciliation finds what it left undone.

    A task may be given by its name ("payments.tasks.send_refund"): a service then need not
    import the task module that calls it (the app's ready() imports its tasks). The name is
    looked up now, so a wrong one fails the transaction rather than losing the job."""
    if isinstance(task, str):
        task = current_app.tasks[task]

    def send() -> None:
        try:
            task.delay(*args)
        except Exception as exc:  # the broker is down: reconciliation catches up
            logger.error("Could not enqueue %s%s: %s", task.name, args, type(exc).__name__)

    transaction.on_commit(send)
