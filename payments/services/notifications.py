"""Receipts and booking confirmations that never went out (the broker was down when they
were due) are sent again; the claim in config.emails keeps each to one email."""

from datetime import timedelta

from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.tasks import send_booking_confirmation
from orders.models import Order, OrderPaymentStatus
from orders.tasks import send_receipt

# Give the first attempt time to finish; give up on very old ones (staff can see them).
GRACE = timedelta(minutes=10)
HORIZON = timedelta(days=2)


def notifications_resend_unsent() -> int:
    now = timezone.now()
    due = (now - HORIZON, now - GRACE)
    orders = Order.objects.filter(
        payment_status=OrderPaymentStatus.PAID, receipt_sent_at__isnull=True, paid_at__range=due
    ).values_list("pk", flat=True)
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, confirmation_sent_at__isnull=True, created_at__range=due
    ).values_list("pk", flat=True)
    for order_id in orders:
        send_receipt.delay(order_id)
    for booking_id in bookings:
        send_booking_confirmation.delay(booking_id)
    return len(orders) + len(bookings)
