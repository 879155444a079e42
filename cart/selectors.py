from django.db.models import Q
from django.http import Http404

from .models import Cart, CartStatus


def cart_get_for_user(*, user, reference) -> Cart:
    """A cart of this user by numeric id or public cart_id; anyone else's is a 404."""
    lookup = Q(cart_id=str(reference))
    if str(reference).isdigit():
        lookup |= Q(pk=int(reference))
    cart = (
        Cart.objects.filter(lookup, user=user)
        .exclude(status=CartStatus.ABANDONED)
        .select_related("puja_service", "package")
        .first()
    )
    if cart is None:
        raise Http404("Cart not found.")
    return cart


def carts_for_user(*, user):
    return (
        Cart.objects.filter(user=user)
        .exclude(status=CartStatus.ABANDONED)
        .select_related("puja_service", "package")
        .prefetch_related("items__variant__product")
    )
