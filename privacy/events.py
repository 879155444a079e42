from typing_extensions import TypedDict

from outbound.registry import EventType
from outbound.services import event_record


class ErasedPayload(TypedDict):
    id: str  # the erasure's id, and nothing about the person


EVENT_TYPES = [
    EventType(
        "person.erased",
        ErasedPayload,
        "A person's data was erased: systems holding copies erase theirs (the id only).",
    ),
]


def erased_event(erasure_id: str) -> None:
    payload: ErasedPayload = {"id": erasure_id}
    event_record(type="person.erased", data=dict(payload))
