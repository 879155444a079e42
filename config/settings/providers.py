"""Payment provider credentials, base URLs and timeouts: one block per provider (a gateway
package in payments/gateways/ reads its block). Each block also says what production needs
of it (PROVIDER_REQUIRED_SETTINGS, checked by the guard when the provider is on), which
values are secrets to mask in logs (PROVIDER_SECRET_SETTINGS), which values of which
settings mean live money (PROVIDER_LIVE_MARKS, never beside the sandbox) and what is
wrong with its settings (PROVIDER_SETTINGS_PROBLEMS: the start is refused).

With PAYMENTS_SANDBOX on, every unset credential takes a sandbox value and every unset base
URL points at the local sandbox, so the real SDK code runs against it unchanged. With it
off, an unset credential stays empty: the guard refuses to start production without it and
every signature check refuses an empty key."""

from .env import DEBUG, PAYMENTS_SANDBOX, env_bool, env_int, env_list, env_str

SANDBOX_ORIGIN = env_str("SANDBOX_ORIGIN", "http://127.0.0.1:8000").rstrip("/")
# Providers switched on; one switched off answers 404 and needs no secrets.
PAYMENT_PROVIDERS = [
    name.lower() for name in env_list("PAYMENT_PROVIDERS", "razorpay,phonepe,stripe")
]
# Gateway packages kept outside payments/gateways/ (dotted paths), found beside those in it.
PAYMENT_GATEWAY_PACKAGES = env_list("PAYMENT_GATEWAY_PACKAGES", "")

PROVIDER_REQUIRED_SETTINGS: dict[str, list[str]] = {}
PROVIDER_SECRET_SETTINGS: list[str] = []
PROVIDER_LIVE_MARKS: dict[str, tuple[str, ...]] = {}
PROVIDER_SETTINGS_PROBLEMS: list[str] = []
# The settings that, while set, keep a secret rotation open (the previous secret verifies).
PROVIDER_PREVIOUS_SECRETS: dict[str, list[str]] = {}


def _setting(name: str, sandbox_value: str, real_default: str = "") -> str:
    return env_str(name) or (sandbox_value if PAYMENTS_SANDBOX else real_default)


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

# ---------------------------------------------------------------- Razorpay
RAZORPAY_KEY_ID = _setting("RAZORPAY_KEY_ID", "rzp_test_sandbox")
RAZORPAY_KEY_SECRET = _setting("RAZORPAY_KEY_SECRET", "sandbox_razorpay_secret")
RAZORPAY_WEBHOOK_SECRET = _setting("RAZORPAY_WEBHOOK_SECRET", "sandbox_razorpay_webhook_secret")
RAZORPAY_BASE_URL = _setting(
    "RAZORPAY_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/razorpay", "https://api.razorpay.com"
).rstrip("/")
# Verify finds a payment only authorised (the account does not auto-capture): capture it
# through the API when on, else leave it for the payment.captured webhook.
RAZORPAY_CAPTURE_AUTHORIZED = env_bool("RAZORPAY_CAPTURE_AUTHORIZED", True)
PROVIDER_REQUIRED_SETTINGS["razorpay"] = [
    "RAZORPAY_KEY_ID",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
]
# During a rotation, deliveries signed with the previous secret still verify (unset after).
RAZORPAY_WEBHOOK_SECRET_PREVIOUS = env_str("RAZORPAY_WEBHOOK_SECRET_PREVIOUS")
PROVIDER_PREVIOUS_SECRETS["razorpay"] = ["RAZORPAY_WEBHOOK_SECRET_PREVIOUS"]
PROVIDER_SECRET_SETTINGS += [
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
    "RAZORPAY_WEBHOOK_SECRET_PREVIOUS",
]
PROVIDER_LIVE_MARKS["RAZORPAY_KEY_ID"] = ("rzp_live_",)

