from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Local stand-ins for Razorpay, PhonePe and Stripe at the HTTP level. Its routes are
    mounted only with PAYMENTS_SANDBOX on; its one table is unused otherwise."""

    name = "payments.sandbox"
    label = "sandbox"
