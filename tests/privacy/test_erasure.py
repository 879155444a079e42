"""A person sees what the shop holds and has it erased: checked as an auditor would, by
dumping the whole database afterwards and finding their email and phone nowhere, while
the order number, the amounts and the issued tax document stay (the ledger holds)."""

import glob
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from config.secret_tokens import manage_token
from invoices.models import TaxDocument
from orders.models import Order
from outbound.models import Event
from payments.models import Payment, WebhookEvent
from privacy.models import Erasure, ErasureStatus
from privacy.services import erasure_request, erasures_finish_unfinished
from tests.conftest import client_for
from tests.documented import DocumentedClient
from tests.factories import BookingFactory, UserFactory, VariantFactory
from tests.flows import add_to_cart
from tests.guests.test_guest_checkout import start_guest
from tests.payments.gateways.razorpay.fakes import (
    ADDRESS,
    checkout_signature,
    mock_order_create,
    pay_at_razorpay,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL, PHONE = "meera.private@example.com", "9845012345"
HER_ADDRESS = ADDRESS | {"first_name": "Meera", "last_name": "Nair", "phone": PHONE}


def database_dump() -> str:
    """The whole database as pg_dump writes it: what an auditor would search."""
    settings = connection.settings_dict
    (pg_dump,) = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1:]
    return subprocess.run(
        [pg_dump, "-h", settings["HOST"], "-p", str(settings["PORT"]), "-U", settings["USER"],
         "--data-only", settings["NAME"]],
        capture_output=True, text=True, check=True,
        env={"PGPASSWORD": settings["PASSWORD"] or ""},
    ).stdout  # fmt: skip


