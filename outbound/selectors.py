"""Reads of the outbox: the feed of events after one, and what the gauges count."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from config.exceptions import Invalid

from .models import Delivery, DeliveryStatus, Endpoint, Event

FEED_PAGE = 100


def events_after(*, after: str = "", types: list[str] | None = None) -> list[Event]:
    """A page of events after the one named (oldest first), of the types asked for."""
    events = Event.objects.all()
    if after:
        mark = Event.objects.filter(public_id=after).values_list("pk", flat=True).first()
        if mark is None:
            raise Invalid(f"No event {after} (events are kept for a limited time).")
        events = events.filter(pk__gt=mark)
    if types:
        events = events.filter(type__in=types)
    return list(events.order_by("pk")[:FEED_PAGE])


def deliveries_pending() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=DeliveryStatus.PENDING)


def deliveries_failed_recently() -> QuerySet[Delivery]:
    since = timezone.now() - timedelta(days=1)
    return Delivery.objects.filter(status=DeliveryStatus.FAILED, created_at__gte=since)


def endpoints_disabled() -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(is_active=False)
