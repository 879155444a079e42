"""A guest's proof: the X-Cart-Token header, accepted only by the views that welcome
guests (GUESTS_WELCOME); everywhere else a guest is nobody (401)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound
from rest_framework_simplejwt.authentication import JWTAuthentication

from .guests import guest_by_cart_token

CART_TOKEN_HEADER = "X-Cart-Token"


class CartTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get(CART_TOKEN_HEADER)
        if token is None:
            return None
        user = guest_by_cart_token(token)
        if user is None:  # the contract: a wrong or lapsed cart token is a missing cart
            raise NotFound("Cart not found: the cart token is wrong or has expired.")
        return user, None


class CartTokenScheme(OpenApiAuthenticationExtension):
    target_class = CartTokenAuthentication
    name = "cartToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": CART_TOKEN_HEADER}


# A signed-in user's bearer token first; a guest's cart token otherwise.
GUESTS_WELCOME = [JWTAuthentication, CartTokenAuthentication]