# ---------------------------------------------------------------- PhonePe
PHONEPE_CLIENT_ID = _setting("PHONEPE_CLIENT_ID", "SANDBOXCLIENT")
PHONEPE_CLIENT_SECRET = _setting("PHONEPE_CLIENT_SECRET", "sandbox_phonepe_secret")
PHONEPE_CLIENT_VERSION = _setting("PHONEPE_CLIENT_VERSION", "1", "1" if DEBUG else "")
# Exactly UAT or PRODUCTION (anything else stops the start); production must say which.
PHONEPE_ENV = env_str("PHONEPE_ENV", "UAT" if DEBUG or PAYMENTS_SANDBOX else "")
PHONEPE_BASE_URL = _setting("PHONEPE_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/phonepe").rstrip("/")
PHONEPE_WEBHOOK_USERNAME = _setting("PHONEPE_WEBHOOK_USERNAME", "sandbox_user")
PHONEPE_WEBHOOK_PASSWORD = _setting("PHONEPE_WEBHOOK_PASSWORD", "sandboxpass123")
PROVIDER_REQUIRED_SETTINGS["phonepe"] = [
    "PHONEPE_CLIENT_ID",
    "PHONEPE_CLIENT_SECRET",
    "PHONEPE_CLIENT_VERSION",
    "PHONEPE_WEBHOOK_USERNAME",
    "PHONEPE_WEBHOOK_PASSWORD",
    "PHONEPE_ENV",
]
PHONEPE_WEBHOOK_USERNAME_PREVIOUS = env_str("PHONEPE_WEBHOOK_USERNAME_PREVIOUS")
PHONEPE_WEBHOOK_PASSWORD_PREVIOUS = env_str("PHONEPE_WEBHOOK_PASSWORD_PREVIOUS")
PROVIDER_PREVIOUS_SECRETS["phonepe"] = [
    "PHONEPE_WEBHOOK_USERNAME_PREVIOUS",
    "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS",
]
PROVIDER_SECRET_SETTINGS += [
    "PHONEPE_CLIENT_SECRET",
    "PHONEPE_WEBHOOK_PASSWORD",
    "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS",
]
PROVIDER_LIVE_MARKS["PHONEPE_ENV"] = ("PRODUCTION",)
if PHONEPE_ENV and PHONEPE_ENV not in ("UAT", "PRODUCTION"):
    PROVIDER_SETTINGS_PROBLEMS.append(
        f"PHONEPE_ENV is {PHONEPE_ENV!r}; it must be exactly UAT or PRODUCTION"
    )

# ---------------------------------------------------------------- Stripe
STRIPE_SECRET_KEY = _setting("STRIPE_SECRET_KEY", "sk_test_sandbox")
STRIPE_PUBLISHABLE_KEY = _setting("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
STRIPE_WEBHOOK_SECRET = _setting("STRIPE_WEBHOOK_SECRET", "whsec_sandbox")
STRIPE_API_BASE = _setting(
    "STRIPE_API_BASE", f"{SANDBOX_ORIGIN}/sandbox/stripe", "https://api.stripe.com"
).rstrip("/")
# Evidence files for disputes go to Stripe's files host.
STRIPE_FILES_BASE = _setting(
    "STRIPE_FILES_BASE", f"{SANDBOX_ORIGIN}/sandbox/stripe", "https://files.stripe.com"
).rstrip("/")
PROVIDER_REQUIRED_SETTINGS["stripe"] = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]
STRIPE_WEBHOOK_SECRET_PREVIOUS = env_str("STRIPE_WEBHOOK_SECRET_PREVIOUS")
PROVIDER_PREVIOUS_SECRETS["stripe"] = ["STRIPE_WEBHOOK_SECRET_PREVIOUS"]
PROVIDER_SECRET_SETTINGS += [
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_WEBHOOK_SECRET_PREVIOUS",
]
PROVIDER_LIVE_MARKS["STRIPE_SECRET_KEY"] = ("sk_live_", "rk_live_")
