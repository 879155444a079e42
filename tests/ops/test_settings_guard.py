"""The service refuses to start half-configured: each case imports the settings in a fresh
interpreter with a production environment that lacks one thing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7" * 30 + "-a-long-random-production-key",
    "DATABASE_URL": "postgres://paycart@127.0.0.1:5432/paycart",
    "ALLOWED_HOSTS": "shop.example.com",
    "FRONTEND_BASE_URL": "https://shop.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "RAZORPAY_KEY_ID": "rzp_live_abc",
    "RAZORPAY_KEY_SECRET": "rzp-secret",
    "RAZORPAY_WEBHOOK_SECRET": "rzp-webhook-secret",
    "PHONEPE_CLIENT_ID": "CLIENT",
    "PHONEPE_CLIENT_SECRET": "phonepe-secret",
    "PHONEPE_CLIENT_VERSION": "1",
    "PHONEPE_WEBHOOK_USERNAME": "hookuser",
    "PHONEPE_WEBHOOK_PASSWORD": "hookpass123",
    "PHONEPE_ENV": "PRODUCTION",
    "STRIPE_SECRET_KEY": "sk_live_abc",
    "STRIPE_WEBHOOK_SECRET": "whsec_abc",
}
REQUIRED = [name for name in PRODUCTION if name not in {"DEBUG", "EMAIL_HOST", "CELERY_BROKER_URL"}]


def start(env: dict) -> subprocess.CompletedProcess:
    """Load the production settings module as the service does at start."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        cwd=ROOT,
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def refusal(env: dict) -> str:
    result = start(env)
    assert result.returncode != 0, "the service started"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_a_complete_production_environment_starts():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_without_each_required_variable(name, how):
    env = dict(PRODUCTION)
    if how == "unset":
        del env[name]
    else:
        env[name] = "  "
    assert name in refusal(env)


def test_the_refusal_names_every_missing_variable_at_once():
    env = {
        k: v for k, v in PRODUCTION.items() if k not in {"RAZORPAY_WEBHOOK_SECRET", "DATABASE_URL"}
    }
    message = refusal(env)
    assert "RAZORPAY_WEBHOOK_SECRET" in message and "DATABASE_URL" in message


def test_a_metrics_network_that_is_not_one_stops_the_start_even_in_debug():
    env = {"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,10.0.0.300/8"}
    assert "METRICS_ALLOWED_NETWORKS holds what is not a network: 10.0.0.300/8" in refusal(
        PRODUCTION | env
    )
    assert "10.0.0.300/8" in refusal({"DEBUG": "1"} | env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "change-me-to-a-long-random-string"),  # .env.example's
        ("METRICS_TOKEN", "change-me-a-long-random-token"),
        ("RAZORPAY_KEY_ID", "rzp_test_xxxxxxxxxxxxxx"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_xxxxxxxxxxxxxx"),
        ("RAZORPAY_WEBHOOK_SECRET", "<the webhook secret>"),
    ],
)
def test_the_examples_placeholders_stop_the_start(name, value):
    assert f"still the example's placeholder: {name}" in refusal(PRODUCTION | {name: value})


def test_a_switched_off_providers_example_values_do_not_stop_the_start():
    """Stripe off: .env.example's Stripe placeholders (and empty ones) are no reason to refuse."""
    env = PRODUCTION | {
        "PAYMENT_PROVIDERS": "razorpay,phonepe",
        "STRIPE_SECRET_KEY": "sk_live_xxxxxxxxxxxxxx",
        "STRIPE_WEBHOOK_SECRET": "whsec_xxxxxxxxxxxxxx",
        "STRIPE_WEBHOOK_SECRET_PREVIOUS": "<the previous secret>",
    }
    assert start(env).returncode == 0, start(env).stderr
    on = env | {"PAYMENT_PROVIDERS": "razorpay,phonepe,stripe"}
    assert "still the example's placeholder: STRIPE_SECRET_KEY" in refusal(on)
    assert "STRIPE_WEBHOOK_SECRET_PREVIOUS" in refusal(on)


