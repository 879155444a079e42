"""Where money may be stuck: the lists staff see on the payment-health page and the gauges
/metrics reports, from the same queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from .models import (
    OPEN_PAYMENT_STATUSES,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from .services.refunds import REFUND_RECHECK_AFTER

# A verified delivery still unprocessed after this long was lost mid-processing.
WEBHOOK_UNPROCESSED_AFTER = timedelta(minutes=5)


def payments_needing_attention() -> QuerySet[Payment]:
    """Paid but flagged (nothing could be built, or a mismatch) and not refunded yet."""
    return Payment.objects.filter(needs_attention=True).exclude(status=PaymentStatus.REFUNDED)


def payments_stale_pending() -> QuerySet[Payment]:
    """Open longer than reconciliation lets a payment wait before asking the provider."""
    since = timezone.now() - timedelta(seconds=settings.RECONCILE_OLDER_THAN_SECONDS)
    return Payment.objects.filter(status__in=OPEN_PAYMENT_STATUSES, created_at__lte=since)


def webhooks_troubled() -> QuerySet[WebhookEvent]:
    """Deliveries that failed, that the provider has not confirmed, or that stopped midway."""
    lost_before = timezone.now() - WEBHOOK_UNPROCESSED_AFTER
    return WebhookEvent.objects.filter(
        Q(status__in=[WebhookEventStatus.FAILED, WebhookEventStatus.UNCONFIRMED])
        | Q(status=WebhookEventStatus.RECEIVED, received_at__lte=lost_before)
    )


def refunds_stuck() -> QuerySet[Refund]:
    """Refunds owed but not made: refused by the provider (and neither retried nor given
    up), or still waiting too long."""
    waiting_since = timezone.now() - REFUND_RECHECK_AFTER
    return Refund.objects.filter(
        Q(status=RefundStatus.FAILED, retry__isnull=True, given_up_at__isnull=True)
        | Q(status=RefundStatus.REQUESTED, created_at__lte=waiting_since)
    )


def payments_per_hour(*, hours: int = 24) -> list[dict]:
    """Payments created in each of the last `hours` hours, counted by their status now."""
    since = timezone.now() - timedelta(hours=hours)
    return list(
        Payment.objects.filter(created_at__gte=since)
        .annotate(hour=TruncHour("created_at"))
        .values("hour", "status")
        .annotate(count=Count("id"))
        .order_by("hour", "status")
    )
