"""A fourth payment provider, as small as one can be: the contract tests register this
package (PAYMENT_GATEWAY_PACKAGES) and its settings block, and run over it like over the
three real ones. It ships no sandbox, models or admin: all are optional."""

from django.conf import settings

from payments.gateways.spec import Gateway


def _config() -> dict:
    return {
        "base_url": settings.FOURTH_BASE_URL,
        "webhook_secret": settings.FOURTH_WEBHOOK_SECRET,
        "previous_webhook_secret": settings.FOURTH_WEBHOOK_SECRET_PREVIOUS,
        "timeout": settings.PROVIDER_TIMEOUT_SECONDS,
    }


GATEWAY = Gateway(
    name="fourth",
    label="Fourth",
    adapter="tests.payments.gateways.fourth.adapter.FourthProvider",
    config=_config,
    urls="tests.payments.gateways.fourth.urls",
)
