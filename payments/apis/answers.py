"""Every answer the payments API gives, as output serializers: the views render their
answers through these, and the OpenAPI schema (/api/schema/) documents them field by
field, with types and nullability, so a frontend can generate a typed client."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from bookings.models import BookingStatus
from cart.models import CartStatus
from config.serializers import ErrorOutput

from ..models import PaymentLinkStatus, PaymentStatus, RefundStatus

# ---------------------------------------------------------------- Razorpay checkout


class PrefillOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()
    contact = serializers.CharField(allow_blank=True)


class NotesOutput(serializers.Serializer):
    cart_id = serializers.CharField(allow_null=True, help_text="null for an order-first payment")
    payment_id = serializers.UUIDField()
    order_id = serializers.CharField(required=False, help_text="order-first payments only")
    user_id = serializers.CharField(required=False, help_text="order-first payments only")


class RazorpayCheckoutOutput(serializers.Serializer):
    """Razorpay Checkout's options for one payment."""

    success = serializers.BooleanField()
    payment_id = serializers.UUIDField()
    order_id = serializers.CharField(help_text="Razorpay's order_… id (as razorpay_order_id)")
    razorpay_order_id = serializers.CharField()
    amount = serializers.IntegerField(help_text="paise")
    amount_decimal = serializers.CharField(help_text='rupees, e.g. "3189.93"')
    currency = serializers.CharField()
    key = serializers.CharField(help_text="the public key id")
    name = serializers.CharField()
    description = serializers.CharField()
    prefill = PrefillOutput()
    notes = NotesOutput()
    cart_items_count = serializers.IntegerField()
    held_until = serializers.DateTimeField(
        allow_null=True, help_text="when this payment's holds end; null: it holds nothing"
    )
    timeout = serializers.IntegerField(
        allow_null=True, help_text="seconds the holds have left: Checkout.js's `timeout`"
    )


# ---------------------------------------------------------------- fulfilment


class FulfilledOutput(serializers.Serializer):
    status = serializers.CharField(help_text='"Payment successful" (verify) or "success"')
    order_created = serializers.BooleanField()
    order_id = serializers.IntegerField(allow_null=True, help_text="null: only bookings")
    order_number = serializers.CharField(allow_null=True)
    booking_ids = serializers.ListField(child=serializers.CharField())
    payment_id = serializers.UUIDField()


class AwaitingCaptureOutput(serializers.Serializer):
    status = serializers.CharField()
    order_created = serializers.BooleanField()
    payment_id = serializers.UUIDField()


class NeedsAttentionOutput(ErrorOutput):
    """Paid, but nothing could be built: the money goes back."""

    needs_attention = serializers.BooleanField()
    refunded = serializers.BooleanField(help_text="true once the refund has been asked for")
    payment_id = serializers.UUIDField()


# ---------------------------------------------------------------- payment orders (PhonePe)


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


class CartPaymentOutput(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    data = PaymentOrderWrapped()


class ProcessCartOutput(serializers.Serializer):
    success = serializers.BooleanField()
    payment_id = serializers.UUIDField()
    merchant_order_id = serializers.CharField()
    payment_url = serializers.CharField()
    amount = serializers.CharField(help_text='rupees: "999.00" (this older endpoint)')
    amount_paise = serializers.IntegerField()
    status = serializers.CharField()
    held_until = serializers.DateTimeField(allow_null=True)


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


# ---------------------------------------------------------------- Stripe, webhooks


class StripeCheckoutSessionOutput(serializers.Serializer):
    clientSecret = serializers.CharField(help_text="for Stripe.js's embedded Checkout")
    orderId = serializers.IntegerField()
    sessionId = serializers.CharField()


class WebhookAckOutput(serializers.Serializer):
    received = serializers.BooleanField()
    already_processed = serializers.BooleanField()
    usable = serializers.BooleanField(help_text="false: correctly signed but unreadable")


class PaymentLinkOutput(serializers.Serializer):
    payment_id = serializers.UUIDField()
    link_id = serializers.CharField(help_text="Razorpay's plink_… id")
    short_url = serializers.CharField(
        help_text="what the customer opens; Razorpay texts and emails it"
    )
    status = serializers.ChoiceField(choices=PaymentLinkStatus.choices)
    expires_at = serializers.DateTimeField()
    amount = serializers.IntegerField(help_text="paise")
    amount_decimal = serializers.CharField(help_text='rupees, e.g. "999.00"')
    customer_email = serializers.EmailField()
    created_at = serializers.DateTimeField()


def errors(described: dict[int, str]) -> dict:
    """Error answers of an operation, by status code: errors({400: "why", ...})."""
    return {code: OpenApiResponse(ErrorOutput, description=why) for code, why in described.items()}