def buy(client, *, contact: dict | None = None) -> str:
    """A paid order (verify, then the provider's webhook stored too); its number."""
    body = {
        "shipping_address": HER_ADDRESS, "billing_address": HER_ADDRESS,
        "payment_method": "razorpay", **({"contact": contact} if contact else {}),
    }  # fmt: skip
    opened = client.post(
        "/api/payments/create-from-cart/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert opened.status_code == 201, opened.content
    order_id = opened.json()["razorpay_order_id"]
    entity = pay_at_razorpay(order_id, "pay_PRIVATE1", email=EMAIL, contact=f"+91{PHONE}")
    paid = client.post("/api/payments/verify/", {
        "razorpay_order_id": order_id, "razorpay_payment_id": "pay_PRIVATE1",
        "razorpay_signature": checkout_signature(order_id, "pay_PRIVATE1"),
    }, format="json")  # fmt: skip
    assert paid.status_code == 200, paid.content
    assert (
        post_webhook(DocumentedClient(), webhook_body("payment.captured", entity)).status_code
        == 200
    )
    return paid.json()["order_number"]


@pytest.fixture
def meera(rsps):
    mock_order_create(rsps)
    user = UserFactory(email=EMAIL, phone=PHONE, first_name="Meera", last_name="Nair")
    api = client_for(user)
    add_to_cart(api, VariantFactory(price="250.00"), 2)
    return user, api, buy(api)


def test_the_person_sees_everything_held_about_them(meera):
    _user, api, number = meera
    answer = api.get("/api/accounts/me/data/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["account"]["email"] == EMAIL and data["consents"] == []
    (order,) = data["held"]["orders.Order"]
    assert order["order_number"] == number and order["shipping_address"]["phone"] == PHONE
    assert data["held"]["payments.WebhookEvent"][0]["body"].count(EMAIL) == 1
    assert data["held"]["invoices.TaxDocument"][0]["buyer"]["name"] == "Meera Nair"
    assert EMAIL in str(data["held"]["idempotency.IdempotencyKey"])


def test_an_erased_account_is_nowhere_in_the_database_but_its_money_records_stay(meera):
    _user, api, number = meera
    assert EMAIL in database_dump() and PHONE in database_dump()
    wrong = api.post("/api/accounts/me/erase/", {"password": "not-it"}, format="json")
    assert wrong.status_code == 400
    answer = api.post("/api/accounts/me/erase/", {"password": "secret-pass-123"}, format="json")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "SCHEDULED"
    kept = {item["what"]: item["why"] for item in body["kept"]}
    assert "CGST Act 2017 s.36" in kept["1 tax documents"]
    assert Erasure.objects.get(pk=body["id"]).status == ErasureStatus.DONE  # the job ran

    dump = database_dump()
    assert EMAIL not in dump and PHONE not in dump
    assert number in dump  # the order stands, by its number and its amounts
    order = Order.objects.get(order_number=number)
    assert str(order.total) == "500.00" and order.shipping_address == {}
    assert TaxDocument.objects.get(order=order).buyer["name"] == "Meera Nair"  # as issued
    assert WebhookEvent.objects.get(payment__order=order).body == ""
    assert Event.objects.get(type="order.paid").data["shipping_address"] is None
    assert Event.objects.filter(type="person.erased").get().data == {"id": body["id"]}
    # Signed out everywhere; signing in is refused.
    assert api.get("/api/orders/").status_code == 401
    sign_in = DocumentedClient().post(
        "/api/accounts/token/", {"email": EMAIL, "password": "secret-pass-123"}, format="json"
    )
    assert sign_in.status_code == 401
    call_command("audit_payments")  # the ledger holds (exit 0)


def test_an_erasure_waits_while_something_is_open(rsps):
    user = UserFactory()
    BookingFactory(user=user, days=7)
    answer = client_for(user).post(
        "/api/accounts/me/erase/", {"password": "secret-pass-123"}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["open"] == ["a booking is still to come: cancel it first"]
    assert not Erasure.objects.exists()


def test_a_guest_erases_their_contact_from_the_manage_link(
    rsps, django_capture_on_commit_callbacks
):
    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory(price="250.00"))
    contact = {"email": EMAIL, "name": "Meera Nair", "phone": PHONE}
    number = buy(guest, contact=contact)
    token = manage_token(Order.objects.get(order_number=number).manage_key)
    answer = DocumentedClient().post(f"/api/manage/{token}/erase/")
    assert answer.status_code == 202, answer.content
    dump = database_dump()
    assert EMAIL not in dump and PHONE not in dump and number in dump
    assert guest.get("/api/cart/").status_code == 404  # the cart token died with it


def test_erase_person_by_mail_and_the_retention_schedule(meera, settings):
    user, _api, _number = meera
    # A guest who bought long ago, a payment that never got paid, an old webhook body.
    old = timezone.now() - timedelta(days=400)
    start_guest(VariantFactory())
    User.objects.filter(is_guest=True).update(
        date_joined=old, contact_email="old.guest@example.com"
    )
    unpaid = Payment.objects.create(
        user=user, amount=10, subtotal=10, provider="razorpay", status="EXPIRED",
        shipping_address=HER_ADDRESS, billing_address=HER_ADDRESS,
    )  # fmt: skip
    Payment.objects.filter(pk=unpaid.pk).update(created_at=old)
    WebhookEvent.objects.update(received_at=old)
    call_command("retention_sweep")
    assert User.objects.get(is_guest=True).contact_email == ""
    assert Payment.objects.get(pk=unpaid.pk).shipping_address == {}
    assert set(WebhookEvent.objects.values_list("body", flat=True)) == {""}
    assert Erasure.objects.get().asked_by == "rule RETAIN_GUEST_DAYS"

    call_command("erase_person", email=EMAIL.upper(), staff="7")
    assert EMAIL not in database_dump()
    assert Erasure.objects.filter(asked_by="by mail, staff 7").count() == 1


def test_an_erasure_whose_job_was_lost_is_finished_by_beat():
    user = UserFactory(email=EMAIL, phone=PHONE)
    erasure = erasure_request(user=user, asked_by="the person", job=False)  # job lost
    assert erasures_finish_unfinished() == 0  # not yet: its job may still be on its way
    Erasure.objects.filter(pk=erasure.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert erasures_finish_unfinished() == 1
    assert Erasure.objects.get(pk=erasure.pk).status == ErasureStatus.DONE
    assert EMAIL not in database_dump()
