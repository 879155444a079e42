from django.conf import settings

from ...gateways.spec import Gateway


def _config() -> dict:
    return {
        "key_id": settings.RAZORPAY_KEY_ID,
        "key_secret": settings.RAZORPAY_KEY_SECRET,
        "webhook_secret": settings.RAZORPAY_WEBHOOK_SECRET,
        "previous_webhook_secret": settings.RAZORPAY_WEBHOOK_SECRET_PREVIOUS,
        "base_url": settings.RAZORPAY_BASE_URL,
        "timeout": settings.PROVIDER_TIMEOUT_SECONDS,
    }


GATEWAY = Gateway(
    name="razorpay",
    label="Razorpay",
    adapter="payments.providers.razorpay.adapter.RazorpayProvider",
    config=_config,
    urls="payments.providers.razorpay.urls",
)
