"""The answers every provider's payments API shares, as output serializers (each gateway
package has its own answers.py beside them): the views render their answers through these,
and the OpenAPI schema (/api/schema/) documents them field by field, with types and
nullability, so a frontend can generate a typed client."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from bookings.models import BookingStatus
from cart.models import CartStatus
from config.serializers import ErrorOutput

from ..models import PaymentStatus, RefundStatus

# ---------------------------------------------------------------- fulfilment


class FulfilledOutput(serializers.Serializer):
    status = serializers.CharField(help_text='"Payment successful" (verify) or "success"')
    order_created = serializers.BooleanField()
    order_id = serializers.IntegerField(allow_null=True, help_text="null: only bookings")
    order_number = serializers.CharField(allow_null=True)
    booking_ids = serializers.ListField(child=serializers.CharField())
    payment_id = serializers.UUIDField()


class NeedsAttentionOutput(ErrorOutput):
    """Paid, but nothing could be built: the money goes back."""

    needs_attention = serializers.BooleanField()
    refunded = serializers.BooleanField(help_text="true once the refund has been asked for")
    payment_id = serializers.UUIDField()


# ---------------------------------------------------------------- payment orders


class RefundStateOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    amount = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentOrderOutput(serializers.Serializer):
    id = serializers.UUIDField()
    merchant_order_id = serializers.CharField()
    amount = serializers.IntegerField(help_text="paise")
    amount_in_rupees = serializers.CharField()
    currency = serializers.CharField()
    cart_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    needs_attention = serializers.BooleanField()
    refund = RefundStateOutput(allow_null=True, help_text="the latest refund, if any")
    phonepe_payment_url = serializers.CharField(help_text="the provider's pay page")
    held_until = serializers.DateTimeField(allow_null=True)
    order_number = serializers.CharField(allow_null=True)
    booking_ids = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class PaymentOrderWrapped(serializers.Serializer):
    payment_order = PaymentOrderOutput()


class PaymentOrderStatusOutput(serializers.Serializer):
    success = serializers.BooleanField()
    data = PaymentOrderOutput()


# ---------------------------------------------------------------- status


class BookingBriefOutput(serializers.Serializer):
    book_id = serializers.CharField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    total_amount = serializers.CharField()


class CheckBookingOutput(serializers.Serializer):
    success = serializers.BooleanField()
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    needs_attention = serializers.BooleanField()
    refund = RefundStateOutput(allow_null=True)
    booking_created = serializers.BooleanField()
    booking = BookingBriefOutput(allow_null=True)


class CartPaymentStateOutput(serializers.Serializer):
    cart_id = serializers.CharField()
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    payment_amount = serializers.CharField()
    merchant_order_id = serializers.CharField()
    booking_created = serializers.BooleanField()
    booking_id = serializers.CharField(allow_null=True)
    order_number = serializers.CharField(allow_null=True)
    cart_status = serializers.ChoiceField(choices=CartStatus.choices)
    needs_attention = serializers.BooleanField()
    refund = RefundStateOutput(allow_null=True)
    payment_created_at = serializers.DateTimeField()
    payment_completed_at = serializers.DateTimeField(allow_null=True)


class CartPaymentStatusOutput(serializers.Serializer):
    success = serializers.BooleanField()
    data = CartPaymentStateOutput()


# ---------------------------------------------------------------- webhooks


class WebhookAckOutput(serializers.Serializer):
    received = serializers.BooleanField()
    already_processed = serializers.BooleanField()
    usable = serializers.BooleanField(help_text="false: correctly signed but unreadable")


def errors(described: dict[int, str]) -> dict:
    """Error answers of an operation, by status code: errors({400: "why", ...})."""
    return {code: OpenApiResponse(ErrorOutput, description=why) for code, why in described.items()}
