"""What a view that welcomes guests needs: the authentication, starting a guest on the
first cart call, and the contact a guest's checkout names."""

import functools

from django.db import transaction
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from config.serializers import Input

from .authentication import GUESTS_WELCOME
from .guests import guest_contact_set, guest_start

__all__ = ["GUESTS_WELCOME", "GuestMayStart", "SignedInToRead", "guest_contact_take"]


def is_guest(user) -> bool:
    return bool(getattr(user, "is_guest", False))


class GuestMayStart(BasePermission):
    """A creating POST may come from nobody: it starts a guest (may_start_a_guest)."""

    def has_permission(self, request, view):
        return request.method == "POST" or bool(request.user and request.user.is_authenticated)


class SignedInToRead(BasePermission):
    """A guest may place (POST) but not list: reading needs an account (401)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if is_guest(request.user) and request.method != "POST":
            raise NotAuthenticated("Sign in to see this; a guest has the manage link.")
        return True


def may_start_a_guest(post):
    """Wrap a creating POST: with neither a bearer token nor a cart token, a new guest is
    started and the answer carries its `cart_token`; a refused call leaves no guest."""

    @functools.wraps(post)
    def wrapper(view, request, *args, **kwargs):
        if request.user and request.user.is_authenticated:
            return post(view, request, *args, **kwargs)
        with transaction.atomic():
            request.user, token = guest_start()
            response = post(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
        response.data["cart_token"] = token
        return response

    return wrapper


class ContactInput(Input):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=150)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{6,20}$", max_length=20, required=False)


class _GuestCheckoutInput(Input):
    contact = ContactInput()


def guest_contact_take(request) -> None:
    """A guest's checkout must say who pays (`contact`, a 400 naming the field when it is
    missing or malformed; a guest who named one before may leave it out); a signed-in
    user's ignores it."""
    if not is_guest(request.user):
        return
    given = request.data.get("contact") if hasattr(request.data, "get") else None
    if given is None and request.user.contact_email:
        return  # named before (an earlier checkout, or joining a waiting list)
    data = _GuestCheckoutInput(data={"contact": given})
    data.is_valid(raise_exception=True)
    contact = data.validated_data["contact"]
    guest_contact_set(
        user=request.user,
        email=contact["email"],
        name=contact["name"],
        phone=contact.get("phone", ""),
    )
