"""The relay: claims due deliveries (FOR UPDATE SKIP LOCKED, so relays on several workers
never take the same one), then, holding no lock, posts each signed event with a 10-second
timeout and no redirects. A claim is a lease: a relay killed mid-send leaves its deliveries
to the next one when the lease ends (sent again, never lost; receivers dedupe by id).

A 2xx is delivered. A timeout, a connection error, 408, 429 or 5xx is retried with
exponential backoff and jitter until OUTBOUND_RETRY_HOURS have passed; any other answer, or
a target that now resolves to a private address, fails at once. A failing endpoint is
paused until its next retry, so one dead receiver costs one timeout, not one per event; one
failing every attempt for OUTBOUND_DISABLE_AFTER_HOURS is disabled and staff emailed."""

import json
import logging
import random
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import mail_admins
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .metrics import OUTBOUND_ATTEMPTS
from .models import Attempt, AttemptOutcome, Delivery, DeliveryStatus, Endpoint
from .services import endpoint_signing_keys
from .signing import signed_headers
from .targets import PinnedAdapter, TargetRefused, TargetUnresolved, target_pin

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # longer than any one send (OUTBOUND_TIMEOUT_SECONDS ≤ 30)
FIRST_RETRY_SECONDS, LONGEST_WAIT = 30, timedelta(hours=6)
RETRIED_CODES = {408, 429}
EXCERPT_CHARS = 1024
USER_AGENT = "paycart-webhooks/1"
_http = requests.Session()
_http.mount("https://", PinnedAdapter())
_http.mount("http://", PinnedAdapter())
DELIVERY_STATUS_AFTER: dict[str, str] = {
    AttemptOutcome.DELIVERED: DeliveryStatus.DELIVERED,
    AttemptOutcome.RETRY: DeliveryStatus.PENDING,
    AttemptOutcome.FAILED: DeliveryStatus.FAILED,
}


