"""Test settings: fast hashing, fixed fake provider keys, real base URLs that `responses`
intercepts, no throttling."""

import os

os.environ.setdefault("API_THROTTLING", "0")
os.environ.setdefault("PAYMENTS_SANDBOX", "1")  # routes mounted; base URLs below stay fake
os.environ.setdefault("FRONTEND_BASE_URL", "https://shop.example.com")
# The manage-link guard holds whatever API_THROTTLING says: the suite's many lookups from one
# address stay under it; its own test sets it low.
os.environ.setdefault("MANAGE_LOOKUPS_PER_MINUTE", "100000")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

RAZORPAY_KEY_ID = "rzp_test_key"
RAZORPAY_KEY_SECRET = "rzp_test_secret"
RAZORPAY_WEBHOOK_SECRET = "rzp_webhook_secret"
# Fake hosts that `responses` answers; a Celery worker started by a test points at the
# sandbox of that test's live server instead (TEST_PROVIDER_ORIGIN).
_sandbox = os.environ.get("TEST_PROVIDER_ORIGIN", "")
RAZORPAY_BASE_URL = f"{_sandbox}/sandbox/razorpay" if _sandbox else "https://api.razorpay.test"

PHONEPE_CLIENT_ID = "TESTCLIENT"
PHONEPE_CLIENT_SECRET = "phonepe_test_secret"
PHONEPE_CLIENT_VERSION = "1"
PHONEPE_BASE_URL = f"{_sandbox}/sandbox/phonepe" if _sandbox else "https://phonepe.test"
PHONEPE_WEBHOOK_USERNAME = "hookuser"
PHONEPE_WEBHOOK_PASSWORD = "hookpass123"

STRIPE_SECRET_KEY = "sk_test_key"
STRIPE_PUBLISHABLE_KEY = "pk_test_key"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
STRIPE_API_BASE = f"{_sandbox}/sandbox/stripe" if _sandbox else "https://stripe.test"

PAYMENT_STATUS_POLL_INTERVAL_SECONDS = 5
OUTBOUND_EVENTS_STRICT = True  # an event not of its declared type fails the test
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")  # noqa: F405
# Each request (also on the live server's threads) closes its connection when it ends, so
# none is left open when the test database is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
