"""Release order-first reservations nobody paid for in time. Before an order's stock goes
back, each of its open payments is asked about once more (a late success is fulfilled
instead) and its provider checkout is closed, so nobody pays for a cancelled order.
Drafts left behind by a crash mid-checkout are closed the same way and discarded."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.services import order_discard_draft, order_release

from ..models import OPEN_PAYMENT_STATUSES
from ..providers.base import ProviderDisabled, ProviderFailure
from ..providers.registry import get_provider
from .charges import payment_sync_with_provider
from .transitions import payment_expire

REASON = "reservation expired"


def _close_open_payments(order: Order) -> bool:
    """True when no payment of the order can still be paid."""
    for payment in order.payments.filter(status__in=OPEN_PAYMENT_STATUSES):
        if payment.provider_order_id:
            payment = payment_sync_with_provider(payment=payment, min_interval=timedelta(0))
            if not payment.is_open:
                continue
            try:
                get_provider(payment.provider).cancel_order(
                    provider_order_id=payment.provider_order_id
                )
            except (ProviderFailure, ProviderDisabled):
                return False  # try again on the next run rather than risk a paid cancel
        payment_expire(payment_id=payment.pk, reason=REASON)
    return True


def reservations_release_expired(*, ttl_seconds: int | None = None) -> Counter:
    ttl = settings.ORDER_RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    cutoff = timezone.now() - timedelta(seconds=ttl)
    stale = Order.objects.filter(
        status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.DRAFT], created_at__lte=cutoff
    )
    outcome: Counter = Counter()
    for order in stale.iterator():
        if not _close_open_payments(order):
            outcome["deferred"] += 1
        elif order.status == OrderStatus.DRAFT:
            order_discard_draft(order_id=order.pk)
            outcome["discarded"] += 1
        elif order_release(order_id=order.pk, note=REASON):
            outcome["released"] += 1
    return outcome