def _claim(limit: int) -> list[Delivery]:
    now = timezone.now()
    due = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        Q(endpoint__paused_until__isnull=True) | Q(endpoint__paused_until__lte=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(claimed_until=now + LEASE)
    return list(
        Delivery.objects.filter(pk__in=ids).select_related("event", "endpoint").order_by("pk")
    )


def _release(deliveries: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(claimed_until=None)


def _wait(attempts: int) -> timedelta:
    """Exponential, capped, with jitter (so a receiver back from an outage is not hit by
    every retry at once)."""
    longest = FIRST_RETRY_SECONDS * 2 ** min(attempts - 1, 20)
    capped = min(timedelta(seconds=longest), LONGEST_WAIT)
    return capped * random.uniform(0.5, 1.0)


def _post(delivery: Delivery) -> tuple[str, int | None, str, str]:
    """(outcome, status code, error, answer excerpt) of one attempt."""
    event, endpoint = delivery.event, delivery.endpoint
    now = timezone.now()
    body = json.dumps(event.envelope, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    headers = signed_headers(
        message_id=event.public_id, when=now, body=body, keys=endpoint_signing_keys(endpoint, now)
    ) | {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    try:
        pinned = target_pin(endpoint.url)
        answer = _http.post(
            pinned.url, data=body, headers=headers | {"Host": pinned.host},
            timeout=settings.OUTBOUND_TIMEOUT_SECONDS, allow_redirects=False,
        )  # fmt: skip
    except TargetRefused as exc:
        return AttemptOutcome.FAILED, None, str(exc), ""
    except TargetUnresolved as exc:
        return AttemptOutcome.RETRY, None, str(exc), ""
    except requests.Timeout:
        waited = settings.OUTBOUND_TIMEOUT_SECONDS
        return AttemptOutcome.RETRY, None, f"No answer within {waited} seconds.", ""
    except requests.RequestException as exc:
        return AttemptOutcome.RETRY, None, f"Could not connect: {type(exc).__name__}", ""
    excerpt = answer.text[:EXCERPT_CHARS]
    code = answer.status_code
    if 200 <= code < 300:
        return AttemptOutcome.DELIVERED, code, "", excerpt
    if code in RETRIED_CODES or code >= 500:
        return AttemptOutcome.RETRY, code, f"Answered {code}.", excerpt
    return AttemptOutcome.FAILED, code, f"Answered {code}: not retried.", excerpt


def _record(delivery: Delivery, outcome: str, code, error: str, excerpt: str, ms: int) -> str:
    """Write the attempt and move the delivery and its endpoint on; the outcome (a retry
    past its window is failed)."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    update: dict = {"attempts": attempts, "claimed_until": None, "last_status_code": code}
    if outcome == AttemptOutcome.RETRY:
        if now >= delivery.retry_until:
            outcome, error = AttemptOutcome.FAILED, f"{error} Given up: retried for too long."
        else:
            next_attempt = min(now + _wait(attempts), delivery.retry_until)
            update["next_attempt_at"] = next_attempt
    update["status"], update["last_error"] = DELIVERY_STATUS_AFTER[outcome], error[:300]
    if outcome == AttemptOutcome.DELIVERED:
        update["delivered_at"] = now
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, at=now, outcome=outcome, status_code=code, error=error[:300],
            response_excerpt=excerpt, duration_ms=ms,
        )  # fmt: skip
        Delivery.objects.filter(pk=delivery.pk).update(**update)
        _endpoint_after(delivery.endpoint_id, outcome, update.get("next_attempt_at"), now)
    OUTBOUND_ATTEMPTS.labels(outcome).inc()
    return outcome


def _endpoint_after(endpoint_id: int, outcome: str, paused_until, now) -> None:
    endpoints = Endpoint.objects.filter(pk=endpoint_id)
    if outcome == AttemptOutcome.DELIVERED:
        endpoints.exclude(failing_since=None, paused_until=None).update(
            failing_since=None, paused_until=None
        )
        return
    endpoints.filter(failing_since=None).update(failing_since=now)
    if paused_until is not None:
        endpoints.update(paused_until=paused_until)
    limit = now - timedelta(hours=settings.OUTBOUND_DISABLE_AFTER_HOURS)
    reason = f"Every attempt failed for {settings.OUTBOUND_DISABLE_AFTER_HOURS} hours."
    if endpoints.filter(is_active=True, failing_since__lte=limit).update(
        is_active=False, disabled_reason=reason
    ):
        endpoint = endpoints.get()
        transaction.on_commit(lambda: _alert_disabled(endpoint.url, reason))


def _alert_disabled(url: str, reason: str) -> None:
    logger.warning("Outbound endpoint %s disabled: %s", url, reason)
    try:
        mail_admins(
            "Events endpoint disabled",
            f"{url} was disabled: {reason}\nIts events wait; enable it in admin "
            "(Outbound → Endpoints) once it answers again.",
        )
    except OSError as exc:  # the mail server: the admin page and the gauge still say it
        logger.error("Could not email about the disabled endpoint: %s", type(exc).__name__)


def outbound_relay(*, batch: int = 50, seconds: float = 50.0) -> int:
    """Send what is due, batch by batch, for at most about `seconds`; how many attempts."""
    deadline = time.monotonic() + seconds
    attempted = 0
    while time.monotonic() < deadline:
        claimed = _claim(batch)
        if not claimed:
            break
        paused: set[int] = set()
        for n, delivery in enumerate(claimed):
            if time.monotonic() >= deadline:
                _release(claimed[n:])
                break
            if delivery.endpoint_id in paused:  # it just failed: left for its next retry
                _release([delivery])
                continue
            started = time.monotonic()
            outcome, code, error, excerpt = _post(delivery)
            ms = int((time.monotonic() - started) * 1000)
            if _record(delivery, outcome, code, error, excerpt, ms) == AttemptOutcome.RETRY:
                paused.add(delivery.endpoint_id)
            attempted += 1
    return attempted
