"""Rotating a secret drops nothing: while *_PREVIOUS (or SECRET_KEY_FALLBACKS) names the old
value, what was signed with it still verifies, and it stops the moment the variable is
unset; everything new is signed with the new value."""

import logging

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from payments.gateways.registry import gateways
from payments.models import WebhookEvent, WebhookEventStatus
from tests.factories import UserFactory
from tests.payments.gateways.contract import fakes_of, post_delivery

pytestmark = pytest.mark.django_db


def rotate(settings, provider: str, old: str) -> None:
    for name, value in fakes_of(provider).previous_secret_settings(old).items():
        setattr(settings, name, value)


def deliver(client, provider: str, secret: str):
    return post_delivery(client, fakes_of(provider), secret)


@pytest.mark.parametrize("provider", gateways())
def test_a_delivery_signed_with_the_previous_secret_verifies_during_the_rotation(
    anon_client, settings, provider, caplog
):
    old = "old-secret-12345"
    assert deliver(anon_client, provider, old).status_code == 400  # no rotation: refused
    rotate(settings, provider, old)
    with caplog.at_level(logging.WARNING):
        assert deliver(anon_client, provider, old).status_code == 200
    assert "previous secret" in caplog.text
    assert (
        deliver(
            anon_client, provider, getattr(settings, fakes_of(provider).secret_setting)
        ).status_code
        == 200
    )
    # A third value is refused whatever is configured.
    assert deliver(anon_client, provider, "someone-else-12345").status_code == 400
    statuses = set(WebhookEvent.objects.values_list("status", flat=True))
    assert WebhookEventStatus.REJECTED in statuses and statuses != WebhookEventStatus.REJECTED


@pytest.mark.parametrize("provider", gateways())
def test_an_empty_previous_secret_never_verifies(anon_client, settings, provider):
    rotate(settings, provider, "")
    assert deliver(anon_client, provider, "").status_code == 400


def test_a_password_reset_link_made_before_a_secret_key_rotation_still_works(anon_client, settings):
    user = UserFactory()
    settings.SECRET_KEY = "the-old-secret-key-" + "x" * 40
    link = {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40

    def confirm():
        body = link | {"new_password": "a-new-pass-4521"}
        return anon_client.post("/api/accounts/password-reset/confirm/", body, format="json")

    assert confirm().status_code == 400  # no fallback: the old key's links are dead
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key-" + "x" * 40]
    assert confirm().status_code == 200
    # New links are signed with the new key only.
    fresh = default_token_generator.make_token(user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = settings.SECRET_KEY_FALLBACKS[0], []
    assert not default_token_generator.check_token(user, fresh)


def rotations_shown(staff) -> tuple[str, str]:
    from tests.documented import DocumentedClient

    page = staff.get("/admin/payment-health/").content.decode()
    metrics = DocumentedClient().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape")
    return page, metrics.content.decode()


@pytest.mark.parametrize("provider", gateways())
def test_a_rotation_never_finished_shows_on_the_health_page_and_as_a_metric(
    anon_client, staff, settings, provider
):
    from datetime import timedelta

    from django.utils import timezone

    from payments.models import SecretRotation

    settings.METRICS_TOKEN = "scrape"
    old = "old-secret-12345"
    page, metrics = rotations_shown(staff)
    assert "Secret rotations still open" not in page
    assert "paycart_secret_rotation_open{" not in metrics
    rotate(settings, provider, old)
    page, metrics = rotations_shown(staff)
    name = ", ".join(settings.PROVIDER_PREVIOUS_SECRETS[provider])
    assert "Secret rotations still open: 1" in page and name in page and "none yet" in page
    assert f'paycart_secret_rotation_open{{secret="{name}"}} 0.0' in metrics
    # The first delivery verified with the old secret starts the clock; later ones do not.
    assert deliver(anon_client, provider, old).status_code == 200
    SecretRotation.objects.update(first_verified_at=timezone.now() - timedelta(days=3))
    assert deliver(anon_client, provider, old).status_code == 200
    assert SecretRotation.objects.count() == 1
    page, metrics = rotations_shown(staff)
    assert "3\xa0days ago" in page
    seconds = float(
        metrics.split(f'paycart_secret_rotation_open{{secret="{name}"}} ')[1].split()[0]
    )
    assert 3 * 86400 <= seconds < 3 * 86400 + 60
    # Finished: unset, it is gone from both.
    rotate(settings, provider, "")
    page, metrics = rotations_shown(staff)
    assert "Secret rotations still open" not in page
    assert "paycart_secret_rotation_open{" not in metrics


def test_a_secret_key_fallback_left_set_shows_too(staff, settings):
    settings.METRICS_TOKEN = "scrape"
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key-" + "x" * 40]
    page, metrics = rotations_shown(staff)
    assert "SECRET_KEY_FALLBACKS" in page
    assert 'paycart_secret_rotation_open{secret="SECRET_KEY_FALLBACKS"} 0.0' in metrics
