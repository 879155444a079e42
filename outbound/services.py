"""The outbox. A service that makes a change writes its event here, inside its own
transaction, with the payload it built (outbound imports no app): two statements, the event
and one delivery per endpoint that wants it. The relay is told once the transaction commits;
a change that rolls back leaves no event and sends nothing. Endpoints are managed here too."""

import json
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from pydantic import ValidationError

from config.exceptions import Invalid, Missing
from config.tasks import enqueue_on_commit

from .models import Delivery, DeliveryStatus, Endpoint, Event, Subscription
from .registry import EventType, event_type
from .signing import secret_new
from .targets import TargetRefused, TargetUnresolved, target_parsed, target_pin

ROTATION_OVERLAP = timedelta(hours=24)
logger = logging.getLogger(__name__)


def _deliveries_insert() -> str:
    """One statement: a pending delivery of the event to each endpoint that wants it (one
    subscribed to its type, or to none: every event). A disabled endpoint gets its
    deliveries too: they wait, and go out once staff enable it."""
    delivery, endpoint = Delivery._meta.db_table, Endpoint._meta.db_table
    subscription = Subscription._meta.db_table
    return (
        f"INSERT INTO {delivery} (event_id, endpoint_id, status, attempts, next_attempt_at, "
        f"retry_until, created_at, last_error) "
        f"SELECT %s, e.id, %s, 0, %s, %s, %s, '' FROM {endpoint} e "
        f"WHERE EXISTS (SELECT 1 FROM {subscription} s WHERE s.endpoint_id = e.id "
        f"AND s.event_type = %s) "
        f"OR NOT EXISTS (SELECT 1 FROM {subscription} s WHERE s.endpoint_id = e.id)"
    )


def event_record(*, type: str, data: dict, person_id: int | None = None) -> Event:
    """Write an event of the caller's change (call it inside the change's transaction):
    `data` must be of the type's declared payload (outbound.registry); `person_id` names
    whose personal data it carries, if any (for an erasure)."""
    kind = event_type(type)
    if kind is None:
        raise ValueError(f"Unknown event type {type!r}")
    now = timezone.now()
    event = Event.objects.create(
        public_id=f"evt_{secrets.token_hex(12)}",
        type=type,
        version=kind.version,
        created_at=now,
        data=_declared(kind, data),
        person_id=person_id,
    )
    until = now + timedelta(hours=settings.OUTBOUND_RETRY_HOURS)
    with connection.cursor() as cursor:
        cursor.execute(
            _deliveries_insert(), [event.pk, DeliveryStatus.PENDING, now, until, now, type]
        )
        if cursor.rowcount:
            _relay_after_commit()
    return event


def _declared(kind: EventType, data: dict) -> dict:
    """The payload as its type declares it. One that is not (a bug the tests over every type
    should catch) never undoes the change reporting it (a paid order, a refund): it is
    logged, naming the fields, and sent with the keys its type declares, none other; with
    OUTBOUND_EVENTS_STRICT (the tests) it raises."""
    try:
        return kind.data(data)
    except ValidationError as error:
        if settings.OUTBOUND_EVENTS_STRICT:
            raise
        fields = [".".join(map(str, problem["loc"])) for problem in error.errors()]
        logger.error("event_payload_not_of_its_type", extra={"type": kind.name, "fields": fields})
        declared = {key: value for key, value in data.items() if key in kind.payload_keys}
        return json.loads(json.dumps(declared, cls=DjangoJSONEncoder))


def _relay_after_commit() -> None:
    from .tasks import relay_outbound  # the task module imports these services

    enqueue_on_commit(relay_outbound)  # beat's relay sends it if the broker is down


# ---------------------------------------------------------------- endpoints
def endpoint_url_checked(url: str) -> str:
    """The URL as an endpoint may have it, or Invalid saying why not."""
    url = (url or "").strip()
    if not url.startswith("https://") and not (settings.DEBUG and url.startswith("http://")):
        raise Invalid("The URL must start with https:// (http:// only with DEBUG on).")
    try:
        target_parsed(url)
        # Where private targets are allowed (tests, on-premise), the host may resolve only
        # where the relay runs: it is resolved, and pinned, at each attempt.
        if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
            target_pin(url)
    except (TargetRefused, TargetUnresolved) as exc:
        raise Invalid(str(exc)) from exc
    return url


def _checked_types(events: list[str] | None) -> list[str]:
    events = sorted(set(events or []))
    unknown = [name for name in events if event_type(name) is None]
    if unknown:
        raise Invalid(f"Unknown event types: {', '.join(unknown)}.")
    return events


def endpoint_create(
    *, url: str, events: list[str] | None = None, description: str = ""
) -> Endpoint:
    """A new endpoint with a new secret (its `secret` is shown to staff this once),
    subscribed to `events` (none: every event)."""
    url, wanted = endpoint_url_checked(url), _checked_types(events)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            url=url, description=description[:200], secret=secret_new()
        )
        Subscription.objects.bulk_create(
            Subscription(endpoint=endpoint, event_type=name) for name in wanted
        )
    return endpoint


def _endpoint(endpoint_id) -> Endpoint:
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Missing("No such endpoint.")
    return endpoint


def endpoint_delete(*, endpoint_id) -> None:
    _endpoint(endpoint_id).delete()


def endpoint_rotate_secret(*, endpoint_id) -> str:
    """A new secret; the old one still signs (beside it) for 24 hours."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=_endpoint(endpoint_id).pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = secret_new()
        endpoint.save()
    return endpoint.secret


def endpoint_signing_keys(endpoint: Endpoint, now: datetime) -> list[str]:
    rotating = endpoint.previous_secret_until and endpoint.previous_secret_until > now
    return [endpoint.secret, endpoint.previous_secret] if rotating else [endpoint.secret]


def endpoint_enable(*, endpoint_id) -> Endpoint:
    """Back on after staff fixed the receiver: what waited is sent from now, each with a
    fresh retry window."""
    endpoint = _endpoint(endpoint_id)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, failing_since=None, paused_until=None, disabled_reason=""
    )
    _resend(Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING))
    endpoint.refresh_from_db()
    return endpoint


# ---------------------------------------------------------------- resending and pruning
def _resend(deliveries) -> int:
    now = timezone.now()
    count = deliveries.update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        retry_until=now + timedelta(hours=settings.OUTBOUND_RETRY_HOURS),
        claimed_until=None,
    )
    if count:
        _relay_after_commit()
    return count


def delivery_resend(*, delivery_id) -> Delivery:
    """Send one delivery again (a new attempt; the event is the same, id and all)."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise Missing("No such delivery.")
    if delivery.status == DeliveryStatus.PENDING:
        raise Invalid("It is still being sent.")
    _resend(Delivery.objects.filter(pk=delivery.pk))
    delivery.refresh_from_db()
    return delivery


def deliveries_resend_failed(*, endpoint_id, since: datetime) -> int:
    """Send again every failed delivery of an endpoint made since a time; how many."""
    endpoint = _endpoint(endpoint_id)
    failed = Delivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.FAILED, created_at__gte=since
    )
    return _resend(failed)


def events_prune(*, days: int | None = None) -> int:
    """Forget events older than OUTBOUND_RETENTION_DAYS (their deliveries and attempts with
    them); how many."""
    cutoff = timezone.now() - timedelta(days=days or settings.OUTBOUND_RETENTION_DAYS)
    _, per_model = Event.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(Event._meta.label, 0)
