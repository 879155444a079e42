"""A devotee cancels their own booking within its package's policy: the booking cancelled
and its slot freed, the price less the fee kept refunded through the one refund path (its
credit note follows when the refund is processed); a shopper cancels their paid order until
it ships, refunded in full with its stock back. Asked again, the same answer."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.selectors import booking_cancel_quote
from bookings.services import booking_cancel
from config.exceptions import Conflict, Missing, Unprocessable
from orders.models import Order, OrderStatus
from orders.services import UNSHIPPED, order_cancel_paid

from ..models import Payment, PaymentStatus, Refund
from .money_back import dispute_open_for, money_back_of, payment_undo_fulfilment, refund_attempt


@dataclass(frozen=True)
class Cancelled:
    booking: Booking
    refund: Refund | None  # none when the fee kept is the whole price


def _reason(booking: Booking) -> str:
    return f"Cancelled by the devotee: booking {booking.book_id}"


def booking_cancel_by_owner(*, user, booking_id: int) -> Cancelled:
    """Locks in the house's order: the payment, then the booking."""
    found = Booking.objects.filter(pk=booking_id, user=user).only("payment_id").first()
    if found is None:
        raise Missing("Booking not found.")
    with transaction.atomic():
        # Locked whatever its status: once its refund is processed it is REFUNDED, and
        # asking again must still find the refund this cancellation made.
        payment = Payment.objects.select_for_update().filter(pk=found.payment_id).first()
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status == BookingStatus.CANCELLED and payment is not None:
            earlier = Refund.objects.filter(payment=payment, reason=_reason(booking))
            return Cancelled(booking, earlier.order_by("-created_at").first())  # its last try
        quote = booking_cancel_quote(booking, now=timezone.now())
        if not quote.allowed:
            raise Unprocessable(quote.reason, until=quote.until)
        if payment is None or payment.status != PaymentStatus.SUCCESS:
            raise Unprocessable("Nothing was paid for this booking that could be refunded.")
        if dispute_open_for(payment):
            raise Conflict("A dispute of its payment is open: the bank decides first.")
        booking.cancel_fee_kept = quote.fee
        booking.save(update_fields=["cancel_fee_kept"])
        booking_cancel(booking=booking)
        if quote.refund_amount <= 0:
            return Cancelled(booking, None)
        left = money_back_of(payment).left
        if left <= 0:  # the bank already returned it all
            return Cancelled(booking, None)
        refund = refund_attempt(
            payment=payment,
            amount=min(quote.refund_amount, left),
            reason=_reason(booking),
            staff=None,
        )
        if refund.amount == left:  # all that was paid goes back: nothing else stands
            payment_undo_fulfilment(payment)
        return Cancelled(booking, refund)


def order_cancel_paid_by_owner(*, user, order_id: int) -> Order:
    """The order's share of its payment goes back (a booking paid with it stays); locks in
    the house's order: the payment, then the order."""
    found = Order.objects.filter(pk=order_id, user=user).first()
    if found is None:
        raise Missing("Order not found.")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(order_id=order_id, status=PaymentStatus.SUCCESS, fulfilled_at__isnull=False)
            .first()
        )
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            return order  # asked again
        if order.status not in UNSHIPPED or payment is None:
            raise Unprocessable(f"Order {order.order_number} has shipped: return it instead.")
        if dispute_open_for(payment):
            raise Conflict("A dispute of its payment is open: the bank decides first.")
        order_cancel_paid(order=order, changed_by=user)
        amount = min(order.total, money_back_of(payment).left)
        if amount > 0:
            refund_attempt(
                payment=payment,
                amount=amount,
                reason=f"Cancelled by the shopper: order {order.order_number}",
                staff=None,
            )
        return order
