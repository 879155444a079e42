import logging
from datetime import date, time
from decimal import Decimal

from django.db import transaction

from cart.lines import BookingLine, slot_name, slot_of
from config.exceptions import Invalid, Unfulfillable
from config.tasks import enqueue_on_commit
from holds.signals import slot_freed
from holds.slots import locked_use, slot_has_passed, slot_locked, slot_refuse_when_full, slot_row

from .events import booking_event
from .models import Booking, BookingStatus
from .tasks import send_booking_cancellation

logger = logging.getLogger(__name__)


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
    booking = Booking.objects.create(
        user_id=user_id,
        puja_service_id=line["puja_service_id"],
        package_id=line["package_id"],
        selected_date=selected_date,
        selected_time=selected_time,
        total_amount=total_amount,
        payment=payment,
        cancel_until_hours=line.get("cancel_until_hours", 24),
        cancel_fee_percent=Decimal(line.get("cancel_fee_percent", "0")),
    )
    booking_event(booking, "booking.confirmed", names=(line["service_name"], line["package_name"]))
    return booking


def booking_cancel(*, booking: Booking) -> None:
    """A confirmed booking is cancelled and its slot is free again. The caller holds its
    row lock."""
    if booking.status == BookingStatus.CONFIRMED:
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
        booking_event(booking, "booking.cancelled")
        enqueue_on_commit(send_booking_cancellation, booking.pk)
        slot_freed.send(sender=Booking)


def _confirmed_locked(booking_id: int) -> Booking:
    booking = Booking.objects.select_for_update().select_related("puja_service").get(pk=booking_id)
    if booking.status != BookingStatus.CONFIRMED:
        raise Invalid(f"Booking {booking.book_id} is {booking.status}; only a confirmed one moves.")
    return booking


def booking_reschedule(
    *, booking_id: int, selected_date: date, selected_time: time, changed_by
) -> Booking:
    """Staff move a confirmed booking to another date and time of its puja: the new slot is
    locked and must have room (confirmed bookings and other devotees' holds count) and must
    not have begun. Its payment stands as it was: nothing is refunded or charged."""
    with transaction.atomic():
        booking = _confirmed_locked(booking_id)
        if (booking.selected_date, booking.selected_time) == (selected_date, selected_time):
            raise Invalid(f"Booking {booking.book_id} is already at that date and time.")
        name = f"{selected_date} {selected_time:%H:%M} for {booking.puja_service.name}"
        if slot_has_passed(selected_date=selected_date, selected_time=selected_time):
            raise Invalid(f"The slot {name} has already begun.")
        slot_id = slot_row(
            puja_service_id=booking.puja_service_id,
            selected_date=selected_date,
            selected_time=selected_time,
        )  # the booking's row, then the slot's: nothing locks them the other way round
        slot_refuse_when_full(locked_use(slot_locked(slot_id)), name=name)
        moved_from = f"{booking.selected_date} {booking.selected_time:%H:%M}"
        booking.selected_date, booking.selected_time = selected_date, selected_time
        booking.save(update_fields=["selected_date", "selected_time"])
        slot_freed.send(sender=Booking)  # the slot it left
    logger.info(
        "Booking %s moved from %s to %s by staff %s",
        booking.book_id,
        moved_from,
        f"{selected_date} {selected_time:%H:%M}",
        getattr(changed_by, "pk", None),
    )
    return booking


def booking_mark_completed(*, booking_id: int) -> Booking:
    """The puja took place: a confirmed booking whose slot has begun is completed."""
    with transaction.atomic():
        booking = _confirmed_locked(booking_id)
        slot = {"selected_date": booking.selected_date, "selected_time": booking.selected_time}
        if not slot_has_passed(**slot):
            raise Invalid(f"Booking {booking.book_id}'s puja has not begun yet.")
        booking.status = BookingStatus.COMPLETED
        booking.save(update_fields=["status"])
    return booking
