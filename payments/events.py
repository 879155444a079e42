"""Payments' outbound events (payment.failed, refund.processed, refund.failed), written in
the transaction of the change, as the REST API answers a payment or a refund."""

from rest_framework import serializers

from outbound.services import event_record

from .apis.answers import PaymentOrderOutput, RefundStateOutput
from .models import Payment, Refund
from .payloads import payment_order_body


class RefundEventOutput(RefundStateOutput):
    payment_id = serializers.UUIDField()
    reason = serializers.CharField()
    provider_refund_id = serializers.CharField()
    error = serializers.CharField(help_text="why the provider refused it (failed)")
    order_number = serializers.CharField(allow_null=True)
    booking_ids = serializers.ListField(child=serializers.CharField())


def payment_event(payment: Payment, type: str) -> None:
    event_record(type=type, data=PaymentOrderOutput(payment_order_body(payment)).data)


def refund_event(refund: Refund, type: str) -> None:
    payment = refund.payment
    body = {
        "id": refund.pk, "status": refund.status, "amount": str(refund.amount),
        "created_at": refund.created_at, "payment_id": payment.pk, "reason": refund.reason,
        "provider_refund_id": refund.provider_refund_id, "error": refund.last_error,
        "order_number": payment.order.order_number if payment.order_id else None,
        "booking_ids": [booking.book_id for booking in payment.bookings.order_by("id")],
    }  # fmt: skip
    event_record(type=type, data=RefundEventOutput(body).data)
