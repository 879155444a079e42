"""The fourth gateway's own settings block, read by config/settings/providers.py when
PAYMENT_GATEWAY_PACKAGES names the package: config knows nothing of it."""

from config.settings.env import SANDBOX_ORIGIN, env_str, sandbox_setting

problems: list[str] = []
FOURTH_BASE_URL = sandbox_setting("FOURTH_BASE_URL", f"{SANDBOX_ORIGIN}/sandbox/fourth")
FOURTH_WEBHOOK_SECRET = sandbox_setting("FOURTH_WEBHOOK_SECRET", "sandbox_fourth_secret")
FOURTH_WEBHOOK_SECRET_PREVIOUS = env_str("FOURTH_WEBHOOK_SECRET_PREVIOUS")
required = ["FOURTH_BASE_URL", "FOURTH_WEBHOOK_SECRET"]
previous_secrets = ["FOURTH_WEBHOOK_SECRET_PREVIOUS"]
secrets = ["FOURTH_WEBHOOK_SECRET", "FOURTH_WEBHOOK_SECRET_PREVIOUS"]
live_marks: dict[str, tuple[str, ...]] = {}
