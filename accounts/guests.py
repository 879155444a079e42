"""Guests: checkout without an account. A guest is a User row of its own (is_guest, a
placeholder email, no password) found by the cart token its first cart call was given."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.secret_tokens import secret_token_digest, secret_token_new

from .models import Guest, User

GUEST_EMAIL_DOMAIN = "guests.invalid"  # RFC 2606: can never be anyone's mailbox


@transaction.atomic
def guest_start() -> tuple[User, str]:
    """A new guest and its cart token (shown once: only its digest is kept)."""
    token, digest = secret_token_new()
    user = User.objects.create_user(
        email=f"guest-{secrets.token_hex(12)}@{GUEST_EMAIL_DOMAIN}", is_guest=True
    )
    Guest.objects.create(
        user=user,
        token_digest=digest,
        expires_at=timezone.now() + timedelta(days=settings.GUEST_CART_DAYS),
    )
    return user, token


def guest_by_cart_token(token: str) -> User | None:
    """The guest this cart token names, while its carts live (GUEST_CART_DAYS)."""
    guest = (
        Guest.objects.select_related("user")
        .filter(
            token_digest=secret_token_digest(token),
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    return guest.user if guest else None


def guest_contact_set(*, user: User, email: str, name: str, phone: str = "") -> None:
    """Who a guest's checkout is for: their receipts go to this email and their tax
    documents name them. Written only when it changed (a retry costs no statement)."""
    contact = {"contact_email": email.strip().lower(), "first_name": name.strip(), "phone": phone}
    if all(getattr(user, field) == value for field, value in contact.items()):
        return
    User.objects.filter(pk=user.pk, is_guest=True).update(**contact)
    for field, value in contact.items():
        setattr(user, field, value)
