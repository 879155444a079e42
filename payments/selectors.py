from dataclasses import dataclass

from bookings.models import Booking
from cart.selectors import cart_get_for_user
from config.exceptions import Missing
from orders.models import Order

from .models import Payment


@dataclass(frozen=True)
class Purchase:
    """What one payment bought: an order, bookings, or both (a mixed cart). Every app that
    follows money to what it paid for (disputes, settlements, refunds, events) asks this
    once instead of forking on order and bookings itself."""

    order: Order | None
    bookings: tuple[Booking, ...]

    @property
    def sales(self) -> list[Order | Booking]:
        """The order first, then the bookings, oldest first."""
        return ([self.order] if self.order is not None else []) + list(self.bookings)

    @property
    def order_number(self) -> str | None:
        return self.order.order_number if self.order is not None else None

    @property
    def booking_ids(self) -> list[str]:
        return [booking.book_id for booking in self.bookings]


def purchase_of(payment: Payment) -> Purchase:
    """What the payment bought (read with any prefetch of `order` and `bookings` the
    caller made)."""
    order = payment.order if payment.order_id else None
    bookings = sorted(payment.bookings.all(), key=lambda booking: booking.pk)
    return Purchase(order=order, bookings=tuple(bookings))


def payment_get_for_user(*, user, **lookup) -> Payment:
    """One of the user's payments; anyone else's is a 404, exactly as a missing one."""
    payment = Payment.objects.filter(user=user, **lookup).select_related("order", "cart").first()
    if payment is None:
        raise Missing("Payment not found.")
    return payment


def payment_latest_for_cart(*, user, cart_ref) -> Payment:
    cart = cart_get_for_user(user=user, reference=cart_ref)
    payment = cart.payments.order_by("-created_at").first()
    if payment is None:
        raise Missing("No payment for this cart.")
    return payment
