from django.conf import settings

from ...gateways.spec import Gateway


def _config() -> dict:
    return {
        "client_id": settings.PHONEPE_CLIENT_ID,
        "client_secret": settings.PHONEPE_CLIENT_SECRET,
        "client_version": settings.PHONEPE_CLIENT_VERSION,
        "env": settings.PHONEPE_ENV,
        "base_url": settings.PHONEPE_BASE_URL,
        "webhook_username": settings.PHONEPE_WEBHOOK_USERNAME,
        "webhook_password": settings.PHONEPE_WEBHOOK_PASSWORD,
        "previous_webhook_credentials": (
            settings.PHONEPE_WEBHOOK_USERNAME_PREVIOUS,
            settings.PHONEPE_WEBHOOK_PASSWORD_PREVIOUS,
        ),
        "timeout": settings.PROVIDER_TIMEOUT_SECONDS,
    }


def _dependencies() -> dict:
    from .token_store import DatabaseTokenStore

    return {"token_store": DatabaseTokenStore()}


GATEWAY = Gateway(
    name="phonepe",
    label="PhonePe",
    adapter="payments.providers.phonepe.adapter.PhonePeProvider",
    config=_config,
    dependencies=_dependencies,
    urls="payments.providers.phonepe.urls",
)
