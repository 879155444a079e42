"""Endpoints over the API with a staff token holding outbound's permissions, and the event
feed for systems that poll; every refusal a 4xx with {"error": ...}."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from outbound.models import Endpoint, Event
from outbound.services import event_record
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return client_for(user)


@pytest.fixture
def manager():
    return staff_with("change_endpoint", "view_endpoint")


@pytest.fixture
def resolvable(monkeypatch):
    """erp.example.com resolves to a public address (the machine has no outside DNS)."""
    import socket

    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        if host.endswith("example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def test_staff_add_list_and_delete_an_endpoint_and_see_its_secret_once(manager, resolvable):
    made = manager.post(
        "/api/outbound/endpoints/",
        {"url": "https://erp.example.com/paycart", "events": ["order.paid", "refund.processed"]},
        format="json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["is_active"] is True
    assert body["events"] == ["order.paid", "refund.processed"]
    listed = manager.get("/api/outbound/endpoints/").json()
    assert listed == [{k: v for k, v in body.items() if k != "secret"}]
    assert manager.delete(f"/api/outbound/endpoints/{body['id']}/").status_code == 204
    assert manager.delete(f"/api/outbound/endpoints/{body['id']}/").status_code == 404
    assert not Endpoint.objects.exists()


def test_events_default_to_all(manager, resolvable):
    made = manager.post(
        "/api/outbound/endpoints/", {"url": "https://erp.example.com/all"}, format="json"
    ).json()
    assert made["events"] == []
    event_record(type="test.noted", data={})
    assert Endpoint.objects.get().deliveries.count() == 1


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://erp.example.com/hooks", "https://"),
        ("https://127.0.0.1/hooks", "not on the internet"),
        ("https://10.1.2.3/hooks", "not on the internet"),
        ("https://169.254.169.254/latest", "not on the internet"),
        ("https://[::1]/hooks", "not on the internet"),
        ("https://localhost/hooks", "not on the internet"),
        ("https://100.64.0.1/", "not on the internet"),  # shared address space
        ("https://192.0.2.10/", "not on the internet"),  # documentation
        ("https://198.18.0.1/", "not on the internet"),  # benchmarking
        ("https://[2002:7f00:1::]/", "not on the internet"),  # 6to4 of 127.0.0.1
        ("https://[64:ff9b::7f00:1]/", "not on the internet"),  # NAT64 of 127.0.0.1
        ("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "not on the internet"),  # Teredo
        ("https://[::ffff:127.0.0.1]/", "not on the internet"),  # IPv4-mapped
        # Two parsers, two hosts: urlsplit says 93.184.215.14, urllib3 would connect to 127.0.0.1.
        ("https://127.0.0.1:9\\@93.184.215.14/ok", "backslash"),
        ("https://127.0.0.1:9\\@erp.example.com/ok", "backslash"),
        ("https://ops:secret@erp.example.com/h", "user name"),
        ("https://erp.example.com\t/h", "valid URL"),
        ("not a url", "valid URL"),
    ],
)
def test_a_url_that_is_not_https_or_reaches_inside_is_refused(
    manager, resolvable, settings, url, error
):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    answer = manager.post("/api/outbound/endpoints/", {"url": url}, format="json")
    assert answer.status_code == 400 and error in answer.json()["error"]
    assert not Endpoint.objects.exists()


def test_unknown_event_types_are_refused(manager, resolvable):
    answer = manager.post(
        "/api/outbound/endpoints/",
        {"url": "https://erp.example.com/h", "events": ["order.exploded"]},
        format="json",
    )
    assert answer.status_code == 400 and "error" in answer.json()


def test_without_the_permission_nothing_is_shown_or_changed(resolvable):
    viewer = staff_with("view_endpoint")
    assert viewer.get("/api/outbound/endpoints/").status_code == 200
    refused = viewer.post(
        "/api/outbound/endpoints/", {"url": "https://erp.example.com/h"}, format="json"
    )
    assert refused.status_code == 403 and "error" in refused.json()
    shopper = client_for(UserFactory())
    assert shopper.get("/api/outbound/endpoints/").status_code == 403
    assert shopper.get("/api/events/").status_code == 403
    assert client_for(UserFactory()).delete("/api/outbound/endpoints/1/").status_code == 403


def settled(n: int) -> dict:
    """A settlement.reconciled payload, numbered by its settlement id (the feed pages real
    event types: its answers are checked against the OpenAPI schema's enum of them)."""
    money = dict.fromkeys(
        ("amount", "gross", "refunds", "disputes", "adjustments", "fees", "tax", "net"),
        Decimal("0"),
    )
    return {"id": n, "provider": "razorpay", "provider_settlement_id": f"n{n}",
            "utr": f"UTR{n}", "status": "processed", "settled_at": timezone.now(),
            "currency": "INR", "lines_flagged": 0} | money  # fmt: skip


def disputed(n: int) -> dict:
    """A dispute.opened payload, numbered by its dispute id."""
    return {"id": uuid.uuid4(), "provider": "razorpay", "provider_dispute_id": f"n{n}",
            "payment_id": None, "order_number": None, "booking_ids": [],
            "amount": Decimal("10.00"), "amount_deducted": Decimal("0"), "currency": "INR",
            "reason_code": "fraud", "status": "open", "respond_by": None,
            "created_at": timezone.now()}  # fmt: skip


def numbers(page: dict) -> list[int]:
    return [
        int((e["data"].get("provider_settlement_id") or e["data"]["provider_dispute_id"])[1:])
        for e in page["results"]
    ]


def test_the_feed_pages_events_after_one_oldest_first_filtered_by_type():
    feed = staff_with("view_event")
    for n in range(150):
        if n % 3:
            event_record(type="settlement.reconciled", data=settled(n))
        else:
            event_record(type="dispute.opened", data=disputed(n))
    first = feed.get("/api/events/").json()
    assert numbers(first) == list(range(100))
    assert first["next"].endswith(f"/api/events/?after={first['results'][-1]['id']}")
    second = feed.get(first["next"]).json()
    assert numbers(second) == list(range(100, 150))
    assert second["next"] is None
    opened = feed.get("/api/events/?types=dispute.opened").json()
    assert {e["type"] for e in opened["results"]} == {"dispute.opened"}
    assert numbers(opened) == list(range(0, 150, 3))
    event = Event.objects.order_by("pk").first()
    assert first["results"][0] == event.envelope | {"created_at": first["results"][0]["created_at"]}
    unknown = feed.get("/api/events/?after=evt_gone")
    assert unknown.status_code == 400 and "evt_gone" in unknown.json()["error"]
    assert feed.get("/api/events/?types=order.exploded").status_code == 400


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://127.0.0.1:9\\@93.184.215.14/ok", "backslash"),
        ("https://erp.example.com /h", "whitespace"),
        ("https://erp.example.com/h\x00", "control character"),
        ("https://ops:secret@erp.example.com/h", "user name"),
        ("https://@erp.example.com/h", "user name"),
    ],
)
def test_a_url_two_parsers_could_read_differently_is_refused_wherever_it_is_saved(
    resolvable, settings, url, error
):
    """The admin form and the API both save through endpoint_url_checked."""
    from config.exceptions import Invalid
    from outbound.services import endpoint_url_checked

    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True  # refused for its form, not its address
    with pytest.raises(Invalid, match=error):
        endpoint_url_checked(url)
