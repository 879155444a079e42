from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from catalog.models import PujaService
from holds.selectors import holds_active
from holds.slots import SlotUse

from .models import Booking, BookingStatus


def day_use(*, puja_service: PujaService, day: date) -> dict[time, SlotUse]:
    """Every slot of one day that has a confirmed booking or an active hold, by its time."""
    booked = dict(
        Booking.objects.filter(
            puja_service=puja_service, selected_date=day, status=BookingStatus.CONFIRMED
        )
        .order_by()
        .values("selected_time")
        .annotate(n=Count("pk"))
        .values_list("selected_time", "n")
    )
    held = {
        row["slot__selected_time"]: row
        for row in holds_active()
        .filter(slot__puja_service=puja_service, slot__selected_date=day)
        .order_by()
        .values("slot__selected_time", "slot_id")
        .annotate(n=Sum("quantity"))
    }
    return {
        at: SlotUse(
            capacity=puja_service.slot_capacity,
            booked=booked.get(at, 0),
            held=held[at]["n"] if at in held else 0,
            slot_id=held[at]["slot_id"] if at in held else None,
        )
        for at in sorted(set(booked) | set(held))
    }


@dataclass(frozen=True)
class CancelQuote:
    """What cancelling a booking now would do, under the terms fixed when it was paid."""

    allowed: bool
    until: datetime | None  # the last moment the devotee may cancel (an order: none)
    fee: Decimal  # kept by the shop
    refund_amount: Decimal
    reason: str = ""  # why not, when not allowed


def booking_cancel_quote(booking: Booking, *, now: datetime | None = None) -> CancelQuote:
    slot = timezone.make_aware(datetime.combine(booking.selected_date, booking.selected_time))
    until = slot - timedelta(hours=booking.cancel_until_hours)
    fee = (booking.total_amount * booking.cancel_fee_percent / 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    refund_amount = booking.total_amount - fee
    reason = ""
    if booking.status == BookingStatus.CANCELLED:
        reason = "The booking is already cancelled."
    elif booking.status == BookingStatus.COMPLETED or slot <= (now or timezone.now()):
        reason = "The puja has already taken place."
    elif (now or timezone.now()) > until:
        reason = f"Bookings of this package can be cancelled until {booking.cancel_until_hours} hours before the puja."
    return CancelQuote(not reason, until, fee, refund_amount, reason)
