from cart.selectors import cart_get_for_user
from config.exceptions import Missing

from .models import Payment


def payment_get_for_user(*, user, **lookup) -> Payment:
    """One of the user's payments; anyone else's is a 404, exactly as a missing one."""
    payment = Payment.objects.filter(user=user, **lookup).select_related("order", "cart").first()
    if payment is None:
        raise Missing("Payment not found.")
    return payment


def payment_latest_for_cart(*, user, cart_ref) -> Payment:
    cart = cart_get_for_user(user=user, reference=cart_ref)
    payment = cart.payments.order_by("-created_at").first()
    if payment is None:
        raise Missing("No payment for this cart.")
    return payment
