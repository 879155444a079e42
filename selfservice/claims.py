"""Claiming: a registered user takes the guest orders and bookings made with their account's
email, once they prove they read it (a one-time 6-digit code mailed to it)."""

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import User
from bookings.models import Booking
from config.emails import send_once
from config.exceptions import Invalid
from config.tasks import enqueue_on_commit
from orders.models import Order
from payments.models import Payment

from .models import EmailClaim

CODE_MINUTES = 15
CODE_TRIES = 5


def claim_code(claim: EmailClaim) -> str:
    mac = salted_hmac("paycart.email-claim", f"{claim.pk}:{claim.nonce}", algorithm="sha256")
    return f"{int(mac.hexdigest(), 16) % 1_000_000:06d}"


@transaction.atomic
def email_claim_start(*, user: User) -> EmailClaim:
    """A new code (any earlier one stops working), mailed by a job after commit."""
    EmailClaim.objects.filter(user=user, confirmed_at__isnull=True).update(tries_left=0)
    claim = EmailClaim.objects.create(
        user=user,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
        tries_left=CODE_TRIES,
    )
    enqueue_on_commit("selfservice.tasks.send_claim_code", claim.pk)
    return claim


def email_claim_send(*, claim_id: int) -> bool:
    """The code's email, once (a redelivered job sends nothing more)."""
    claim = EmailClaim.objects.select_related("user").get(pk=claim_id)
    return send_once(
        claim,
        "code_sent_at",
        subject="Your paycart code",
        body=f"Your code is {claim_code(claim)}. It works for {CODE_MINUTES} minutes.\n\n"
        "Enter it to see the orders and bookings made with this email without an account. "
        "If you did not ask for it, ignore this email.",
        to=claim.user.email,
    )


def email_claim_confirm(*, user: User, code: str) -> int:
    """The guest orders and bookings made with the account's email become the account's
    (with their payments and tax documents); answers how many orders and bookings."""
    with transaction.atomic():
        claim = (
            EmailClaim.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True, tries_left__gt=0)
            .first()
        )
        if claim is None or claim.expires_at <= timezone.now():
            raise Invalid("No code is waiting: ask for a new one.")
        if not hmac.compare_digest(claim_code(claim), str(code).strip()):
            claim.tries_left -= 1
            claim.save(update_fields=["tries_left"])
            wrong = Invalid("Wrong code.", tries_left=claim.tries_left)
        else:
            claim.claimed = _take_guest_purchases(user)
            claim.confirmed_at = timezone.now()
            claim.save(update_fields=["claimed", "confirmed_at"])
            return claim.claimed
    raise wrong  # after the commit: the spent try stays spent


def _take_guest_purchases(user: User) -> int:
    guests = User.objects.filter(is_guest=True, contact_email=user.email.lower()).values("pk")
    orders = Order.objects.filter(user__in=guests).update(user=user)
    bookings = Booking.objects.filter(user__in=guests).update(user=user)
    Payment.objects.filter(user__in=guests).update(user=user)
    # Their tax documents stay as issued (to the contact's name): they are reached through
    # the order or booking, whose owner the account now is.
    return orders + bookings
