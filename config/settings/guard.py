"""Fail closed: with DEBUG off the service refuses to start while any setting production
needs is missing or empty, and never runs the sandbox beside live credentials."""

import ipaddress
import re

from django.core.exceptions import ImproperlyConfigured

CONSOLE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


# What .env.example and the manifests put where a real value goes: never a real one.
PLACEHOLDER = re.compile(r"^change-?me|^replace-?me|^your[-_]|xxxxxx|<[^>]*>", re.IGNORECASE)
# Secrets the shop makes itself, at least this long (Django's own check wants 50 for the key).
SHORTEST = {"SECRET_KEY": 50, "METRICS_TOKEN": 32}


def _placeholders_and_short_secrets(names: list[str], environ: dict) -> list[str]:
    problems = []
    placeholders = [name for name in names if PLACEHOLDER.search(environ.get(name, "").strip())]
    if placeholders:
        problems.append(f"still the example's placeholder: {', '.join(placeholders)}")
    for name, shortest in SHORTEST.items():
        value = environ.get(name, "").strip()
        if value and len(value) < shortest:
            problems.append(f"{name} is shorter than {shortest} characters: make a random one")
    return problems


def live_credentials(values: dict) -> list[str]:
    """The configured credentials that move real money (each provider's settings block
    says, in PROVIDER_LIVE_MARKS, which value of which setting means live)."""
    return [
        f"{name} ({value}…)"
        for name, marks in values["PROVIDER_LIVE_MARKS"].items()
        for value in marks
        if str(values.get(name, "")).startswith(value)
    ]


def _not_networks(entries: list[str]) -> list[str]:
    bad = []
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            bad.append(entry)
    return bad


def production_problems(values: dict, *, environ: dict) -> list[str]:
    """Every reason the settings in `values` must not serve real traffic."""
    problems = []
    for name in ("METRICS_ALLOWED_NETWORKS", "TRUSTED_PROXY_IPS"):
        if bad := _not_networks(values[name]):
            problems.append(f"{name} holds what is not a network: {', '.join(bad)}")
    if values["TRUSTED_PROXY_COUNT"] and not values["TRUSTED_PROXY_IPS"]:
        problems.append(
            "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXY_IPS names no proxy: name the load "
            "balancers' addresses, or nothing they forward is believed"
        )
    if values["CHECKOUT_HOLD_SECONDS"] < 0:
        problems.append("CHECKOUT_HOLD_SECONDS must be 0 (no holds) or a number of seconds")
    if values["CHECKOUT_HOLDS_PER_USER"] < 1:
        problems.append("CHECKOUT_HOLDS_PER_USER must be at least 1, or nobody can check out")
    if values["IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS"] <= 3 * values["PROVIDER_TIMEOUT_SECONDS"]:
        problems.append(
            "IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS must be longer than three "
            "PROVIDER_TIMEOUT_SECONDS, or a slow request's key is taken over while it runs"
        )
    problems += values["PROVIDER_SETTINGS_PROBLEMS"]
    unknown = set(values["PAYMENT_PROVIDERS"]) - set(values["PROVIDER_REQUIRED_SETTINGS"])
    if unknown:
        problems.append(f"PAYMENT_PROVIDERS names unknown providers: {', '.join(sorted(unknown))}")
    if values["PAYMENTS_SANDBOX"] and (live := live_credentials(values)):
        problems.append(f"PAYMENTS_SANDBOX is on while live credentials are set: {', '.join(live)}")
    if values["DEBUG"]:
        return problems
    if values["PAYMENTS_SANDBOX"]:
        problems.append("PAYMENTS_SANDBOX must be off when DEBUG is off")
    required = ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "FRONTEND_BASE_URL"]
    previous = []
    # Only providers switched on: a switched-off one's settings may be empty or the example's.
    for provider in values["PAYMENT_PROVIDERS"]:
        required += values["PROVIDER_REQUIRED_SETTINGS"].get(provider, [])
        previous += values["PROVIDER_PREVIOUS_SECRETS"].get(provider, [])
    missing = [name for name in required if not environ.get(name, "").strip()]
    if missing:
        problems.append(f"missing or empty: {', '.join(missing)}")
    secrets = [*required, "METRICS_TOKEN", "SECRET_KEY_FALLBACKS", *previous]
    problems += _placeholders_and_short_secrets(list(dict.fromkeys(secrets)), environ)
    if not values["CELERY_BROKER_URL"] and not values["JOBS_IN_PROCESS"]:
        problems.append(
            "CELERY_BROKER_URL is not set: jobs (refunds, receipts) would run inside requests "
            "and nothing would schedule reconciliation; set it, or JOBS_IN_PROCESS=1 to choose that"
        )
    if values["EMAIL_BACKEND"] in CONSOLE_EMAIL_BACKENDS:
        problems.append("EMAIL_BACKEND is a development backend; set EMAIL_BACKEND and EMAIL_HOST")
    elif values["EMAIL_BACKEND"].endswith("smtp.EmailBackend") and not values["EMAIL_HOST"]:
        problems.append("missing or empty: EMAIL_HOST")
    return problems


def refuse_misconfiguration(values: dict, *, environ: dict) -> None:
    problems = production_problems(values, environ=environ)
    if problems:
        raise ImproperlyConfigured("Refusing to start: " + "; ".join(problems) + ".")
