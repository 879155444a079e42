"""Outbound in admin (add with the secret shown once, resend, resend failed since a time,
permissions), the gauges, pruning, and the demo: a checkout at the sandbox reaches the
sandbox's receiver as one correctly signed order.paid."""

from datetime import timedelta

import pytest
import requests
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from outbound.models import Delivery, Endpoint, Event
from outbound.relay import outbound_relay
from outbound.services import event_record, events_prune
from sandbox.models import SandboxOrder
from tests.payments.conftest import act

pytestmark = pytest.mark.django_db


def test_staff_add_an_endpoint_in_admin_and_see_its_secret_once(staff, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    page = staff.post(
        "/admin/outbound/endpoint/add/",
        {"url": "https://erp.internal/hooks", "events": ["order.paid"], "description": "ERP"},
        follow=True,
    ).content.decode()
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in page and endpoint.events == ["order.paid"]
    assert (
        endpoint.secret
        not in staff.get(f"/admin/outbound/endpoint/{endpoint.pk}/change/").content.decode()
    )


def test_a_refused_url_is_shown_to_staff_not_a_500(staff, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    page = staff.post(
        "/admin/outbound/endpoint/add/", {"url": "https://127.0.0.1/hooks"}, follow=True
    )
    assert page.status_code == 200 and "not on the internet" in page.content.decode()
    assert not Endpoint.objects.exists()


def test_staff_resend_a_delivery_and_every_failed_one_since_a_time(staff, receiver):
    receiver.answers["/ok"] = 400
    endpoint = receiver.endpoint()
    for _ in range(3):
        event_record(type="test.noted", data={})
    outbound_relay()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    receiver.answers["/ok"] = 200
    first = Delivery.objects.order_by("pk").first()
    act(staff, "outbound/delivery", "resend", first.pk)
    outbound_relay()
    assert Delivery.objects.get(pk=first.pk).status == "delivered"
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    page = act(staff, "outbound/endpoint", "resend_failed", endpoint.pk, apply="1", since=since)
    assert "2 deliveries sent again" in page.content.decode()
    outbound_relay()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert len(receiver.at("/ok")) == 6  # three refused, then three delivered
    attempts = staff.get(f"/admin/outbound/delivery/{first.pk}/change/").content.decode()
    assert "answered 400" in attempts and "answered 200" in attempts


def test_a_clerk_who_may_only_view_cannot_resend(client, receiver):
    clerk = User.objects.create_user("clerk@example.com", "clerk-pass-123", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_delivery"]))
    client.force_login(clerk)
    receiver.answers["/ok"] = 400
    receiver.endpoint()
    event_record(type="test.noted", data={})
    outbound_relay()
    delivery = Delivery.objects.get()
    act(client, "outbound/delivery", "resend", delivery.pk)
    assert Delivery.objects.get().status == "failed"


def test_gauges_count_pending_failed_and_disabled(staff, settings, receiver):
    settings.METRICS_TOKEN = "scrape"
    receiver.answers["/ok"] = 400
    receiver.endpoint()
    receiver.endpoint("/later", paused_until=timezone.now() + timedelta(hours=1))
    receiver.endpoint("/off", is_active=False)
    event_record(type="test.noted", data={})
    outbound_relay()
    text = staff.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape").content.decode()
    assert "paycart_outbound_deliveries_pending 2.0" in text  # paused, and waiting for /off
    assert "paycart_outbound_deliveries_failed 1.0" in text
    assert "paycart_outbound_endpoints_disabled 1.0" in text
    assert 'paycart_outbound_attempts_total{outcome="failed"}' in text
    page = staff.get("/admin/payment-health/").content.decode()
    assert "Events the shop&#x27;s systems did not get: 2" in page or (
        "Events the shop's systems did not get: 2" in page
    )


def test_events_are_kept_for_the_retention_days_then_pruned(settings):
    settings.OUTBOUND_RETENTION_DAYS = 30
    old, new = (event_record(type="test.noted", data={}) for _ in range(2))
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert events_prune() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [new.pk]


@pytest.mark.django_db(transaction=True)
def test_a_checkout_at_the_sandbox_reaches_its_receiver_once_correctly_signed(sandbox_site):
    from tests.payments.disputes.test_sandbox_disputes import paid_at_the_sandbox

    paid = paid_at_the_sandbox(sandbox_site)  # its webhook fulfils it; the relay then sends
    received = SandboxOrder.objects.filter(provider="receiver")
    order_paid = [row for row in received if row.data["type"] == "order.paid"]
    assert len(order_paid) == 1 and order_paid[0].status == "verified"
    told = Event.objects.get(type="order.paid")
    assert order_paid[0].data["event_id"] == told.public_id
    assert told.data["id"] == paid.order_id
    page = requests.get(f"{sandbox_site}/sandbox/receiver/", timeout=10).text
    assert told.public_id in page and "order.paid" in page and 'class="unverified"' not in page
    call_command("prune_outbound_events")
