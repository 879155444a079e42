"""Joining, leaving and offering: a place that frees in a full slot is held for the first
devotee waiting, as a booking cart with the place held on it until the offer's deadline.
Every step locks the slot's row first, as every checkout and booking of it does, so a
freed place is never both offered and sold, nor offered twice."""

import logging
from datetime import date, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.guests import guest_contact_set, guest_start
from accounts.models import User
from cart.models import CartStatus
from cart.services import booking_cart_create, cart_abandon
from catalog.models import BookingSlot, PujaPackage
from config.emails import send_once
from config.exceptions import Conflict, DomainError, Invalid
from config.secret_tokens import waitlist_url
from config.tasks import enqueue_on_commit
from holds.selectors import holds_active
from holds.services import holds_of_offer_end, holds_offer
from holds.slots import locked_use, slot_has_passed, slot_locked, slot_row

from .events import offer_event
from .models import STANDING, EntryStatus, WaitlistEntry
from .selectors import entries_waiting_in, offers_taken

logger = logging.getLogger(__name__)


def _person(user: User | None, contact_email: str) -> str:
    if user is not None and not user.is_guest:
        return f"user:{user.pk}"
    return contact_email.strip().lower()


def waitlist_join(
    *,
    user: User | None,
    contact: dict | None,
    puja_service_id: int,
    package_id: int,
    selected_date: date,
    selected_time: time,
) -> tuple[WaitlistEntry, bool]:
    """A place on the slot's list (and whether it is new: the same person again gets the
    entry they have). A signed-in user is themselves; a guest names a contact."""
    package = (
        PujaPackage.objects.select_related("service")
        .filter(pk=package_id, service_id=puja_service_id, service__is_active=True)
        .first()
    )
    if package is None:
        raise Invalid("This package does not belong to an active puja service.")
    if slot_has_passed(selected_date=selected_date, selected_time=selected_time):
        raise Invalid("The selected date and time are in the past.")
    named = (contact or {}).get("email") or (user.contact_email if user else "")
    if (user is None or user.is_guest) and not named:
        raise Invalid("contact: a guest names who waits ({email, name, phone?}).")
    person = _person(user, named)
    slot_id = slot_row(
        puja_service_id=puja_service_id, selected_date=selected_date, selected_time=selected_time
    )
    with transaction.atomic():
        use = locked_use(slot_locked(slot_id))
        standing = WaitlistEntry.objects.filter(slot_id=slot_id, status__in=STANDING)
        if mine := standing.filter(person=person).first():
            return mine, False
        if use.left > 0 and not entries_waiting_in(slot_id).exists():
            raise Conflict("This slot has room: book it instead.")
        if standing.count() >= settings.WAITLIST_PER_SLOT:
            raise Conflict("The waiting list of this slot is full.")
        if user is None:
            user, _ = guest_start()
        if user.is_guest and contact:
            guest_contact_set(user=user, **contact)
        entry = WaitlistEntry.objects.create(
            slot_id=slot_id, package=package, user=user, person=person
        )
    return entry, True


