import re

from django.db.models import Q

from config.exceptions import Missing

from .models import Cart, CartStatus

CART_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # public cart_id, CART_USER1_001
NUMERIC_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits that fit a bigint


def _shoppers_carts(user):
    """The carts a user handles themselves: a payment link's cart belongs to its link."""
    return Cart.objects.filter(user=user, for_payment_link=False).exclude(
        status=CartStatus.ABANDONED
    )


def cart_get_for_user(*, user, reference) -> Cart:
    """A cart of this user by numeric id or public cart_id; anyone else's (and a payment
    link's) is a 404."""
    reference = str(reference)
    if not CART_ID.fullmatch(reference):
        raise Missing("Cart not found.")
    lookup = Q(cart_id=reference)
    if NUMERIC_ID.fullmatch(reference):
        lookup |= Q(pk=int(reference))
    cart = _shoppers_carts(user).filter(lookup).select_related("puja_service", "package").first()
    if cart is None:
        raise Missing("Cart not found.")
    return cart


def carts_for_user(*, user):
    return (
        _shoppers_carts(user)
        .select_related("puja_service", "package")
        .prefetch_related("items__variant__product")
    )
