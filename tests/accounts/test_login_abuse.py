"""Login and token endpoints resist brute force; refresh tokens work once; logout revokes."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttled(settings):
    settings.API_THROTTLING = True
    settings.LOGIN_RATE_PER_IP = "30/min"
    settings.LOGIN_RATE_PER_ACCOUNT = "10/min"
    cache.clear()
    yield
    cache.clear()


def login(client, email, password="wrong-password-1", **headers):
    return client.post(
        "/api/accounts/token/", {"email": email, "password": password}, format="json", **headers
    )


def test_a_forged_x_forwarded_for_never_resets_the_per_ip_count(anon_client, throttled):
    codes = [
        login(
            anon_client, f"victim{i}@example.com", HTTP_X_FORWARDED_FOR=f"10.0.{i // 250}.{i % 250}"
        ).status_code
        for i in range(60)
    ]
    assert codes[:30] == [401] * 30
    assert set(codes[30:]) == {429}
    refused = login(anon_client, "another@example.com", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429 and "throttled" in refused.json()["error"]


def test_one_account_is_throttled_whatever_address_the_attempts_come_from(anon_client, throttled):
    user = UserFactory(password="right-password-1")
    codes = [
        login(anon_client, user.email.upper(), REMOTE_ADDR=f"198.51.100.{i}").status_code
        for i in range(12)
    ]
    assert codes == [401] * 10 + [429] * 2
    # Even the right password waits: the account is under attack.
    assert login(anon_client, user.email, "right-password-1").status_code == 429


def test_behind_a_trusted_proxy_each_real_client_has_its_own_count(
    anon_client, throttled, settings
):
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1"]  # the test client's own address: the proxy
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(30):
        login(anon_client, f"a{i}@example.com", HTTP_X_FORWARDED_FOR=f"forged-{i}, 203.0.113.1")
    blocked = login(anon_client, "x@example.com", HTTP_X_FORWARDED_FOR="forged, 203.0.113.1")
    other = login(anon_client, "y@example.com", HTTP_X_FORWARDED_FOR="forged, 203.0.113.2")
    assert blocked.status_code == 429 and other.status_code == 401


def test_a_refresh_token_works_once_and_logout_revokes_the_new_one(anon_client):
    user = UserFactory(password="right-password-1")
    tokens = login(anon_client, user.email, "right-password-1").json()
    refreshed = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200 and {"access", "refresh"} <= set(refreshed.json())
    reused = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert reused.status_code == 401 and reused.json()["error"]

    new_refresh = refreshed.json()["refresh"]
    out = anon_client.post("/api/accounts/logout/", {"refresh": new_refresh}, format="json")
    assert out.status_code == 200
    after = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": new_refresh}, format="json"
    )
    assert after.status_code == 401
