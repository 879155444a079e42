"""Payments' outbound events (payment.failed, refund.processed, refund.failed): their types and
payload, declared here (registered at ready()) and written in the transaction of the change,
in the shapes the REST API answers a payment or a refund with. A failed payment tells no
cart id and no pay-page URL: a receiver needs neither."""

from uuid import UUID

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from .models import Payment, Refund
from .money import to_minor
from .selectors import purchase_of


class PaymentFailedPayload(TypedDict):
    id: UUID
    provider: str
    merchant_order_id: str
    amount: int  # paise
    amount_in_rupees: Money
    currency: str
    status: str
    failure_reason: str
    order_number: str | None
    booking_ids: list[str]
    created_at: Moment
    completed_at: Moment | None


class RefundPayload(TypedDict):
    id: UUID
    status: str
    amount: Money
    created_at: Moment
    payment_id: UUID
    reason: str
    provider_refund_id: str
    error: str  # why the provider refused it (failed)
    order_number: str | None
    booking_ids: list[str]


EVENT_TYPES = [
    EventType("payment.failed", PaymentFailedPayload, "A payment failed or lapsed unpaid."),
    EventType("refund.processed", RefundPayload, "Money went back to the payer."),
    EventType("refund.failed", RefundPayload, "The provider refused a refund: staff act on it."),
]


def payment_event(payment: Payment, type: str) -> None:
    bought = purchase_of(payment)
    payload: PaymentFailedPayload = {
        "id": payment.pk, "provider": payment.provider,
        "merchant_order_id": payment.merchant_order_id, "amount": to_minor(payment.amount),
        "amount_in_rupees": payment.amount, "currency": payment.currency,
        "status": payment.status, "failure_reason": payment.failure_reason,
        "created_at": payment.created_at, "completed_at": payment.completed_at,
        "order_number": bought.order_number, "booking_ids": bought.booking_ids,
    }  # fmt: skip
    event_record(type=type, data=dict(payload))


def refund_event(refund: Refund, type: str) -> None:
    payment = refund.payment
    bought = purchase_of(payment)
    payload: RefundPayload = {
        "id": refund.pk, "status": refund.status, "amount": refund.amount,
        "created_at": refund.created_at, "payment_id": payment.pk, "reason": refund.reason,
        "provider_refund_id": refund.provider_refund_id, "error": refund.last_error,
        "order_number": bought.order_number, "booking_ids": bought.booking_ids,
    }  # fmt: skip
    event_record(type=type, data=dict(payload))
