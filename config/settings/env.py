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
