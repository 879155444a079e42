from django.conf import settings

from ...gateways.spec import Gateway


def _config() -> dict:
    return {
        "secret_key": settings.STRIPE_SECRET_KEY,
        "webhook_secret": settings.STRIPE_WEBHOOK_SECRET,
        "previous_webhook_secret": settings.STRIPE_WEBHOOK_SECRET_PREVIOUS,
        "api_base": settings.STRIPE_API_BASE,
        "files_base": settings.STRIPE_FILES_BASE,
        "timeout": settings.PROVIDER_TIMEOUT_SECONDS,
    }


GATEWAY = Gateway(
    name="stripe",
    label="Stripe",
    adapter="payments.providers.stripe.adapter.StripeProvider",
    config=_config,
    urls="payments.providers.stripe.urls",
)
