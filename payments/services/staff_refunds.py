"""Staff refunds from admin: full (the order or booking is undone: stock back unless it has
shipped, the slot freed) or partial (the order stands). The money goes back through the
one refunds service and its task."""

from decimal import Decimal

from django.db import transaction

from bookings.models import Booking
from bookings.services import booking_cancel
from orders.models import Order
from orders.services import order_mark_refunded

from ..models import Payment, PaymentStatus, Refund
from .refunds import RefundRefused, refund_by_staff, refundable_left


def paid_payment_of(**lookup) -> Payment | None:
    """The fulfilled payment of an order (order=…) or booking (bookings=…), if any."""
    return Payment.objects.filter(
        status=PaymentStatus.SUCCESS, fulfilled_at__isnull=False, **lookup
    ).first()


def _paid_payment(**lookup) -> Payment:
    payment = paid_payment_of(**lookup)
    if payment is None:
        raise RefundRefused("Nothing was paid for this that can be refunded.")
    return Payment.objects.select_for_update().get(pk=payment.pk)


def _refund(payment: Payment, amount: Decimal | None, staff, what: str) -> tuple[Refund, bool]:
    left = refundable_left(payment)
    amount = left if amount is None else amount
    refund = refund_by_staff(
        payment=payment, amount=amount, reason=f"Staff refund of {what}", staff=staff
    )
    full = amount == left
    if full:
        for booking in payment.bookings.select_for_update():
            booking_cancel(booking=booking)
    return refund, full


def order_refund_by_staff(*, order_id: int, staff, amount: Decimal | None = None) -> Refund:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        refund, full = _refund(
            _paid_payment(order=order), amount, staff, f"order {order.order_number}"
        )
        if full:
            order_mark_refunded(order=order, changed_by=staff)
    return refund


def booking_refund_by_staff(*, booking_id: int, staff, amount: Decimal | None = None) -> Refund:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        payment = _paid_payment(bookings=booking)
        refund, full = _refund(payment, amount, staff, f"booking {booking.book_id}")
        if full and payment.order_id:
            order_mark_refunded(
                order=Order.objects.select_for_update().get(pk=payment.order_id), changed_by=staff
            )
    return refund
