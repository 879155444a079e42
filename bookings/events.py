"""Bookings' outbound events: their types and payload, declared here (registered at ready())
and written in the transaction of the change: the booking as its REST answer shows it."""

from datetime import date, time

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from .models import Booking


class BookingPayload(TypedDict):
    id: int
    book_id: str
    puja_service: int
    service: str
    package: int
    package_name: str
    selected_date: date
    selected_time: time
    status: str
    total_amount: Money
    created_at: Moment
    dispute_status: str | None  # its payment's dispute (OPEN, WON, LOST…); null: none


EVENT_TYPES = [
    EventType("booking.confirmed", BookingPayload, "A puja was booked and paid for."),
    EventType("booking.cancelled", BookingPayload, "A booking was cancelled."),
]


def booking_event(booking: Booking, type: str, *, names: tuple[str, str] | None = None) -> None:
    """`names`: the service's and package's names in hand (a booking just made from its
    snapshot line), so neither row is read for them."""
    service, package = names or (booking.puja_service.name, booking.package.name)
    payload: BookingPayload = {
        "id": booking.pk, "book_id": booking.book_id, "puja_service": booking.puja_service_id,
        "service": service, "package": booking.package_id, "package_name": package,
        "selected_date": booking.selected_date, "selected_time": booking.selected_time,
        "status": booking.status, "total_amount": booking.total_amount,
        "created_at": booking.created_at, "dispute_status": booking.dispute_status,
    }  # fmt: skip
    event_record(type=type, data=dict(payload))
