"""Finish what a lost webhook or a crash left open: ask the provider about every payment
pending too long, then complete, fail or expire it through the usual services; and keep
asking, for LAPSED_PAYMENT_WATCH_DAYS, about payments we marked failed or expired, since a
shopper may still pay them at the provider (their success is fulfilled or refunded, never
left). Safe on several machines at once: each status question is claimed by a conditional
UPDATE, and fulfilment itself is locked and idempotent."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import LAPSED_PAYMENT_STATUSES, OPEN_PAYMENT_STATUSES, Payment
from .batch import run_isolated
from .charges import payment_close, payment_sync_with_provider
from .transitions import payment_expire

# A lapsed payment is asked about again after a tenth of its age, within these bounds:
# often while a late payment is likely, a few times a day by the end of the watch.
LAPSED_RECHECK_MIN = timedelta(minutes=15)
LAPSED_RECHECK_MAX = timedelta(hours=6)


def _reconcile_one(payment: Payment, *, now) -> str:
    if not payment.provider_order_id:
        # The provider order was never stored, so no shopper could have paid it.
        expired = payment_expire(payment_id=payment.pk, reason="No provider order was recorded.")
        return "expired" if expired else ""
    # The usual per-payment interval: a second machine running at the same moment finds
    # the question already claimed and does not ask again.
    payment = payment_sync_with_provider(payment=payment)
    deadline = payment.payable_until or payment.created_at + timedelta(
        seconds=settings.PAYMENT_EXPIRY_SECONDS
    )
    if payment.is_open and deadline <= now:
        closed = payment_close(payment=payment, reason="Not paid in time.", ask_first=False)
        return "expired" if closed else "deferred"
    return payment.status.lower()


def lapsed_recheck_interval(payment: Payment, *, now) -> timedelta:
    return min(max((now - payment.created_at) / 10, LAPSED_RECHECK_MIN), LAPSED_RECHECK_MAX)


def _recheck_lapsed(payment: Payment, *, now) -> str:
    interval = lapsed_recheck_interval(payment, now=now)
    if payment.last_status_check_at and payment.last_status_check_at > now - interval:
        return ""  # asked recently enough
    status_before = payment.status
    payment = payment_sync_with_provider(payment=payment, min_interval=interval)
    return "paid_after_lapse" if payment.status != status_before else ""


def payments_reconcile(*, older_than_seconds: int) -> Counter:
    now = timezone.now()
    stale = Payment.objects.filter(
        status__in=OPEN_PAYMENT_STATUSES,
        created_at__lte=now - timedelta(seconds=older_than_seconds),
    ).order_by("created_at")
    outcome = run_isolated(
        stale.iterator(),
        lambda payment: _reconcile_one(payment, now=now),
        what="Reconciling payment",
    )
    lapsed = Payment.objects.filter(
        status__in=LAPSED_PAYMENT_STATUSES,
        provider_order_id__isnull=False,
        created_at__gte=now - timedelta(days=settings.LAPSED_PAYMENT_WATCH_DAYS),
    ).order_by("created_at")
    return outcome + run_isolated(
        lapsed.iterator(),
        lambda payment: _recheck_lapsed(payment, now=now),
        what="Rechecking lapsed payment",
    )