@pytest.mark.parametrize(
    ("name", "value", "shortest"),
    [("SECRET_KEY", "s3cr3t-but-short-9a8b7c6d", 50), ("METRICS_TOKEN", "tok-123456", 32)],
)
def test_short_secrets_stop_the_start(name, value, shortest):
    problem = refusal(PRODUCTION | {name: value})
    assert f"{name} is shorter than {shortest} characters" in problem
    assert value not in problem  # the refusal never repeats a secret


def test_the_env_example_as_it_stands_is_refused():
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    problem = refusal(example)
    assert "SECRET_KEY" in problem and "METRICS_TOKEN" in problem


def test_a_fair_use_cap_below_one_stops_the_start():
    assert "CHECKOUT_HOLDS_PER_USER must be at least 1" in refusal(
        PRODUCTION | {"CHECKOUT_HOLDS_PER_USER": "0"}
    )


def test_production_refuses_the_console_email_backend():
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_HOST"}
    assert "EMAIL_BACKEND" in refusal(env)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    assert "EMAIL_BACKEND" in refusal(env)


def test_a_provider_switched_off_needs_no_secrets():
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("PHONEPE_")}
    assert "PHONEPE_CLIENT_ID" in refusal(env)
    assert start(env | {"PAYMENT_PROVIDERS": "razorpay,stripe"}).returncode == 0


def test_production_refuses_the_sandbox():
    assert "PAYMENTS_SANDBOX" in refusal(PRODUCTION | {"PAYMENTS_SANDBOX": "1"})


@pytest.mark.parametrize(
    "live",
    [
        {"RAZORPAY_KEY_ID": "rzp_live_abc"},
        {"STRIPE_SECRET_KEY": "sk_live_abc"},
        {"PHONEPE_ENV": "PRODUCTION"},
    ],
)
def test_the_sandbox_never_runs_beside_a_live_credential_even_in_debug(live):
    env = {"DEBUG": "1", "PAYMENTS_SANDBOX": "1"} | live
    message = refusal(env)
    assert "PAYMENTS_SANDBOX" in message and "live" in message
    assert start({"DEBUG": "1", "PAYMENTS_SANDBOX": "1"}).returncode == 0


def test_forgetting_debug_off_does_not_turn_the_sandbox_on():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.PAYMENTS_SANDBOX)",
        ],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_the_production_settings_pass_djangos_deployment_checks():
    env = PRODUCTION
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("value", ["PROD", "uat", "Production", "SANDBOX"])
def test_phonepe_env_is_exactly_uat_or_production_or_nothing_starts(value):
    assert "PHONEPE_ENV" in refusal(PRODUCTION | {"PHONEPE_ENV": value})
    assert "exactly UAT or PRODUCTION" in refusal({"DEBUG": "1", "PHONEPE_ENV": value})
    assert start(PRODUCTION | {"PHONEPE_ENV": "UAT"}).returncode == 0


def test_production_without_a_broker_starts_only_when_told_to_run_jobs_in_process():
    env = {k: v for k, v in PRODUCTION.items() if k != "CELERY_BROKER_URL"}
    message = refusal(env)
    assert "CELERY_BROKER_URL" in message and "JOBS_IN_PROCESS=1" in message
    assert start(env | {"JOBS_IN_PROCESS": "1"}).returncode == 0


def test_a_proxy_count_without_named_proxies_stops_the_start_and_says_so():
    message = refusal(PRODUCTION | {"TRUSTED_PROXY_COUNT": "1"})
    assert "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXY_IPS names no proxy" in message
    named = PRODUCTION | {"TRUSTED_PROXY_COUNT": "1", "TRUSTED_PROXY_IPS": "10.0.0.10,10.0.1.0/24"}
    assert start(named).returncode == 0
    assert "TRUSTED_PROXY_IPS holds what is not a network: lb.example" in refusal(
        PRODUCTION | {"TRUSTED_PROXY_IPS": "10.0.0.10,lb.example"}
    )


def test_an_idempotency_claim_timeout_a_slow_request_could_outlive_stops_the_start():
    short = {"IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS": "30", "PROVIDER_TIMEOUT_SECONDS": "10"}
    assert "IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS" in refusal(PRODUCTION | short)
