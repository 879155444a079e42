"""Every payment status change goes through here and leaves a tracker entry. Changes to
SUCCESS happen only in the fulfilment service, which records them the same way."""

from django.db import transaction

from cart.pricing import coupon_release
from holds.services import holds_release
from orders.models import Order
from orders.services import order_release

from ..events import payment_event
from ..models import OPEN_PAYMENT_STATUSES, Payment, PaymentStatus, PaymentStatusChange
from ..observe import payment_status_changed


def payment_track(payment: Payment, *, from_status: str, reason: str) -> None:
    PaymentStatusChange.objects.create(
        payment=payment, from_status=from_status, to_status=payment.status, reason=reason[:255]
    )
    payment_status_changed(payment, from_status=from_status, reason=reason)
    if payment.status == PaymentStatus.FAILED:
        payment_event(payment, "payment.failed")


def payment_release_coupon(payment: Payment) -> None:
    """The payment will not spend the coupon use it held; the caller saves the payment."""
    if payment.coupon_use_held and payment.coupon_id is not None:
        coupon_release(payment.coupon_id)
        payment.coupon_use_held = False


def payment_move_open(*, payment_id, to_status: str, reason: str) -> bool:
    """Move a payment that is still open (INITIATED or PENDING) to `to_status` under its
    row lock. False when it was no longer open, or already there: a late failure never
    overwrites a success."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if not payment.is_open or payment.status == to_status:
            return False
        from_status = payment.status
        payment.status = to_status
        if to_status != PaymentStatus.PENDING:
            payment.failure_reason = reason[:255]
            payment_release_coupon(payment)
            holds_release(payment_id=payment.pk)
        payment.save(update_fields=["status", "failure_reason", "coupon_use_held", "updated_at"])
        payment_track(payment, from_status=from_status, reason=reason)
    return True


def payment_mark_failed(*, payment_id, reason: str) -> bool:
    """The provider says this attempt failed. A later success may still arrive (Razorpay
    allows retries on one order), and fulfilment accepts it then."""
    return payment_move_open(payment_id=payment_id, to_status=PaymentStatus.FAILED, reason=reason)


def payment_expire(*, payment_id, reason: str) -> bool:
    """The checkout can no longer be paid: the payment expires, and an order-first order
    whose last open payment this was gives its reserved stock back (exactly once). While a
    newer payment of the order is still payable, the order waits for it."""
    expired = payment_move_open(
        payment_id=payment_id, to_status=PaymentStatus.EXPIRED, reason=reason
    )
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
    if expired and order_id:
        with transaction.atomic():
            # The order's lock orders this against a new payment being started for it.
            Order.objects.select_for_update().filter(pk=order_id).first()
            if not Payment.objects.filter(
                order_id=order_id, status__in=OPEN_PAYMENT_STATUSES
            ).exists():
                order_release(order_id=order_id, note=reason)
    return expired
