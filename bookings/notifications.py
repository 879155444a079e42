from config.emails import attachments_for, send_once, tax_document_note
from config.secret_tokens import manage_url

from .models import Booking


def booking_confirmation_send(*, booking_id: int) -> bool:
    """The confirmed booking's confirmation, once."""
    booking = Booking.objects.select_related("user", "puja_service", "package").get(pk=booking_id)
    return send_once(
        booking,
        "confirmation_sent_at",
        subject=f"Your puja booking {booking.book_id} is confirmed",
        body=(
            f"Your booking {booking.book_id} is confirmed.\n\n"
            f"  {booking.puja_service.name} ({booking.package.name})\n"
            f"  {booking.selected_date:%d %b %Y} at {booking.selected_time:%H:%M}\n\n"
            f"Total paid: {booking.total_amount}\n{tax_document_note()}\n"
            f"See or cancel this booking, or download its bill: {manage_url(booking)}\n"
        ),
        to=booking.user.reach_email,
        attachments=attachments_for("booking", booking),
    )


def booking_cancellation_send(*, booking_id: int) -> bool:
    """The cancelled booking's notice, once."""
    booking = Booking.objects.select_related("user", "puja_service").get(pk=booking_id)
    return send_once(
        booking,
        "cancellation_sent_at",
        subject=f"Your puja booking {booking.book_id} is cancelled",
        body=(
            f"Your booking {booking.book_id} of {booking.puja_service.name} on "
            f"{booking.selected_date:%d %b %Y} at {booking.selected_time:%H:%M} is cancelled.\n\n"
            "What is refunded goes back the way you paid; banks take a few working days to "
            f"show it. The booking and its documents: {manage_url(booking)}\n"
        ),
        to=booking.user.reach_email,
    )
