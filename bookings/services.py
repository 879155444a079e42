from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from cart.lines import BookingLine, slot_name, slot_of
from config.exceptions import Unfulfillable

from .models import Booking, BookingStatus
from .slots import locked_use, slot_locked, slot_refuse_when_full, slot_row


def slot_has_passed(*, selected_date: date, selected_time: time) -> bool:
    return timezone.make_aware(datetime.combine(selected_date, selected_time)) <= timezone.now()


def booking_create_confirmed(
    *, user_id: int, line: BookingLine, total_amount: Decimal, payment
) -> Booking:
    """A confirmed booking for one paid booking line, under the slot's lock: a slot whose
    capacity is taken (by bookings, or by other checkouts' holds) or that began while the
    devotee was paying can no longer be booked, and the payment is refunded instead. The
    payment's own holds were given up just before. Must run inside a transaction."""
    selected_date, selected_time = slot_of(line)
    name = slot_name(line)
    if slot_has_passed(selected_date=selected_date, selected_time=selected_time):
        raise Unfulfillable(f"The slot {name} began before the payment completed.")
    slot_id = slot_row(
        puja_service_id=line["puja_service_id"],
        selected_date=selected_date,
        selected_time=selected_time,
    )
    slot_refuse_when_full(locked_use(slot_locked(slot_id)), name=name)
    return Booking.objects.create(
        user_id=user_id,
        puja_service_id=line["puja_service_id"],
        package_id=line["package_id"],
        selected_date=selected_date,
        selected_time=selected_time,
        total_amount=total_amount,
        payment=payment,
    )


def booking_cancel(*, booking: Booking) -> None:
    """A confirmed booking is cancelled and its slot is free again. The caller holds its
    row lock."""
    if booking.status == BookingStatus.CONFIRMED:
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
