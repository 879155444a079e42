"""What every task shares: retrying later with exponential backoff. In eager mode (no
broker, the embedded default) a task is not retried inside the request; reconciliation
picks up what it left."""

import logging

from celery.utils.time import get_exponential_backoff_interval

logger = logging.getLogger(__name__)


def retry_later(task, exc: Exception) -> None:
    if task.request.is_eager:
        logger.warning("%s failed (%s); left for reconciliation", task.name, type(exc).__name__)
        return
    countdown = get_exponential_backoff_interval(
        factor=5, retries=task.request.retries, maximum=600, full_jitter=True
    )
    raise task.retry(exc=exc, countdown=countdown)
