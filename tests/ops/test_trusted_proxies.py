"""Only a named load balancer may say who the client is and which scheme it used: from
any other peer X-Forwarded-For and X-Forwarded-Proto are ignored, everywhere."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOAD_BALANCER = "172.16.0.10"
STRANGER = "198.51.100.7"


@pytest.fixture(autouse=True)
def behind_one_load_balancer(settings):
    settings.TRUSTED_PROXY_IPS = [LOAD_BALANCER, "172.17.0.0/24"]
    settings.TRUSTED_PROXY_COUNT = 1
    settings.METRICS_TOKEN = "scrape-token"
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]


def scrape(client, peer: str, forwarded_for: str):
    return client.get("/metrics", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_a_direct_caller_claiming_an_allowed_network_is_refused_the_metrics(anon_client):
    assert scrape(anon_client, STRANGER, "10.9.9.9").status_code == 403


def test_a_scraper_connecting_directly_from_an_allowed_network_needs_no_token(anon_client):
    assert anon_client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200


def test_through_a_proxy_the_metrics_need_the_token_whoever_it_vouches_for(anon_client):
    """Behind a load balancer every client shares its address: an allowed network means
    nothing there, whether the proxy is trusted or not (nginx at 10.x, say)."""
    assert scrape(anon_client, LOAD_BALANCER, "10.9.9.9").status_code == 403
    assert scrape(anon_client, "172.17.0.5", "10.9.9.9").status_code == 403  # a named network
    assert scrape(anon_client, "10.0.0.5", "203.0.113.5").status_code == 403  # untrusted proxy
    for sign in ("HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_VIA", "HTTP_X_FORWARDED_PROTO"):
        through = anon_client.get("/metrics", REMOTE_ADDR="10.0.0.5", **{sign: "x"})
        assert through.status_code == 403, sign
    with_token = anon_client.get(
        "/metrics", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.5",
        HTTP_AUTHORIZATION="Bearer scrape-token",
    )  # fmt: skip
    assert with_token.status_code == 200


@pytest.mark.parametrize("chain", ["not-an-address", "", "10.9.9.9, , x", "1" * 3000])
def test_a_malformed_chain_from_the_load_balancer_names_nobody_and_never_fails(anon_client, chain):
    # The load balancer's own address stays the client: outside the allowed networks.
    assert scrape(anon_client, LOAD_BALANCER, chain).status_code == 403


def login(client, peer: str, forwarded_for: str, attempt: int = 0):
    return client.post(
        "/api/accounts/token/",
        {"email": f"nobody{attempt}@example.com", "password": "wrong-password-1"},
        format="json",
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_a_direct_caller_cannot_pick_its_own_throttle_bucket(anon_client, settings):
    settings.API_THROTTLING = True
    settings.LOGIN_RATE_PER_IP = "30/min"
    cache.clear()
    codes = [login(anon_client, STRANGER, f"203.0.113.{i}", i).status_code for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    # Behind the load balancer, each real client has a bucket of its own.
    assert login(anon_client, LOAD_BALANCER, "203.0.113.77").status_code == 401
    cache.clear()


def test_a_scheme_claimed_by_a_stranger_is_ignored_by_the_https_redirect(anon_client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    claimed = anon_client.get(
        "/api/products/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_PROTO="https"
    )
    assert claimed.status_code == 301 and claimed["Location"].startswith("https://")
    vouched = anon_client.get(
        "/api/products/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_PROTO="https"
    )
    assert vouched.status_code == 200


def test_without_named_proxies_nobody_is_believed(anon_client, api, settings):
    settings.TRUSTED_PROXY_IPS = []
    settings.TRUSTED_PROXY_COUNT = 0
    assert scrape(anon_client, "127.0.0.1", "10.9.9.9").status_code == 403
    UserFactory()  # an ordinary request still works
    assert api.get("/api/accounts/me/", REMOTE_ADDR="127.0.0.1").status_code == 200
