"""Staff refunds from admin: full (the order or booking is undone: stock back unless it has
shipped, the slot freed) or partial (the order stands). Each records who asked and why;
the money goes back through the one money-back service and its task. The payment's row
is locked first, so two staff refunding at once, or a staff refund and a dispute, never
return more than was captured."""

from decimal import Decimal

from django.db import transaction

from bookings.models import Booking
from orders.models import Order

from ..models import Payment, PaymentStatus, Refund
from .money_back import (
    RefundRefused,
    money_back_of,
    nothing_left_refused,
    payment_undo_fulfilment,
    refund_attempt,
)


def paid_payment_of(*, locked: bool = False, **lookup) -> Payment | None:
    """The fulfilled payment of an order (order=…) or booking (bookings=…), if any."""
    payments = Payment.objects.select_for_update() if locked else Payment.objects
    return payments.filter(
        status=PaymentStatus.SUCCESS, fulfilled_at__isnull=False, **lookup
    ).first()


def _refund(*, amount: Decimal | None, reason: str, staff, what: str, **lookup) -> Refund:
    found = paid_payment_of(**lookup)
    # Read again under the lock: another refund may have settled it meanwhile.
    payment = found and paid_payment_of(pk=found.pk, locked=True)
    if payment is None:
        raise RefundRefused("Nothing was paid for this that can be refunded.")
    figure = money_back_of(payment)
    left = figure.left
    if left <= 0:
        raise nothing_left_refused(figure, what)
    refund = refund_attempt(
        payment=payment,
        amount=left if amount is None else amount,
        reason=f"Staff refund of {what}: {reason.strip()}" if reason.strip() else "",
        staff=staff,
    )
    if refund.amount == left:  # all of it: what it bought is undone now
        payment_undo_fulfilment(payment, changed_by=staff)
    return refund


def order_refund_by_staff(
    *, order_id: int, staff, reason: str, amount: Decimal | None = None
) -> Refund:
    order = Order.objects.get(pk=order_id)
    with transaction.atomic():
        return _refund(
            amount=amount, reason=reason, staff=staff, what=f"order {order}", order_id=order_id
        )


def booking_refund_by_staff(
    *, booking_id: int, staff, reason: str, amount: Decimal | None = None
) -> Refund:
    booking = Booking.objects.get(pk=booking_id)
    with transaction.atomic():
        return _refund(
            amount=amount,
            reason=reason,
            staff=staff,
            what=f"booking {booking.book_id}",
            bookings=booking,
        )
