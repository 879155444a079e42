"""Mailing a person the manage links of their purchases ("resend my links")."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from config.secret_tokens import manage_url
from config.tasks import enqueue_on_commit

from .selectors import purchases_of_email

# One "resend my links" email per address in this long, however often it is asked for:
# nobody can fill someone's inbox with them.
LINKS_EMAIL_EVERY_SECONDS = 300


def manage_links_request(*, email: str) -> None:
    """Answered alike whether or not the email bought anything: the job looks."""
    email = email.strip().lower()
    digest = hashlib.sha256(email.encode()).hexdigest()
    if cache.add(f"manage-links:{digest}", 1, timeout=LINKS_EMAIL_EVERY_SECONDS):
        enqueue_on_commit("selfservice.tasks.send_manage_links", email)


def manage_links_send(*, email: str) -> int:
    """One email with the links of that address's orders and bookings of the last 12
    months; none when there are none. Answers how many links went."""
    orders, bookings = purchases_of_email(email)
    lines = [f"  Order {o.order_number}: {manage_url(o)}" for o in orders] + [
        f"  Puja booking {b.book_id} on {b.selected_date:%d %b %Y}: {manage_url(b)}"
        for b in bookings
    ]
    if not lines:
        return 0
    send_mail(
        "Your paycart orders and bookings",
        "You asked for the links to your orders and bookings of the last 12 months. Each "
        "opens one of them: see it, download its bill, or cancel it while its terms allow.\n\n"
        + "\n".join(lines)
        + "\n\nIf you did not ask, ignore this email: the links work only for whoever holds "
        "them.",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )
    return len(lines)
