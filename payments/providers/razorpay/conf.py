"""Razorpay's settings block, read by config/settings/providers.py as the package's own:
its settings (UPPERCASE), what production needs of it (`required`, checked by the guard
when Razorpay is on), which values are secrets to mask in logs (`secrets`), which keep a
rotation open (`previous_secrets`), which values mean live money (`live_marks`, never beside
the sandbox) and what is wrong with them (`problems`: the start is refused)."""

from config.settings.env import SANDBOX_ORIGIN, env_bool, env_str, sandbox_setting

problems: list[str] = []
RAZORPAY_KEY_ID = sandbox_setting("RAZORPAY_KEY_ID", "rzp_test_sandbox")
RAZORPAY_KEY_SECRET = sandbox_setting("RAZORPAY_KEY_SECRET", "sandbox_razorpay_secret")
RAZORPAY_WEBHOOK_SECRET = sandbox_setting(
    "RAZORPAY_WEBHOOK_SECRET", "sandbox_razorpay_webhook_secret"
)
RAZORPAY_BASE_URL = sandbox_setting(
    "RAZORPAY_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/razorpay", "https://api.razorpay.com"
).rstrip("/")
# Verify finds a payment only authorised (the account does not auto-capture): capture it
# through the API when on, else leave it for the payment.captured webhook.
RAZORPAY_CAPTURE_AUTHORIZED = env_bool("RAZORPAY_CAPTURE_AUTHORIZED", True)
required = [
    "RAZORPAY_KEY_ID",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
]
# During a rotation, deliveries signed with the previous secret still verify (unset after).
RAZORPAY_WEBHOOK_SECRET_PREVIOUS = env_str("RAZORPAY_WEBHOOK_SECRET_PREVIOUS")
previous_secrets = ["RAZORPAY_WEBHOOK_SECRET_PREVIOUS"]
secrets = [
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
    "RAZORPAY_WEBHOOK_SECRET_PREVIOUS",
]
live_marks = {"RAZORPAY_KEY_ID": ("rzp_live_",)}
