"""Reading the environment. An empty value counts as unset everywhere: a variable exported
as "" must never stand in for a secret."""

import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env_str(name) or default)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The local stand-ins for the providers confirm payments nobody made: on only when asked.
PAYMENTS_SANDBOX = env_bool("PAYMENTS_SANDBOX", False)
# Where the local sandbox providers answer (the site itself, unless it runs elsewhere).
SANDBOX_ORIGIN = env_str("SANDBOX_ORIGIN", "http://127.0.0.1:8000").rstrip("/")


def sandbox_setting(name: str, sandbox_value: str, real_default: str = "") -> str:
    """A provider's setting: the environment's, else the sandbox's value with the sandbox
    on, else `real_default` (empty for a credential: the guard then refuses to start)."""
    return env_str(name) or (sandbox_value if PAYMENTS_SANDBOX else real_default)
