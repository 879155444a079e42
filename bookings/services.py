from datetime import date, datetime, time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Unfulfillable

from .models import Booking, BookingStatus


def slot_has_passed(*, selected_date: date, selected_time: time) -> bool:
    return timezone.make_aware(datetime.combine(selected_date, selected_time)) <= timezone.now()


def booking_create_confirmed(
    *, user_id: int, line: dict, total_amount: Decimal, payment
) -> Booking:
    """A confirmed booking for one paid booking line. The partial unique constraint over
    confirmed bookings decides a race for the slot; a slot that began while the devotee
    was paying can no longer be booked (the payment is refunded instead)."""
    selected_date = date.fromisoformat(line["selected_date"])
    selected_time = time.fromisoformat(line["selected_time"])
    if slot_has_passed(selected_date=selected_date, selected_time=selected_time):
        raise Unfulfillable(
            f"The slot {line['selected_date']} {line['selected_time']} for "
            f"{line['service_name']} began before the payment completed."
        )
    try:
        with transaction.atomic():
            return Booking.objects.create(
                user_id=user_id,
                puja_service_id=line["puja_service_id"],
                package_id=line["package_id"],
                selected_date=selected_date,
                selected_time=selected_time,
                total_amount=total_amount,
                payment=payment,
            )
    except IntegrityError as exc:
        raise Unfulfillable(
            f"The slot {line['selected_date']} {line['selected_time']} for "
            f"{line['service_name']} is already booked."
        ) from exc


def booking_cancel(*, booking: Booking) -> None:
    """A confirmed booking is cancelled and its slot is free again. The caller holds its
    row lock."""
    if booking.status == BookingStatus.CONFIRMED:
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
