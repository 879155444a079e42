"""Disputes' outbound events (dispute.opened, dispute.closed): their type and payload,
declared here (registered at ready()) and written with the change."""

from uuid import UUID

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from .models import Dispute


class DisputePayload(TypedDict):
    id: UUID
    provider: str
    provider_dispute_id: str
    payment_id: UUID | None  # null: a payment unknown here
    order_number: str | None
    booking_ids: list[str]
    amount: Money
    amount_deducted: Money  # what the bank took back
    currency: str
    reason_code: str
    status: str
    respond_by: Moment | None
    created_at: Moment


EVENT_TYPES = [
    EventType("dispute.opened", DisputePayload, "A payer's bank disputed a payment."),
    EventType("dispute.closed", DisputePayload, "A dispute ended: won, lost or accepted."),
]


def dispute_event(dispute: Dispute, type: str) -> None:
    payment = dispute.payment
    order = payment.order if payment else None
    payload: DisputePayload = {
        "id": dispute.pk, "provider": dispute.provider,
        "provider_dispute_id": dispute.provider_dispute_id,
        "payment_id": payment.pk if payment else None,
        "order_number": order.order_number if order else None,
        "booking_ids": [b.book_id for b in payment.bookings.order_by("id")] if payment else [],
        "amount": dispute.amount, "amount_deducted": dispute.amount_deducted,
        "currency": dispute.currency, "reason_code": dispute.reason_code,
        "status": dispute.status, "respond_by": dispute.respond_by, "created_at": dispute.created_at,
    }  # fmt: skip
    event_record(type=type, data=dict(payload))
