"""Bookings' outbound events: the booking as its REST answer shows it, written in the
transaction of the change."""

from catalog.models import PujaPackage, PujaService
from outbound.services import event_record

from .models import Booking
from .serializers import BookingOutputSerializer


def booking_event(booking: Booking, type: str, *, names: tuple[str, str] | None = None) -> None:
    """`names`: the service's and package's names in hand (a booking just made from its
    snapshot line), so neither row is read for the answer's two names."""
    if names is not None:
        booking.puja_service = PujaService(pk=booking.puja_service_id, name=names[0])
        booking.package = PujaPackage(pk=booking.package_id, name=names[1])
    event_record(type=type, data=BookingOutputSerializer(booking).data)
