"""Request ids and durations on django-structlog's request lines. A request id from the
load balancer (X-Request-ID) is kept when it looks like one, otherwise one is made; every
answer carries it back so a shopper's report can be found in the logs."""

import re
import time
import uuid

import structlog
from django.dispatch import receiver
from django_structlog import signals

REQUEST_ID_HEADER = "X-Request-ID"
# What a load balancer sends (nginx's $request_id is 32 hex digits, others use UUIDs).
USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@receiver(signals.bind_extra_request_metadata)
def _start(request, logger, log_kwargs, **kwargs):
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if not USABLE_REQUEST_ID.fullmatch(given):
        structlog.contextvars.bind_contextvars(request_id=str(uuid.uuid4()))
    request.observed_started_at = time.perf_counter()


@receiver(signals.bind_extra_request_finished_metadata)
def _finish(request, logger, response, log_kwargs, **kwargs):
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        response[REQUEST_ID_HEADER] = request_id
    started = getattr(request, "observed_started_at", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
