"""Razorpay's answers: Checkout's options, a verify still waiting for capture, a payment link."""

from rest_framework import serializers

from .models import PaymentLinkStatus


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


class AwaitingCaptureOutput(serializers.Serializer):
    status = serializers.CharField()
    order_created = serializers.BooleanField()
    payment_id = serializers.UUIDField()


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
