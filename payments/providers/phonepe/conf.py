"""PhonePe's settings block, read by config/settings/providers.py as the package's own:
its settings (UPPERCASE), what production needs of it (`required`, checked by the guard
when PhonePe is on), which values are secrets to mask in logs (`secrets`), which keep a
rotation open (`previous_secrets`), which values mean live money (`live_marks`, never beside
the sandbox) and what is wrong with them (`problems`: the start is refused)."""

from config.settings.env import DEBUG, PAYMENTS_SANDBOX, SANDBOX_ORIGIN, env_str, sandbox_setting

problems: list[str] = []
PHONEPE_CLIENT_ID = sandbox_setting("PHONEPE_CLIENT_ID", "SANDBOXCLIENT")
PHONEPE_CLIENT_SECRET = sandbox_setting("PHONEPE_CLIENT_SECRET", "sandbox_phonepe_secret")
PHONEPE_CLIENT_VERSION = sandbox_setting("PHONEPE_CLIENT_VERSION", "1", "1" if DEBUG else "")
# Exactly UAT or PRODUCTION (anything else stops the start); production must say which.
PHONEPE_ENV = env_str("PHONEPE_ENV", "UAT" if DEBUG or PAYMENTS_SANDBOX else "")
PHONEPE_BASE_URL = sandbox_setting("PHONEPE_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/phonepe").rstrip(
    "/"
)
PHONEPE_WEBHOOK_USERNAME = sandbox_setting("PHONEPE_WEBHOOK_USERNAME", "sandbox_user")
PHONEPE_WEBHOOK_PASSWORD = sandbox_setting("PHONEPE_WEBHOOK_PASSWORD", "sandboxpass123")
required = [
    "PHONEPE_CLIENT_ID",
    "PHONEPE_CLIENT_SECRET",
    "PHONEPE_CLIENT_VERSION",
    "PHONEPE_WEBHOOK_USERNAME",
    "PHONEPE_WEBHOOK_PASSWORD",
    "PHONEPE_ENV",
]
PHONEPE_WEBHOOK_USERNAME_PREVIOUS = env_str("PHONEPE_WEBHOOK_USERNAME_PREVIOUS")
PHONEPE_WEBHOOK_PASSWORD_PREVIOUS = env_str("PHONEPE_WEBHOOK_PASSWORD_PREVIOUS")
previous_secrets = [
    "PHONEPE_WEBHOOK_USERNAME_PREVIOUS",
    "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS",
]
secrets = [
    "PHONEPE_CLIENT_SECRET",
    "PHONEPE_WEBHOOK_PASSWORD",
    "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS",
]
live_marks = {"PHONEPE_ENV": ("PRODUCTION",)}
if PHONEPE_ENV and PHONEPE_ENV not in ("UAT", "PRODUCTION"):
    problems.append(f"PHONEPE_ENV is {PHONEPE_ENV!r}; it must be exactly UAT or PRODUCTION")