def waitlist_leave(*, entry: WaitlistEntry) -> None:
    """Off the list; an offer it held passes on to the next."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("cart")
            .get(pk=entry.pk)
        )
        if entry.status not in STANDING:
            return
        _end_offer(entry, EntryStatus.LEFT)


def _end_offer(entry: WaitlistEntry, status: str) -> None:
    if entry.cart is not None and entry.cart.status == CartStatus.ACTIVE:
        holds_of_offer_end(cart=entry.cart)
        cart_abandon(cart=entry.cart)
    entry.status = status
    entry.save(update_fields=["status"])
    if entry.offered_at:
        offer_soon()


def offer_soon(**_signal) -> None:
    """After this transaction commits, look for freed places to offer (a job)."""
    enqueue_on_commit("waitlist.tasks.offer_freed_places")


def waitlist_offer_freed_places() -> int:
    """Offers taken become BOOKED, offers not taken in time EXPIRED; then every slot with
    someone waiting offers its free places to the first in line. Answers how many offers
    were made. Safe to run on several workers at once: each slot is locked."""
    WaitlistEntry.objects.filter(offers_taken()).update(status=EntryStatus.BOOKED)
    _expire_lapsed_offers()
    _announce_unannounced_offers()
    waiting = WaitlistEntry.objects.filter(status=EntryStatus.WAITING)
    offered = 0
    for slot_id in list(waiting.order_by("slot_id").values_list("slot_id", flat=True).distinct()):
        try:
            offered += _offer_in(slot_id)
        except DomainError as refused:  # a service withdrawn, say: the other slots go on
            logger.warning("Waiting list of slot %s not offered: %s", slot_id, refused)
    return offered


def _announce_unannounced_offers() -> None:
    """An offer whose email job was lost (a broker outage) is announced again; send_once
    keeps it to one email."""
    unsent = WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED,
        offer_sent_at__isnull=True,
        offered_at__lt=timezone.now() - timedelta(minutes=1),
    ).values_list("pk", flat=True)
    for entry_id in unsent:
        enqueue_on_commit("waitlist.tasks.send_offer", entry_id)


def _expire_lapsed_offers() -> None:
    lapsed = WaitlistEntry.objects.filter(
        status=EntryStatus.OFFERED, offer_expires_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for entry_id in lapsed:
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.select_for_update(of=("self",))
                .select_related("cart")
                .filter(pk=entry_id, status=EntryStatus.OFFERED)
                .first()
            )
            # A checkout of the offer under way keeps it until that checkout ends.
            if entry is None or holds_active().filter(cart=entry.cart).exists():
                continue
            if entry.cart is not None and entry.cart.status == CartStatus.CONVERTED:
                entry.status = EntryStatus.BOOKED
                entry.save(update_fields=["status"])
                continue
            _end_offer(entry, EntryStatus.EXPIRED)


def _offer_in(slot_id: int) -> int:
    with transaction.atomic():
        slot: BookingSlot = slot_locked(slot_id)
        if slot_has_passed(selected_date=slot.selected_date, selected_time=slot.selected_time):
            entries_waiting_in(slot_id).update(status=EntryStatus.EXPIRED)
            return 0
        free = locked_use(slot).left
        first = list(
            entries_waiting_in(slot_id).select_related("user", "slot").order_by("pk")[:free]
        )
        for entry in first:
            _offer(entry, slot)
        return len(first)


def _offer(entry: WaitlistEntry, slot: BookingSlot) -> None:
    now = timezone.now()
    cart = booking_cart_create(
        user=entry.user,
        puja_service_id=slot.puja_service_id,
        package_id=entry.package_id,
        selected_date=slot.selected_date,
        selected_time=slot.selected_time,
    )
    until = now + timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)
    if not holds_offer(cart=cart, slot_id=slot.pk, until=until):
        raise Conflict("The freed place was taken meanwhile.")
    entry.status, entry.offered_at, entry.offer_expires_at, entry.cart = (
        EntryStatus.OFFERED,
        now,
        until,
        cart,
    )
    entry.save(update_fields=["status", "offered_at", "offer_expires_at", "cart"])
    offer_event(entry, until)
    enqueue_on_commit("waitlist.tasks.send_offer", entry.pk)


def offer_email_send(*, entry_id: int) -> bool:
    """The offer's email, once: the place is held until the deadline, and the link."""
    entry = WaitlistEntry.objects.select_related("user", "slot__puja_service", "cart").get(
        pk=entry_id
    )
    when = f"{entry.slot.selected_date:%d %b %Y} at {entry.slot.selected_time:%H:%M}"
    deadline = timezone.localtime(entry.offer_expires_at)
    return send_once(
        entry,
        "offer_sent_at",
        subject=f"A place is free: {entry.slot.puja_service.name} on {when}",
        body=(
            f"A place in {entry.slot.puja_service.name} on {when} is free, and held for you "
            f"until {deadline:%d %b %Y %H:%M}.\n\nBook it here: {waitlist_url(entry.key)}\n\n"
            "If you no longer want it, leave the waiting list from the same page: the place "
            "then goes to the next devotee."
        ),
        to=entry.user.reach_email,
    )
