"""Builds provider adapters from settings at call time (so a changed setting applies)."""

from django.conf import settings

from .base import PaymentProvider
from .razorpay import RazorpayProvider


def get_provider(name: str) -> PaymentProvider:
    if name == "razorpay":
        return razorpay_provider()
    raise LookupError(f"Unknown payment provider {name!r}")


def razorpay_provider() -> RazorpayProvider:
    return RazorpayProvider(
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret=settings.RAZORPAY_KEY_SECRET,
        webhook_secret=settings.RAZORPAY_WEBHOOK_SECRET,
        base_url=settings.RAZORPAY_BASE_URL,
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
    )
