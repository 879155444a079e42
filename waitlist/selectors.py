from django.db.models import Q

from accounts.models import User
from cart.models import CartStatus
from config.exceptions import Missing
from config.secret_tokens import WAITLIST_SALT, manage_key_of

from .models import STANDING, EntryStatus, WaitlistEntry


def entry_by_token(token: str) -> WaitlistEntry:
    key = manage_key_of(token, salt=WAITLIST_SALT)
    entry = key and (
        WaitlistEntry.objects.select_related("slot__puja_service", "cart").filter(key=key).first()
    )
    if not entry:
        raise Missing("No waiting list entry has this link.")
    offer_paid = entry.cart is not None and entry.cart.status == CartStatus.CONVERTED
    if entry.status == EntryStatus.OFFERED and offer_paid:
        entry.status = EntryStatus.BOOKED  # its offer was paid for (the sweep records it)
    return entry


def guest_by_waitlist_token(token: str) -> User | None:
    """The guest an entry was made for, while it stands or once booked: they book their
    offer with it and follow that checkout. A registered user's entry proves nothing more
    than the entry (they sign in instead)."""
    key = manage_key_of(token, salt=WAITLIST_SALT)
    entry = (
        key
        and WaitlistEntry.objects.select_related("user")
        .filter(key=key, status__in=[*STANDING, EntryStatus.BOOKED], user__is_guest=True)
        .first()
    )
    return entry.user if entry else None


def entry_position(entry: WaitlistEntry) -> int | None:
    """1 for the next to be offered a place; None once it is no longer waiting."""
    if entry.status != EntryStatus.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(
        slot_id=entry.slot_id, status=EntryStatus.WAITING, pk__lt=entry.pk
    )
    return ahead.count() + 1


def entries_waiting_in(slot_id: int):
    return WaitlistEntry.objects.filter(slot_id=slot_id, status=EntryStatus.WAITING)


def offers_taken() -> Q:
    """Offers whose cart was paid for: their booking stands."""
    return Q(status=EntryStatus.OFFERED, cart__status=CartStatus.CONVERTED)
