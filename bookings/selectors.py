from datetime import date, time

from django.db.models import Count, Sum

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
