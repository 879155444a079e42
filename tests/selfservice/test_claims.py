"""A registered user sees the guest orders and bookings made with their email only after
confirming a one-time code sent to it."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from selfservice.models import EmailClaim
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meera(db):
    """The guest who bought, registered later under the same email."""
    return client_for(UserFactory(email="meera@example.com"))


def ask_code(api, django_capture_on_commit_callbacks) -> str:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/accounts/claim/").status_code == 202
    (sent,) = mail.outbox
    assert sent.to == ["meera@example.com"]
    return re.search(r"\b([0-9]{6})\b", sent.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_guest_purchases_appear_only_after_the_code_is_confirmed(
    guest_order, meera, django_capture_on_commit_callbacks
):
    assert meera.get("/api/orders/").json() == []
    code = ask_code(meera, django_capture_on_commit_callbacks)
    refused = meera.post("/api/accounts/claim/confirm/", {"code": wrong(code)})
    assert refused.status_code == 400 and refused.json()["tries_left"] == 4
    assert meera.get("/api/orders/").json() == []
    confirmed = meera.post("/api/accounts/claim/confirm/", {"code": code})
    assert confirmed.status_code == 200 and confirmed.json() == {"claimed": 1}
    (order,) = meera.get("/api/orders/").json()
    assert order["total"] == "500.00"
    assert meera.get(f"/api/orders/{order['id']}/invoice/").status_code == 200
    # The code works once.
    assert meera.post("/api/accounts/claim/confirm/", {"code": code}).status_code == 400


def test_five_wrong_tries_spend_the_code(guest_order, meera, django_capture_on_commit_callbacks):
    code = ask_code(meera, django_capture_on_commit_callbacks)
    for left in (4, 3, 2, 1, 0):
        answer = meera.post("/api/accounts/claim/confirm/", {"code": wrong(code)})
        assert answer.status_code == 400 and answer.json()["tries_left"] == left
    assert meera.post("/api/accounts/claim/confirm/", {"code": code}).status_code == 400
    assert meera.get("/api/orders/").json() == []


def test_a_code_lapses_after_15_minutes_and_a_new_one_replaces_the_old(
    guest_order, meera, django_capture_on_commit_callbacks
):
    first = ask_code(meera, django_capture_on_commit_callbacks)
    EmailClaim.objects.update(expires_at=EmailClaim.objects.get().created_at + timedelta(0))
    assert meera.post("/api/accounts/claim/confirm/", {"code": first}).status_code == 400
    second = ask_code(meera, django_capture_on_commit_callbacks)
    if second != first:
        assert meera.post("/api/accounts/claim/confirm/", {"code": first}).status_code == 400
    assert meera.post("/api/accounts/claim/confirm/", {"code": second}).json() == {"claimed": 1}


def test_someone_elses_email_claims_nothing_and_a_guest_cannot_ask(
    guest_order, django_capture_on_commit_callbacks
):
    other = client_for(UserFactory(email="ravi@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post("/api/accounts/claim/").status_code == 202
    code = re.search(r"\b([0-9]{6})\b", mail.outbox[-1].body).group(1)
    assert other.post("/api/accounts/claim/confirm/", {"code": code}).json() == {"claimed": 0}
    assert other.get("/api/orders/").json() == []
    assert (
        client_for(UserFactory()).post("/api/accounts/claim/confirm/", {"code": "12"}).status_code
        == 400
    )
