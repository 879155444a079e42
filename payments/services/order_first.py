"""Closing order-first checkouts (Stripe, Razorpay's legacy create): when the shopper
cancels the order, or its reservation expires unpaid. Before an order's stock goes back,
each of its open payments is asked about once more (a late success is fulfilled instead)
and its provider checkout is closed, so nobody pays for a cancelled order. Drafts left
behind by a crash mid-checkout are closed the same way and discarded."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from config.exceptions import Invalid, Missing, ProviderDown
from orders.models import Order, OrderStatus
from orders.services import order_discard_draft, order_release

from ..models import OPEN_PAYMENT_STATUSES
from .batch import run_isolated
from .charges import payment_close
from .devotee_cancel import order_cancel_paid_by_owner

REASON = "reservation expired"


def order_close_checkouts(order: Order, *, reason: str) -> bool:
    """Close every open checkout of the order (see payment_close). True when none can still
    be paid; False when a provider could not be reached."""
    return all(
        payment_close(payment=payment, reason=reason)
        for payment in order.payments.filter(status__in=OPEN_PAYMENT_STATUSES)
    )


def order_cancel_by_shopper(*, user, order_id: int) -> Order:
    order = Order.objects.filter(user=user, pk=order_id).exclude(status=OrderStatus.DRAFT).first()
    if order is None:
        raise Missing("Order not found.")
    if order.status != OrderStatus.PENDING_PAYMENT:  # paid: refunded until it ships
        return order_cancel_paid_by_owner(user=user, order_id=order.pk)
    if not order_close_checkouts(order, reason="cancelled by the shopper"):
        raise ProviderDown(
            "The payment provider could not be reached to close the checkout; retry.",
        )
    # Expiring the order's last open payment has released it already, unless it had none.
    order_release(order_id=order.pk, changed_by=user, note="cancelled by the shopper")
    order.refresh_from_db()
    if order.status != OrderStatus.CANCELLED:  # a payment completed while we closed it
        raise Invalid(f"The order was paid meanwhile; it is {order.status}.")
    return order


def _release_one(order: Order) -> str:
    if not order_close_checkouts(order, reason=REASON):
        return "deferred"
    if order.status == OrderStatus.DRAFT:
        order_discard_draft(order_id=order.pk)
        return "discarded"
    return "released" if order_release(order_id=order.pk, note=REASON) else ""


def reservations_release_expired(*, ttl_seconds: int | None = None) -> Counter:
    ttl = settings.ORDER_RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    cutoff = timezone.now() - timedelta(seconds=ttl)
    stale = Order.objects.filter(
        status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.DRAFT], created_at__lte=cutoff
    )
    return run_isolated(stale.iterator(), _release_one, what="Releasing order")
