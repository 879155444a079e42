"""Disputes' outbound events (dispute.opened, dispute.closed), written with the change."""

from rest_framework import serializers

from outbound.services import event_record

from .models import Dispute, DisputeStatus


class DisputeEventOutput(serializers.Serializer):
    id = serializers.UUIDField()
    provider = serializers.CharField()
    provider_dispute_id = serializers.CharField()
    payment_id = serializers.UUIDField(allow_null=True, help_text="null: a payment unknown here")
    order_number = serializers.CharField(allow_null=True)
    booking_ids = serializers.ListField(child=serializers.CharField())
    amount = serializers.CharField()
    amount_deducted = serializers.CharField(help_text="what the bank took back")
    currency = serializers.CharField()
    reason_code = serializers.CharField()
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    respond_by = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def dispute_event(dispute: Dispute, type: str) -> None:
    payment = dispute.payment
    order = payment.order if payment else None
    body = {
        "id": dispute.pk, "provider": dispute.provider,
        "provider_dispute_id": dispute.provider_dispute_id,
        "payment_id": payment.pk if payment else None,
        "order_number": order.order_number if order else None,
        "booking_ids": [b.book_id for b in payment.bookings.order_by("id")] if payment else [],
        "amount": str(dispute.amount), "amount_deducted": str(dispute.amount_deducted),
        "currency": dispute.currency, "reason_code": dispute.reason_code,
        "status": dispute.status, "respond_by": dispute.respond_by,
        "created_at": dispute.created_at,
    }  # fmt: skip
    event_record(type=type, data=DisputeEventOutput(body).data)
