"""Stripe's answer: the embedded Checkout session."""

from rest_framework import serializers


class StripeCheckoutSessionOutput(serializers.Serializer):
    clientSecret = serializers.CharField(help_text="for Stripe.js's embedded Checkout")
    orderId = serializers.IntegerField()
    sessionId = serializers.CharField()
