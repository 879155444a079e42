from django.apps import AppConfig


class FourthGatewayConfig(AppConfig):
    """The fourth gateway as a Django app of its own: its models and migrations under its
    own label, installed because PAYMENT_GATEWAY_PACKAGES names it."""

    name = "tests.payments.gateways.fourth"
    label = "fourth_gateway"
