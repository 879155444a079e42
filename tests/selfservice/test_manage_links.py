"""The manage link: every paid order and booking, a guest's or a user's, is seen, cancelled
and its documents fetched by whoever holds the link mailed with it; "resend my links" mails
them again; a token is never guessable, never logged."""

import json
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import BookingStatus
from config.secret_tokens import manage_token
from orders.models import Order, OrderStatus
from outbound.models import Event
from payments.models import Refund
from tests.documented import DocumentedClient
from tests.factories import (
    BookingFactory,
    OrderFactory,
    PujaPackageFactory,
    UserFactory,
)
from tests.guests.test_guest_checkout import guest_client
from tests.payments.gateways.razorpay.fakes import mock_refunds
from tests.selfservice.conftest import LINK

pytestmark = pytest.mark.django_db


def test_the_receipt_carries_a_manage_link_that_opens_the_order_its_invoice_and_its_quote(
    guest_order,
):
    client = DocumentedClient()
    managed = client.get(f"/api/manage/{guest_order}/")
    assert managed.status_code == 200, managed.content
    body = managed.json()
    assert body["kind"] == "order" and body["order"]["total"] == "500.00"
    (document,) = body["documents"]
    assert (
        document["type"] == "TAX_INVOICE"
        and document["url"] == f"/api/manage/{guest_order}/invoice/"
    )
    assert body["cancel"] == {
        "allowed": True, "until": None, "fee": "0.00", "refund_amount": "500.00"
    }  # fmt: skip
    invoice = client.get(document["url"])
    assert invoice.status_code == 200 and invoice.json()["number"] == document["number"]
    pdf = client.get(document["url"] + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Neither the link nor its key travels in the shop's outbound events.
    key = Order.objects.get().manage_key
    sent = json.dumps([event.envelope for event in Event.objects.all()], default=str)
    assert "order.paid" in {event.type for event in Event.objects.all()}
    assert key not in sent and guest_order not in sent


def test_cancelling_by_the_link_refunds_the_paid_order_once(
    rsps, guest_order, django_capture_on_commit_callbacks
):
    mock_refunds(rsps)
    client = DocumentedClient()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/manage/{guest_order}/cancel/")
        assert first.status_code == 200, first.content
        again = client.post(f"/api/manage/{guest_order}/cancel/")
    assert first.json()["status"] == OrderStatus.CANCELLED
    (notice,) = [m for m in mail.outbox if m.subject.endswith("is cancelled")]
    assert notice.to == ["meera@example.com"]
    assert again.status_code == 200 and Refund.objects.count() == 1
    assert Refund.objects.get().amount == Decimal("500.00")
    quote = client.get(f"/api/manage/{guest_order}/").json()["cancel"]
    assert quote["allowed"] is False and quote["reason"]


def test_a_booking_is_managed_and_cancelled_by_its_link_within_its_terms(rsps):
    mock_refunds(rsps)
    package = PujaPackageFactory(price=Decimal("999.00"), cancel_fee_percent=Decimal("10"))
    booking = BookingFactory(user=UserFactory(), package=package, days=7)
    token = manage_token(booking.manage_key)
    client = DocumentedClient()
    body = client.get(f"/api/manage/{token}/").json()
    assert body["kind"] == "booking" and body["booking"]["book_id"] == booking.book_id
    assert body["cancel"]["allowed"] is True and body["cancel"]["refund_amount"] == "899.10"
    cancelled = client.post(f"/api/manage/{token}/cancel/")
    assert cancelled.status_code == 200, cancelled.content
    answer = cancelled.json()
    assert answer["booking"]["status"] == BookingStatus.CANCELLED
    assert answer["refund"]["amount"] == "899.10"


def test_a_wrong_forged_or_altered_token_is_404():
    order = OrderFactory()
    good = manage_token(order.manage_key)
    client = DocumentedClient()
    forged = manage_token("0" * 32)
    altered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    unsigned = order.manage_key  # the database's copy alone opens nothing
    for token in ("nothing", forged, altered, unsigned):
        answer = client.get(f"/api/manage/{token}/")
        assert answer.status_code == 404 and answer.json()["error"], token
    assert client.post(f"/api/manage/{altered}/cancel/").status_code == 404


def test_lookups_are_limited_per_address_whatever_api_throttling_says(settings):
    settings.API_THROTTLING = False
    settings.MANAGE_LOOKUPS_PER_MINUTE = 3
    client = DocumentedClient()
    for _ in range(3):
        assert client.get("/api/manage/guess/").status_code == 404
    limited = client.get("/api/manage/guess/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    other = DocumentedClient(REMOTE_ADDR="10.9.8.7")
    assert other.get("/api/manage/guess/").status_code == 404


def test_resend_my_links_answers_202_always_and_mails_the_last_years_purchases_once(
    guest_order, django_capture_on_commit_callbacks
):
    buyer = UserFactory(email="meera@example.com")
    booking = BookingFactory(user=buyer, package=PujaPackageFactory(), days=7)
    mail.outbox.clear()
    client = DocumentedClient()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/manage/links/", {"email": "MEERA@example.com"}).status_code == 202
        assert client.post("/api/manage/links/", {"email": "meera@example.com"}).status_code == 202
        assert client.post("/api/manage/links/", {"email": "nobody@example.com"}).status_code == 202
    (sent,) = mail.outbox
    assert sent.to == ["meera@example.com"]
    links = LINK.findall(sent.body)
    assert guest_order in links and manage_token(booking.manage_key) in links
    for link in links:
        assert client.get(f"/api/manage/{link}/").status_code == 200
    bad = client.post("/api/manage/links/", {"email": "not-an-email"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("email")


def test_a_guests_lookup_of_its_order_needs_no_cart_token(guest_order):
    assert guest_client().get(f"/api/manage/{guest_order}/").status_code == 200
