"""The provider contract, run over every registered gateway (and over a fourth, registered
here as a package plus a settings block): a signed delivery becomes a notice, a wrong or
empty secret is refused, the previous secret verifies during a rotation, a refund carries
our refund id as its idempotency key, and a provider's trouble lands on the error ladder.
A gateway without fakes (tests/payments/gateways/<name>/fakes.py) fails here."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from payments.gateways import registry
from payments.gateways.base import (
    InvalidSignature,
    ProviderError,
    ProviderUnavailable,
    WebhookNotice,
)

from .contract import ORDER_ID, PAYMENT_ID, fakes_of

pytestmark = pytest.mark.django_db

FOURTH = "tests.payments.gateways.fourth"


@pytest.fixture
def fourth_registered(settings):
    """The fourth gateway: its package named in PAYMENT_GATEWAY_PACKAGES, its settings block
    set, switched on. The registry finds it like the others."""
    settings.PAYMENT_GATEWAY_PACKAGES = [FOURTH]
    settings.PAYMENT_PROVIDERS = [*settings.PAYMENT_PROVIDERS, "fourth"]
    settings.FOURTH_BASE_URL = "https://api.fourth.example"
    settings.FOURTH_WEBHOOK_SECRET = "fourth-secret"
    settings.FOURTH_WEBHOOK_SECRET_PREVIOUS = ""
    registry.gateway_packages.cache_clear()
    registry.gateways.cache_clear()
    yield
    registry.gateway_packages.cache_clear()
    registry.gateways.cache_clear()


@pytest.fixture(params=[*registry.gateways(), "fourth"])
def gateway(request):
    """(the gateway as the registry has it, its fakes)."""
    if request.param == "fourth":
        request.getfixturevalue("fourth_registered")
    return registry.gateway(request.param), fakes_of(request.param, package=_package(request))


def _package(request) -> str:
    return FOURTH if request.param == "fourth" else ""


def adapter(gateway, secret="current-secret", previous=""):
    spec, fakes = gateway
    config = {**spec.config(), **fakes.secrets(secret, previous)}
    return spec.adapter_class()(**config, **spec.dependencies())


def test_the_fourth_gateway_is_found_by_the_registry_once_its_package_is_named(
    fourth_registered,
):
    assert "fourth" in registry.gateways()
    assert ("fourth", "Fourth") in registry.gateway_choices()
    assert registry.get_provider("fourth").name == "fourth"


def test_every_gateway_in_the_registry_has_fakes_for_these_tests():
    for name in registry.gateways():
        assert fakes_of(name).delivery, f"{name} has no CONTRACT in its fakes"


def test_a_signed_delivery_becomes_a_notice_about_its_order(gateway):
    body, headers = gateway[1].delivery(ORDER_ID, "current-secret")
    notice = adapter(gateway).parse_webhook(body=body, headers=headers)
    assert isinstance(notice, WebhookNotice)
    assert notice.charge is not None and notice.charge.provider_order_id == ORDER_ID
    assert notice.event_id and not notice.signed_with_previous


@pytest.mark.parametrize("signed_with", ["another-secret", ""])
def test_a_delivery_signed_with_another_or_an_empty_secret_is_refused(gateway, signed_with):
    body, headers = gateway[1].delivery(ORDER_ID, signed_with)
    with pytest.raises(InvalidSignature):
        adapter(gateway).parse_webhook(body=body, headers=headers)


def test_with_no_secret_configured_nothing_verifies(gateway):
    body, headers = gateway[1].delivery(ORDER_ID, "")
    with pytest.raises(InvalidSignature):
        adapter(gateway, secret="").parse_webhook(body=body, headers=headers)


def test_a_delivery_without_its_signature_header_is_refused(gateway):
    body, _ = gateway[1].delivery(ORDER_ID, "current-secret")
    with pytest.raises(InvalidSignature):
        adapter(gateway).parse_webhook(body=body, headers={})


def test_during_a_rotation_the_previous_secret_still_verifies_and_says_so(gateway):
    body, headers = gateway[1].delivery(ORDER_ID, "old-secret")
    rotating = adapter(gateway, secret="new-secret", previous="old-secret")
    assert rotating.parse_webhook(body=body, headers=headers).signed_with_previous
    with pytest.raises(InvalidSignature):  # the rotation over, the old secret is refused
        adapter(gateway, secret="new-secret").parse_webhook(body=body, headers=headers)


def _refund(gateway, rsps):
    gateway[1].prepare(rsps)
    return adapter(gateway).refund(
        reference="our-refund-id",
        provider_order_id=ORDER_ID,
        provider_payment_id=PAYMENT_ID,
        amount=100,
        currency="INR",
    )


def test_a_refund_carries_our_refund_id_as_the_idempotency_key(gateway, rsps):
    method, url = gateway[1].refund_endpoint()
    rsps.add(method, url, json=gateway[1].refund_answer("our-refund-id"))
    assert _refund(gateway, rsps).provider_refund_id
    sent = [call.request for call in rsps.calls if call.request.url == url]
    assert sent and all(gateway[1].reference_sent(request) == "our-refund-id" for request in sent)


@pytest.mark.parametrize(
    ("answer", "rung"),
    [
        ({"status": 401}, ProviderError),
        ({"status": 400}, ProviderError),
        ({"status": 500, "json": {"error": "down"}}, ProviderUnavailable),
        ({"status": 503, "body": "<html>maintenance</html>"}, ProviderUnavailable),
        ({"body": requests.ConnectTimeout("no answer")}, ProviderUnavailable),
        ({"body": requests.ReadTimeout("too slow")}, ProviderUnavailable),
    ],
    ids=["401", "400", "500", "503-html", "connect-timeout", "read-timeout"],
)
def test_a_providers_trouble_lands_on_the_error_ladder(gateway, rsps, answer, rung):
    method, url = gateway[1].refund_endpoint()
    if "json" not in answer and "body" not in answer:  # a refusal, in the provider's format
        answer = {**answer, "json": gateway[1].refusal(answer["status"])}
    rsps.add(method, url, **answer)
    with pytest.raises(rung):
        _refund(gateway, rsps)


def test_a_gateway_package_brings_its_own_settings_block():
    """Named in PAYMENT_GATEWAY_PACKAGES, a package's conf.py is read as its settings block: its
    settings, what production needs of it and which of them are secrets, with no line of
    config naming it."""
    probe = (
        "import json; from config.settings import base as s; print(json.dumps({"
        "'url': s.FOURTH_BASE_URL, 'required': s.PROVIDER_REQUIRED_SETTINGS['fourth'],"
        "'secret_masked': 'FOURTH_WEBHOOK_SECRET' in s.PROVIDER_SECRET_SETTINGS,"
        "'previous': s.PROVIDER_PREVIOUS_SECRETS['fourth']}))"
    )
    env = os.environ | {"PAYMENTS_SANDBOX": "1", "PAYMENT_GATEWAY_PACKAGES": FOURTH,
                        "FOURTH_BASE_URL": "https://api.fourth.example"}  # fmt: skip
    answer = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(answer.stdout) == {
        "url": "https://api.fourth.example",
        "required": ["FOURTH_BASE_URL", "FOURTH_WEBHOOK_SECRET"],
        "secret_masked": True,
        "previous": ["FOURTH_WEBHOOK_SECRET_PREVIOUS"],
    }
    assert "fourth" not in Path("config/settings/providers.py").read_text().lower()


def test_a_gateway_package_that_is_an_app_ships_its_own_models_and_migrations(tmp_path):
    """With an AppConfig (apps.py), the package is installed as a Django app of its own:
    `migrate` makes its table from its own migrations, under its own label."""
    database = tmp_path / "fourth.sqlite3"
    env = os.environ | {"PAYMENTS_SANDBOX": "1", "PAYMENT_GATEWAY_PACKAGES": FOURTH,
                        "DATABASE_URL": f"sqlite:///{database}"}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "fourth_gateway", "-v", "0"],
        env=env, check=True, capture_output=True, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        applied = connection.execute(
            "SELECT name FROM django_migrations WHERE app = 'fourth_gateway'"
        ).fetchall()
    assert "fourth_gateway_fourthmandate" in tables and applied == [("0001_initial",)]
