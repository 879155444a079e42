"""A guest's proof: the X-Cart-Token header, accepted only by the views that welcome
guests (GUESTS_WELCOME); everywhere else a guest is nobody (401)."""

from collections.abc import Callable

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound
from rest_framework_simplejwt.authentication import JWTAuthentication

from .guests import guest_by_cart_token
from .models import User

CART_TOKEN_HEADER = "X-Cart-Token"
# Other headers that prove a guest (an app above registers its own: the waiting list's
# X-Waitlist-Token), each with how to find the guest it names.
_guest_headers: dict[str, Callable[[str], User | None]] = {CART_TOKEN_HEADER: guest_by_cart_token}


def guest_header_register(header: str, guest_of: Callable[[str], User | None]) -> None:
    _guest_headers[header] = guest_of


class CartTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        for header, guest_of in _guest_headers.items():
            token = request.headers.get(header)
            if token is None:
                continue
            user = guest_of(token)
            if user is None:  # the contract: a wrong or lapsed token is a missing cart
                raise NotFound(f"Cart not found: the {header} is wrong or has expired.")
            return user, None
        return None


class CartTokenScheme(OpenApiAuthenticationExtension):
    target_class = CartTokenAuthentication
    name = "cartToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": CART_TOKEN_HEADER}


# A signed-in user's bearer token first; a guest's cart token otherwise.
GUESTS_WELCOME = [JWTAuthentication, CartTokenAuthentication]
