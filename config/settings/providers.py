"""Payment provider settings: what every provider shares here, and each provider's own
block in its gateway package (payments/providers/<name>/conf.py — not settings.py, which would
shadow django.conf's `settings` in the package —, or beside a package
PAYMENT_GATEWAY_PACKAGES names), read by name so that config knows no provider. A block
also says what production needs of it (PROVIDER_REQUIRED_SETTINGS, checked by the guard
when the provider is on), which values are secrets to mask in logs
(PROVIDER_SECRET_SETTINGS), which values of which settings mean live money
(PROVIDER_LIVE_MARKS, never beside the sandbox) and what is wrong with its settings
(PROVIDER_SETTINGS_PROBLEMS: the start is refused).

With PAYMENTS_SANDBOX on, every unset credential takes a sandbox value and every unset base
URL points at the local sandbox, so the real SDK code runs against it unchanged. With it
off, an unset credential stays empty: the guard refuses to start production without it and
every signature check refuses an empty key."""

import pkgutil
from importlib import import_module
from importlib.util import find_spec

from .env import env_int, env_list, env_str

# Providers switched on; one switched off answers 404 and needs no secrets.
PAYMENT_PROVIDERS = [
    name.lower() for name in env_list("PAYMENT_PROVIDERS", "razorpay,phonepe,stripe")
]
# Gateway packages kept outside payments/providers/ (dotted paths), found beside those in it.
PAYMENT_GATEWAY_PACKAGES = env_list("PAYMENT_GATEWAY_PACKAGES", "")

PROVIDER_REQUIRED_SETTINGS: dict[str, list[str]] = {}
PROVIDER_SECRET_SETTINGS: list[str] = []
PROVIDER_LIVE_MARKS: dict[str, tuple[str, ...]] = {}
PROVIDER_SETTINGS_PROBLEMS: list[str] = []
# The settings that, while set, keep a secret rotation open (the previous secret verifies).
PROVIDER_PREVIOUS_SECRETS: dict[str, list[str]] = {}


PROVIDER_TIMEOUT_SECONDS = float(env_str("PROVIDER_TIMEOUT_SECONDS", "10"))
# A payment still open this long after creation is closed at its provider and expired by
# reconciliation (its cart can then be paid again).
PAYMENT_EXPIRY_SECONDS = env_int("PAYMENT_EXPIRY_SECONDS", 30 * 60)
# A payment-first checkout holds its stock and slots this long while the shopper pays
# (0: no holds; racing shoppers are then refunded after paying instead of refused before).
CHECKOUT_HOLD_SECONDS = env_int("CHECKOUT_HOLD_SECONDS", 900)
# Fair use: one user's checkouts holding stock or slots at once (payment links made by staff
# do not count); past it a new one answers 429 with when one of them ends.
CHECKOUT_HOLDS_PER_USER = env_int("CHECKOUT_HOLDS_PER_USER", 3)
# A payment link's default life (staff may give another); it holds what it sells that long.
PAYMENT_LINK_TTL_SECONDS = env_int("PAYMENT_LINK_TTL_SECONDS", 86400)
# Payments marked failed or expired are still asked about this long after they were made:
# a shopper may pay them at the provider afterwards (Razorpay retries on one order).
LAPSED_PAYMENT_WATCH_DAYS = env_int("LAPSED_PAYMENT_WATCH_DAYS", 7)
# Status endpoints ask a provider about one payment at most this often.
PAYMENT_STATUS_POLL_INTERVAL_SECONDS = env_int("PAYMENT_STATUS_POLL_INTERVAL", 5)
# Order-first reservations older than this are released by release_expired_reservations.
ORDER_RESERVATION_TTL_SECONDS = env_int("ORDER_RESERVATION_TTL_SECONDS", 3600)

# Webhooks: a larger body is refused unread (413); rejected deliveries are forgotten after
# WEBHOOK_REJECTED_RETENTION_DAYS, settled ones after WEBHOOK_RETENTION_DAYS.
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 256 * 1024)
WEBHOOK_REJECTED_RETENTION_DAYS = env_int("WEBHOOK_REJECTED_RETENTION_DAYS", 7)
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 90)


def _gateway_packages() -> list[str]:
    providers = find_spec("payments.providers")
    names = [
        f"payments.providers.{module.name}"
        for module in pkgutil.iter_modules(providers.submodule_search_locations or [])
        if module.ispkg
    ]
    return [*names, *PAYMENT_GATEWAY_PACKAGES]


# A gateway package with an AppConfig (its apps.py) is a Django app of its own, with its own
# models and migrations under its own label; base.py installs it.
GATEWAY_APPS = [p for p in _gateway_packages() if find_spec(f"{p}.apps")]

for _block in [import_module(f"{p}.conf") for p in _gateway_packages() if find_spec(f"{p}.conf")]:
    _provider = _block.__name__.split(".")[-2]
    globals().update({name: value for name, value in vars(_block).items() if name.isupper()})
    PROVIDER_REQUIRED_SETTINGS[_provider] = _block.required
    PROVIDER_PREVIOUS_SECRETS[_provider] = _block.previous_secrets
    PROVIDER_SECRET_SETTINGS += _block.secrets
    PROVIDER_LIVE_MARKS |= _block.live_marks
    PROVIDER_SETTINGS_PROBLEMS += _block.problems
