"""Payment provider credentials, base URLs and timeouts.

With PAYMENTS_SANDBOX on, every unset credential takes a sandbox value and every unset base
URL points at the local sandbox, so the real SDK code runs against it unchanged."""

import os

from .base import PAYMENTS_SANDBOX

SANDBOX_ORIGIN = os.environ.get("SANDBOX_ORIGIN", "http://127.0.0.1:8000").rstrip("/")


def _setting(name: str, sandbox_value: str, real_default: str = "") -> str:
    value = os.environ.get(name)
    if value:
        return value
    return sandbox_value if PAYMENTS_SANDBOX else real_default


PROVIDER_TIMEOUT_SECONDS = float(os.environ.get("PROVIDER_TIMEOUT_SECONDS", "10"))
# A payment still pending this long after creation is expired by reconciliation.
PAYMENT_EXPIRY_SECONDS = int(os.environ.get("PAYMENT_EXPIRY_SECONDS", str(24 * 3600)))
# Status endpoints ask a provider about one payment at most this often.
PAYMENT_STATUS_POLL_INTERVAL_SECONDS = int(os.environ.get("PAYMENT_STATUS_POLL_INTERVAL", "5"))
# Order-first reservations older than this are released by release_expired_reservations.
ORDER_RESERVATION_TTL_SECONDS = int(os.environ.get("ORDER_RESERVATION_TTL_SECONDS", "3600"))

# ---------------------------------------------------------------- Razorpay
RAZORPAY_KEY_ID = _setting("RAZORPAY_KEY_ID", "rzp_test_sandbox")
RAZORPAY_KEY_SECRET = _setting("RAZORPAY_KEY_SECRET", "sandbox_razorpay_secret")
RAZORPAY_WEBHOOK_SECRET = _setting("RAZORPAY_WEBHOOK_SECRET", "sandbox_razorpay_webhook_secret")
RAZORPAY_BASE_URL = _setting(
    "RAZORPAY_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/razorpay", "https://api.razorpay.com"
).rstrip("/")

# ---------------------------------------------------------------- PhonePe
PHONEPE_CLIENT_ID = _setting("PHONEPE_CLIENT_ID", "SANDBOXCLIENT")
PHONEPE_CLIENT_SECRET = _setting("PHONEPE_CLIENT_SECRET", "sandbox_phonepe_secret")
PHONEPE_CLIENT_VERSION = _setting("PHONEPE_CLIENT_VERSION", "1", "1")
PHONEPE_ENV = os.environ.get("PHONEPE_ENV", "UAT").upper()
PHONEPE_BASE_URL = _setting("PHONEPE_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/phonepe").rstrip("/")
PHONEPE_WEBHOOK_USERNAME = _setting("PHONEPE_WEBHOOK_USERNAME", "sandbox_user")
PHONEPE_WEBHOOK_PASSWORD = _setting("PHONEPE_WEBHOOK_PASSWORD", "sandboxpass123")

# ---------------------------------------------------------------- Stripe
STRIPE_SECRET_KEY = _setting("STRIPE_SECRET_KEY", "sk_test_sandbox")
STRIPE_PUBLISHABLE_KEY = _setting("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
STRIPE_WEBHOOK_SECRET = _setting("STRIPE_WEBHOOK_SECRET", "whsec_sandbox")
STRIPE_API_BASE = _setting(
    "STRIPE_API_BASE", f"{SANDBOX_ORIGIN}/sandbox/stripe", "https://api.stripe.com"
).rstrip("/")
