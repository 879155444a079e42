"""Holding what a payment-first checkout needs while the shopper pays. A payment takes its
holds in the transaction that creates it, before any provider order is made: slots first,
then variants (the order fulfilment locks them in too), each row locked and its confirmed
bookings, stock and active holds read once the lock is ours. Whatever someone else holds refuses
the checkout with HeldElsewhere and when to try again. A hold ends with its payment:
fulfilled (the stock is taken and the booking made), failed, expired or cancelled, or by
itself when its time runs out."""

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import router
from django.db.models import Min, Q
from django.utils import timezone

from cart.lines import (
    BookingLine,
    Line,
    booking_lines,
    product_lines,
    product_name,
    slot_name,
    slot_of,
    units_of,
)
from config.exceptions import TooMany
from config.locking import lock_then_read

from .models import Hold
from .selectors import holds_active
from .signals import slot_freed
from .slots import locked_use, slot_locked, slot_refuse_when_full, slot_row
from .stock import refuse_shortage, shortages, stock_locked


def holds_of_cart(cart) -> Q:
    """The holds a cart's checkouts took (which a new payment of it takes over)."""
    return Q(cart=cart)


def _owned_by(payment) -> Q:
    """A checkout's holds: its cart's (whichever payment of the cart took them), or, with
    no cart (a payment link), its own."""
    return Q(cart_id=payment.cart_id) if payment.cart_id else Q(payment_id=payment.pk)


def _slot_row_of(line: BookingLine) -> int:
    selected_date, selected_time = slot_of(line)
    return slot_row(
        puja_service_id=line["puja_service_id"],
        selected_date=selected_date,
        selected_time=selected_time,
    )


def _check_slots(slot_ids: list[int], lines: list[BookingLine], *, own: Q) -> None:
    """Each slot locked, then its use read with this checkout's own place in it."""
    pairs = sorted(zip(slot_ids, lines, strict=True), key=lambda pair: pair[0])  # id order
    for slot_id, line in pairs:
        use = locked_use(slot_locked(slot_id, excluding=own))
        slot_refuse_when_full(use, name=slot_name(line), excluding=own)


def _check_stock(quantities: Counter, names: dict, *, own: Q) -> None:
    """The variants locked in id order, then what others hold of them (this checkout's
    cart's holds left out, so two payments of one cart never refuse each other)."""
    variants = stock_locked(quantities, excluding=own)
    if short := shortages(variants, quantities):
        refuse_shortage(short[0], names[short[0].variant_id], excluding=own)


def holds_turn(*, cart, guest_contact: str = "") -> bool:
    """A shopper's payment-first checkouts take turns: the owner's row is locked, then the
    carts whose checkouts hold something now are read (one round trip). So two checkouts
    of one cart never both add holds (the second sees the first's and takes them over), and
    fair use cannot be raced: a checkout that would make more than CHECKOUT_HOLDS_PER_USER
    of the owner's carts hold stock or slots at once is refused (TooMany) before any
    provider call. A payment link's cart is staff's, not the customer's: it neither counts
    nor is counted. A guest's count takes in every guest cart of the same contact email
    (`guest_contact`), so fresh cart tokens do not multiply the limit. Answers whether this
    cart's checkouts hold anything (to take over). Must run inside the transaction that
    takes the holds."""
    owners = Q(cart__user_id=cart.user_id)
    if guest_contact:
        owners |= Q(cart__user__is_guest=True, cart__user__contact_email=guest_contact)
    holding = (
        holds_active()
        .filter(owners, cart__for_payment_link=False)
        .order_by()
        .values_list("cart_id")
        .distinct()
    )
    users = get_user_model()._meta.db_table
    lock = f"SELECT id FROM {users} WHERE id = %s FOR NO KEY UPDATE", [cart.user_id]
    sql, params = holding.query.sql_with_params()
    holders = {row[0] for row in lock_then_read(router.db_for_write(Hold), lock, (sql, [*params]))}
    here = cart.pk in holders
    others = holders - {cart.pk}
    if not cart.for_payment_link and len(others) >= settings.CHECKOUT_HOLDS_PER_USER:
        soonest = holds_active().filter(cart_id__in=others).aggregate(at=Min("expires_at"))["at"]
        raise TooMany(
            f"You have {len(others)} checkouts under way holding stock or slots, the most at "
            "once; finish or leave one, or try again when one ends.",
            retry_after=(soonest - timezone.now()).total_seconds() + 1,
        )
    return here


