"""A forgotten (or never set) password: a one-time emailed link, answered alike for every
email, throttled per email and per IP; setting the password signs every old session out."""

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(client, email, **headers):
    return client.post("/api/accounts/password-reset/", {"email": email}, format="json", **headers)


@pytest.fixture
def asked(anon_client, django_capture_on_commit_callbacks):
    """Ask for a reset and run the jobs it enqueued, as the worker does after the commit."""

    def ask_and_run_jobs(email):
        with django_capture_on_commit_callbacks(execute=True):
            return ask(anon_client, email)

    return ask_and_run_jobs


def reset_link(mail) -> dict:
    link = re.search(r"https?://\S+", mail.body).group(0)
    parts = urlsplit(link)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://shop.example.com/reset-password"
    )
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def confirm(client, link: dict, password="a-new-pass-4521"):
    body = {"uid": link["uid"], "token": link["token"], "new_password": password}
    return client.post("/api/accounts/password-reset/confirm/", body, format="json")


def login(client, email, password):
    body = {"email": email, "password": password}
    return client.post("/api/accounts/token/", body, format="json")


def test_a_known_and_an_unknown_email_get_the_same_answer_and_only_the_known_one_mail(
    asked, mailoutbox
):
    user = UserFactory(email="asha@example.com")
    known = asked("ASHA@example.com")
    unknown = asked("nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "reset-password?uid=" in mailoutbox[0].body


def test_the_link_sets_the_password_once_and_old_sessions_are_signed_out(
    anon_client, asked, mailoutbox
):
    user = UserFactory(email="asha@example.com")
    old_refresh = login(anon_client, user.email, "secret-pass-123").json()["refresh"]
    asked(user.email)
    link = reset_link(mailoutbox[0])
    assert confirm(anon_client, link).status_code == 200
    assert login(anon_client, user.email, "a-new-pass-4521").status_code == 200
    assert login(anon_client, user.email, "secret-pass-123").status_code == 401
    again = confirm(anon_client, link, password="another-pass-8812")
    assert again.status_code == 400 and "invalid, used or expired" in again.json()["error"]
    refreshed = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": old_refresh}, format="json"
    )
    assert refreshed.status_code == 401


def me(client, access):
    return client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_access_tokens_issued_before_a_reset_are_refused_after_it(anon_client, asked, mailoutbox):
    user = UserFactory(email="asha@example.com")
    tokens = login(anon_client, user.email, "secret-pass-123").json()
    refreshed = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    ).json()
    for access in (tokens["access"], refreshed["access"]):
        assert me(anon_client, access).status_code == 200
    asked(user.email)
    assert confirm(anon_client, reset_link(mailoutbox[0])).status_code == 200
    for access in (tokens["access"], refreshed["access"]):
        refused = me(anon_client, access)
        assert refused.status_code == 401 and refused.json()["error"]
    fresh = login(anon_client, user.email, "a-new-pass-4521").json()["access"]
    assert me(anon_client, fresh).status_code == 200


def test_access_tokens_die_when_staff_change_the_password_in_admin(anon_client, staff):
    user = UserFactory(email="asha@example.com")
    tokens = login(anon_client, user.email, "secret-pass-123").json()
    changed = staff.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "changed-by-staff-881", "password2": "changed-by-staff-881"},
    )
    assert changed.status_code == 302
    assert me(anon_client, tokens["access"]).status_code == 401
    refreshed = anon_client.post(
        "/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401


def test_an_expired_link_is_refused(anon_client):
    user = UserFactory()

    class TwoHoursAgo(PasswordResetTokenGenerator):
        def _now(self):
            return datetime.now() - timedelta(hours=2)

    link = {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": TwoHoursAgo().make_token(user),
    }
    answer = confirm(anon_client, link)
    assert answer.status_code == 400 and "expired" in answer.json()["error"]
    user.refresh_from_db()
    assert user.check_password("secret-pass-123")


@pytest.mark.parametrize(
    "uid, token", [("garbage", "nope"), ("", ""), ("MTIzNDU2Nzg5", "abc-def"), ("8J+Ygw", "x")]
)
def test_a_wrong_link_is_a_clear_400(anon_client, uid, token):
    body = {"uid": uid, "token": token, "new_password": "a-new-pass-4521"}
    answer = anon_client.post("/api/accounts/password-reset/confirm/", body, format="json")
    assert answer.status_code == 400 and answer.json()["error"]


def test_a_weak_password_is_refused_and_the_link_still_works(anon_client, asked, mailoutbox):
    user = UserFactory()
    asked(user.email)
    link = reset_link(mailoutbox[0])
    weak = confirm(anon_client, link, password="123")
    assert weak.status_code == 400 and "too weak" in weak.json()["error"]
    assert confirm(anon_client, link).status_code == 200


@pytest.fixture
def throttled(settings):
    settings.API_THROTTLING = True
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/hour"
    settings.PASSWORD_RESET_RATE_PER_IP = "5/hour"
    cache.clear()
    yield
    cache.clear()


def test_requests_are_throttled_per_email_from_any_address(anon_client, throttled, settings):
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1/32"]
    codes = [
        ask(anon_client, "asha@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert codes == [202, 202, 202, 429]
    assert (
        ask(anon_client, "ravi@example.com", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 202
    )


def test_requests_are_throttled_per_ip_whatever_email(anon_client, throttled):
    codes = [ask(anon_client, f"user{n}@example.com").status_code for n in range(6)]
    assert codes == [202] * 5 + [429]
    assert "throttled" in ask(anon_client, "user9@example.com").json()["error"]


@pytest.mark.parametrize("body", [{}, {"email": "not-an-email"}, {"email": ["a@b.c"]}])
def test_bad_input_is_a_clear_400(anon_client, body):
    answer = anon_client.post("/api/accounts/password-reset/", body, format="json")
    assert answer.status_code == 400 and answer.json()["error"]
