"""The retention schedule (beat runs it daily): what no law keeps is erased once its
purpose is served, in short batches."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from orders.models import Order, OrderStatus
from payments.models import LAPSED_PAYMENT_STATUSES, Payment, WebhookEvent

from .models import Erasure
from .selectors import erasure_blockers
from .services import BATCH, erasure_run


def _in_batches(rows, **blank) -> int:
    """Blank these fields of every row `rows` selects, BATCH rows a statement (each its
    own commit); a blanked row no longer matches, so the loop ends."""
    done = 0
    while pks := list(rows.values_list("pk", flat=True)[:BATCH]):
        done += rows.model.objects.filter(pk__in=pks).update(**blank)
    return done


def guests_lapsed() -> int:
    """A guest's contact RETAIN_GUEST_DAYS after their last order or booking."""
    cutoff = timezone.now() - timedelta(days=settings.RETAIN_GUEST_DAYS)
    guests = (
        User.objects.filter(is_guest=True, is_active=True, date_joined__lt=cutoff)
        .annotate(last_order=Max("orders__created_at"), last_booking=Max("bookings__created_at"))
        .filter(Q(last_order__isnull=True) | Q(last_order__lt=cutoff))
        .filter(Q(last_booking__isnull=True) | Q(last_booking__lt=cutoff))
    )
    erased = 0
    for user_id in guests.values_list("pk", flat=True).iterator():
        if erasure_blockers(user_id):
            continue
        erasure = Erasure.objects.create(person_id=user_id, asked_by="rule RETAIN_GUEST_DAYS")
        erasure_run(erasure_id=str(erasure.pk))
        erased += 1
    return erased


def unpaid_lapsed() -> int:
    """The addresses of payments never paid, and of orders that were never paid for,
    RETAIN_UNPAID_DAYS after they ended."""
    cutoff = timezone.now() - timedelta(days=settings.RETAIN_UNPAID_DAYS)
    addressed = ~Q(shipping_address={}) | ~Q(billing_address={})
    payments = Payment.objects.filter(
        addressed, status__in=LAPSED_PAYMENT_STATUSES, created_at__lt=cutoff, order__isnull=True
    )
    orders = Order.objects.filter(
        addressed | ~Q(provider_shipping_address={}),
        status=OrderStatus.CANCELLED,
        paid_at__isnull=True,
        created_at__lt=cutoff,
    )
    return _in_batches(payments, shipping_address={}, billing_address={}) + _in_batches(
        orders, shipping_address={}, billing_address={}, provider_shipping_address={}
    )


def webhook_bodies_lapsed() -> int:
    """Stored provider bodies RETAIN_WEBHOOK_BODY_DAYS after receipt (their ids, types and
    outcomes stay)."""
    cutoff = timezone.now() - timedelta(days=settings.RETAIN_WEBHOOK_BODY_DAYS)
    old = WebhookEvent.objects.filter(received_at__lt=cutoff).exclude(body="")
    return _in_batches(old, body="")


def retention_sweep() -> dict[str, int]:
    return {
        "guests erased": guests_lapsed(),
        "unpaid addresses erased": unpaid_lapsed(),
        "webhook bodies erased": webhook_bodies_lapsed(),
    }