def hold_ends_at(seconds: int | None = None) -> datetime | None:
    """When a hold taken now for `seconds` (by default CHECKOUT_HOLD_SECONDS: a payment
    link holds for its own life) ends; None with holds off (CHECKOUT_HOLD_SECONDS=0)."""
    if not settings.CHECKOUT_HOLD_SECONDS:
        return None
    return timezone.now() + timedelta(seconds=seconds or settings.CHECKOUT_HOLD_SECONDS)


def holds_take(*, payment, lines: list[Line], until: datetime, takes_over: bool = True) -> None:
    """Hold what `lines` (a snapshot's) need until `until`, for `payment`, or refuse
    (HeldElsewhere, Unfulfillable). A new payment of a cart takes the cart's holds over:
    they are replaced (`takes_over` False: the caller knows the cart holds nothing, and a
    first checkout saves the statement). Must run inside the transaction that creates the
    payment.

    The hold rows are written first, unseen by anyone until the commit; then the rows
    they hold are locked and checked, and the commit follows at once: a popular variant's
    row stays locked for two statements, as in fulfilment. A refusal rolls the rows back."""
    if takes_over:
        Hold.objects.filter(_owned_by(payment)).delete()  # taken over, or refreshed
    bookings, products = booking_lines(lines), product_lines(lines)
    slot_ids = [_slot_row_of(line) for line in bookings]
    quantities = units_of(products)
    names = {line["variant_id"]: product_name(line) for line in products}
    mine = {"payment": payment, "cart_id": payment.cart_id, "expires_at": until}
    Hold.objects.bulk_create(
        [Hold(slot_id=slot_id, **mine) for slot_id in slot_ids]
        + [Hold(variant_id=pk, quantity=n, **mine) for pk, n in quantities.items()]
    )
    own = _owned_by(payment)
    _check_slots(slot_ids, bookings, own=own)  # slots first, then variants: fulfilment's order
    if quantities:
        _check_stock(quantities, names, own=own)


def holds_end(*, payment) -> None:
    """The checkout is settled (fulfilled, or paid and flagged for refund): its holds go,
    whichever payment of its cart took them."""
    Hold.objects.filter(_owned_by(payment) | Q(payment_id=payment.pk)).delete()


def holds_release(*, payment_id) -> None:
    """The payment failed, expired or was cancelled: the holds it took go (a newer payment
    of the same cart keeps the ones it took over)."""
    released = Hold.objects.filter(payment_id=payment_id)
    frees_a_place = released.filter(slot__isnull=False).exists()  # stock has no waiting list
    released.delete()
    if frees_a_place:
        slot_freed.send(sender=Hold)


def holds_offer(*, cart, slot_id: int, until: datetime) -> bool:
    """Hold one place of a slot for a waiting list's offer (its cart) until `until`, if the
    slot has one; the slot is locked first, like any checkout's. Must run inside a
    transaction."""
    if locked_use(slot_locked(slot_id)).left < 1:
        return False
    Hold.objects.create(cart=cart, slot_id=slot_id, expires_at=until)
    return True


def holds_of_offer_end(*, cart) -> None:
    """The offer was left or lapsed: its place goes back (a checkout of the cart that took
    it over keeps its own)."""
    Hold.objects.filter(cart=cart, payment__isnull=True).delete()


def hold_release_by_staff(*, hold_id: int) -> None:
    """Staff let a hold go before its time (a shopper who gave up on the phone, say); the
    payment stays payable, and its success is then fulfilled if the stock is still free."""
    Hold.objects.filter(pk=hold_id).delete()


# Holds that ran out stay this long, for the payment-health page and the gauge of holds
# that lapsed without payment; then beat prunes them.
LAPSED_KEPT = timedelta(hours=24)


def holds_prune() -> int:
    return Hold.objects.filter(expires_at__lt=timezone.now() - LAPSED_KEPT).delete()[0]
