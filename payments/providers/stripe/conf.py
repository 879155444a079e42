"""Stripe's settings block, read by config/settings/providers.py as the package's own:
its settings (UPPERCASE), what production needs of it (`required`, checked by the guard
when Stripe is on), which values are secrets to mask in logs (`secrets`), which keep a
rotation open (`previous_secrets`), which values mean live money (`live_marks`, never beside
the sandbox) and what is wrong with them (`problems`: the start is refused)."""

from config.settings.env import SANDBOX_ORIGIN, env_str, sandbox_setting

problems: list[str] = []
STRIPE_SECRET_KEY = sandbox_setting("STRIPE_SECRET_KEY", "sk_test_sandbox")
STRIPE_PUBLISHABLE_KEY = sandbox_setting("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
STRIPE_WEBHOOK_SECRET = sandbox_setting("STRIPE_WEBHOOK_SECRET", "whsec_sandbox")
STRIPE_API_BASE = sandbox_setting(
    "STRIPE_API_BASE", f"{SANDBOX_ORIGIN}/sandbox/stripe", "https://api.stripe.com"
).rstrip("/")
# Evidence files for disputes go to Stripe's files host.
STRIPE_FILES_BASE = sandbox_setting(
    "STRIPE_FILES_BASE", f"{SANDBOX_ORIGIN}/sandbox/stripe", "https://files.stripe.com"
).rstrip("/")
required = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]
STRIPE_WEBHOOK_SECRET_PREVIOUS = env_str("STRIPE_WEBHOOK_SECRET_PREVIOUS")
previous_secrets = ["STRIPE_WEBHOOK_SECRET_PREVIOUS"]
secrets = [
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_WEBHOOK_SECRET_PREVIOUS",
]
live_marks = {"STRIPE_SECRET_KEY": ("sk_live_", "rk_live_")}
