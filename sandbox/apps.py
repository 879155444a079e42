from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Local stand-ins for Razorpay, PhonePe and Stripe at the HTTP level, the demo
    storefront and the outbound receiver. Installed and routed only with PAYMENTS_SANDBOX
    on: a production process never imports it."""

    name = "sandbox"
    label = "sandbox"
