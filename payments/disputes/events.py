"""Disputes' outbound events (dispute.opened, dispute.closed): their type and payload,
declared here (registered at ready()) and written with the change."""

from uuid import UUID

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from ..models import Dispute
from ..selectors import Purchase, purchase_of


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
    bought = purchase_of(payment) if payment else Purchase(order=None, bookings=())
    payload: DisputePayload = {
        "id": dispute.pk, "provider": dispute.provider,
        "provider_dispute_id": dispute.provider_dispute_id,
        "payment_id": payment.pk if payment else None,
        "order_number": bought.order_number, "booking_ids": bought.booking_ids,
        "amount": dispute.amount, "amount_deducted": dispute.amount_deducted,
        "currency": dispute.currency, "reason_code": dispute.reason_code,
        "status": dispute.status, "respond_by": dispute.respond_by, "created_at": dispute.created_at,
    }  # fmt: skip
    event_record(type=type, data=dict(payload))
