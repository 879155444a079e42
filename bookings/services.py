from datetime import date, time
from decimal import Decimal

from django.db import IntegrityError, transaction

from config.errors import Unfulfillable

from .models import Booking, BookingStatus


def booking_create_confirmed(
    *, user_id: int, line: dict, total_amount: Decimal, payment
) -> Booking:
    """A confirmed booking for one paid booking line. The partial unique constraint over
    confirmed bookings decides a race for the slot."""
    try:
        with transaction.atomic():
            return Booking.objects.create(
                user_id=user_id,
                puja_service_id=line["puja_service_id"],
                package_id=line["package_id"],
                selected_date=date.fromisoformat(line["selected_date"]),
                selected_time=time.fromisoformat(line["selected_time"]),
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
