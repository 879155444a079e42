"""The waiting list's outbound events: an offer made (no personal data, no token)."""

from datetime import date, datetime, time

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment
from outbound.services import event_record

from .models import WaitlistEntry


class OfferPayload(TypedDict):
    id: int
    puja_service: int
    package: int
    selected_date: date
    selected_time: time
    status: str
    offer_expires_at: Moment


EVENT_TYPES = [
    EventType(
        "waitlist.offered",
        OfferPayload,
        "A freed place in a full puja slot is held for the next devotee on its waiting list.",
    ),
]


def offer_event(entry: WaitlistEntry, until: datetime) -> None:
    payload: OfferPayload = {
        "id": entry.pk,
        "puja_service": entry.slot.puja_service_id,
        "package": entry.package_id,
        "selected_date": entry.slot.selected_date,
        "selected_time": entry.slot.selected_time,
        "status": entry.status,
        "offer_expires_at": until,
    }
    event_record(type="waitlist.offered", data=dict(payload))
