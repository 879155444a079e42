"""How full a booking slot is: confirmed bookings plus what open checkouts hold, against
the service's slot_capacity. Whoever books or holds a slot locks its BookingSlot row
first (made on first use), so they take turns and the slot never takes more than its
capacity, on however many app servers."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import BookingSlot, PujaService
from config.exceptions import HeldElsewhere, Unfulfillable

from .selectors import free_again_at, held_quantity

# A booking takes its slot while its status is this (bookings.models.BookingStatus.CONFIRMED
# is defined from it). Bookings sit above holds, so their rows are reached through the
# service's reverse relation rather than an import.
SLOT_TAKEN = "CONFIRMED"


def slot_has_passed(*, selected_date: date, selected_time: time) -> bool:
    return timezone.make_aware(datetime.combine(selected_date, selected_time)) <= timezone.now()


def _bookings():
    return PujaService._meta.get_field("bookings").related_model._default_manager


def _confirmed_count(**slot) -> Coalesce:
    """Confirmed bookings of a slot, counted from the bookings themselves (whether or not
    they were made through a slot row: seed data and admin make them too)."""
    confirmed = (
        _bookings()
        .filter(status=SLOT_TAKEN, **slot)
        .order_by()
        .values("puja_service")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(confirmed, output_field=IntegerField()), Value(0))


def _with_use(slots, *, excluding: Q | None = None):
    booked = _confirmed_count(
        puja_service=OuterRef("puja_service"),
        selected_date=OuterRef("selected_date"),
        selected_time=OuterRef("selected_time"),
    )
    held = held_quantity(of="slot", excluding=excluding, slot=OuterRef("pk"))
    return slots.annotate(booked=booked, held=held).select_related("puja_service")


def slot_row(*, puja_service_id: int, selected_date: date, selected_time: time) -> int:
    """The id of the slot's row, made if it is missing (whoever races to make it)."""
    where = {
        "puja_service_id": puja_service_id,
        "selected_date": selected_date,
        "selected_time": selected_time,
    }
    BookingSlot.objects.bulk_create([BookingSlot(**where)], ignore_conflicts=True)
    return BookingSlot.objects.values_list("pk", flat=True).get(**where)


def slot_locked(slot_id: int, *, excluding: Q | None = None) -> BookingSlot:
    """The slot's row locked, then read again with `booked` and `held` (but the holds
    `excluding` names): in a statement of its own, begun once the lock is ours, so it sees
    whatever the transaction it waited for committed. Must run inside a transaction."""
    BookingSlot.objects.select_for_update(no_key=True).filter(pk=slot_id).values_list("pk").get()
    return _with_use(BookingSlot.objects, excluding=excluding).get(pk=slot_id)


@dataclass(frozen=True)
class SlotUse:
    capacity: int
    booked: int
    held: int
    slot_id: int | None = None  # None: nobody has booked or held it yet

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked - self.held, 0)


def slot_use(
    *,
    puja_service: PujaService,
    selected_date: date,
    selected_time: time,
    excluding: Q | None = None,
) -> SlotUse:
    """How full a slot is now, in one query, without locking it (advisory: the lock
    decides); holds that `excluding` names (a cart's own) are left out."""
    slot = {"selected_date": selected_date, "selected_time": selected_time}
    read = (
        PujaService.objects.filter(pk=puja_service.pk)
        .annotate(
            booked=_confirmed_count(puja_service=OuterRef("pk"), **slot),
            held=held_quantity(
                of="slot",
                excluding=excluding,
                slot__puja_service=OuterRef("pk"),
                slot__selected_date=selected_date,
                slot__selected_time=selected_time,
            ),
            slot_id=Subquery(
                BookingSlot.objects.filter(puja_service=OuterRef("pk"), **slot).values("pk")[:1]
            ),
        )
        .values("booked", "held", "slot_id")
        .get()
    )
    return SlotUse(capacity=puja_service.slot_capacity, **read)


def slot_refuse_when_full(use: SlotUse, *, name: str, excluding: Q | None = None) -> None:
    """Unfulfillable when confirmed bookings fill the slot; HeldElsewhere (with when to try
    again) when open checkouts (but those `excluding` names) hold what is left of it."""
    if use.booked >= use.capacity:
        raise Unfulfillable(f"The slot {name} is already booked.")
    if use.left == 0:
        raise HeldElsewhere(
            f"The slot {name} is held by another devotee's checkout; try again shortly.",
            held_until=free_again_at(slot_id=use.slot_id, need=1, excluding=excluding),
        )


def locked_use(slot: BookingSlot) -> SlotUse:
    return SlotUse(
        capacity=slot.puja_service.slot_capacity,
        booked=slot.booked,
        held=slot.held,
        slot_id=slot.pk,
    )
