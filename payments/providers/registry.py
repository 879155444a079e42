"""Provider adapters built from settings at call time (so a changed setting applies), and
kept per thread while the settings stay the same: an adapter's HTTP session then keeps
its connection to the provider open between calls instead of opening one per call."""

import threading

from django.conf import settings

from ..token_store import DatabaseTokenStore
from .base import PaymentProvider, ProviderDisabled
from .observed import observed
from .phonepe import PhonePeProvider
from .razorpay import RazorpayProvider
from .stripe import StripeProvider


def provider_enabled(name: str) -> bool:
    return name in settings.PAYMENT_PROVIDERS


def require_enabled(name: str) -> None:
    if not provider_enabled(name):
        raise ProviderDisabled(f"The payment provider {name} is switched off.")


_kept = threading.local()


def _adapter(name: str, build, **config):
    """This thread's adapter for `config`, observed; built again when a setting changed."""
    kept = vars(_kept).setdefault("adapters", {})
    key = tuple(config.items())
    if name not in kept or kept[name][0] != key:
        kept[name] = (key, observed(build(**config)))
    return kept[name][1]


def get_provider(name: str) -> PaymentProvider:
    builders = {
        "razorpay": razorpay_provider,
        "phonepe": phonepe_provider,
        "stripe": stripe_provider,
    }
    if name not in builders:
        raise LookupError(f"Unknown payment provider {name!r}")
    return builders[name]()


def razorpay_provider() -> RazorpayProvider:
    require_enabled("razorpay")
    return _adapter(
        "razorpay",
        RazorpayProvider,
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret=settings.RAZORPAY_KEY_SECRET,
        webhook_secret=settings.RAZORPAY_WEBHOOK_SECRET,
        base_url=settings.RAZORPAY_BASE_URL,
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
    )


def phonepe_provider() -> PhonePeProvider:
    require_enabled("phonepe")
    return _adapter(
        "phonepe",
        lambda **config: PhonePeProvider(**config, token_store=DatabaseTokenStore()),
        client_id=settings.PHONEPE_CLIENT_ID,
        client_secret=settings.PHONEPE_CLIENT_SECRET,
        client_version=settings.PHONEPE_CLIENT_VERSION,
        env=settings.PHONEPE_ENV,
        base_url=settings.PHONEPE_BASE_URL,
        webhook_username=settings.PHONEPE_WEBHOOK_USERNAME,
        webhook_password=settings.PHONEPE_WEBHOOK_PASSWORD,
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
    )


def stripe_provider() -> StripeProvider:
    require_enabled("stripe")
    return _adapter(
        "stripe",
        StripeProvider,
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        api_base=settings.STRIPE_API_BASE,
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
    )
