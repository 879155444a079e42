"""PhonePe's answers: a cart's payment order, and the older process-cart endpoint's."""

from rest_framework import serializers

from ...apis.answers import PaymentOrderWrapped


class CartPaymentOutput(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    # The contract's field name: DRF's metaclass takes declared fields off the class, so
    # the serializer's own .data is untouched.
    data = PaymentOrderWrapped()  # type: ignore[assignment]


class ProcessCartOutput(serializers.Serializer):
    success = serializers.BooleanField()
    payment_id = serializers.UUIDField()
    merchant_order_id = serializers.CharField()
    payment_url = serializers.CharField()
    amount = serializers.CharField(help_text='rupees: "999.00" (this older endpoint)')
    amount_paise = serializers.IntegerField()
    status = serializers.CharField()
    held_until = serializers.DateTimeField(allow_null=True)
