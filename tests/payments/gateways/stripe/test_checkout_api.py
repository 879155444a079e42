import json
from urllib.parse import parse_qsl

import pytest
import requests
from django.core import mail

from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus, WebhookEvent, WebhookEventStatus
from tests.conftest import client_for
from tests.factories import VariantFactory
from tests.flows import add_to_cart, checkout
from tests.payments.gateways.razorpay.fakes import ADDRESS
from tests.payments.gateways.stripe.fakes import (
    completed_session,
    event_body,
    mock_session_create,
    mock_session_expire,
    post_event,
    sessions_url,
    signature_header,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_sessions(rsps):
    return mock_session_create(rsps)


@pytest.fixture
def started(api, stripe_sessions):
    """A shopper who bought 2 × ₹150 through an open embedded Checkout Session."""
    variant = VariantFactory(price="150.00", stock=5)
    add_to_cart(api, variant, 2)
    body = checkout(api).json()
    return {"variant": variant, "order_id": body["orderId"], "session": stripe_sessions[0]}


def test_checkout_session_reserves_stock_and_answers_the_client_secret(api, user, stripe_sessions):
    variant = VariantFactory(price="150.00", stock=5)
    add_to_cart(api, variant, 2)
    response = checkout(api)
    assert response.status_code == 201
    body = response.json()
    session = stripe_sessions[0]
    assert body["clientSecret"] == session["client_secret"]
    order = Order.objects.get(pk=body["orderId"])
    assert order.status == OrderStatus.PENDING_PAYMENT and order.payment_status == "pending"
    assert order.total == 300
    assert session["ui_mode"] == "embedded_page" and session["amount_total"] == 30000
    assert session["currency"] == "inr"
    assert session["metadata"]["order_id"] == str(order.pk)
    assert session["metadata"]["user_id"] == str(user.pk)
    assert session["return_url"] == f"https://shop.example.com/order-success/{order.pk}"
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3
    assert api.get("/api/cart/").json()["items"] == []
    payment = Payment.objects.get()
    assert payment.provider_order_id == session["id"] and payment.order == order
    assert [o["id"] for o in api.get("/api/orders/").json()] == [order.pk]


def test_completed_webhook_confirms_the_order_and_sends_one_receipt(
    api, anon_client, user, started, django_capture_on_commit_callbacks
):
    session = completed_session(started["session"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(anon_client, event_body("checkout.session.completed", session))
    assert response.status_code == 200
    order = Order.objects.get(pk=started["order_id"])
    assert order.status == OrderStatus.PAYMENT_CONFIRMED and order.payment_status == "paid"
    assert order.is_locked
    # The address the shopper posted is kept; the one Stripe collected is stored beside it.
    assert order.shipping_address["city"] == "Bengaluru"
    assert order.billing_address == order.shipping_address
    assert (
        order.provider_shipping_address["city"] == "Pune"
        and order.provider_shipping_address["address_line_1"] == "1 MG Road"
    )
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCESS
    assert list(payment.status_changes.values_list("from_status", "to_status")) == [
        ("INITIATED", "SUCCESS")
    ]
    assert [c.to_status for c in order.status_changes.all()] == [
        "pending_payment",
        "payment_confirmed",
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email] and order.order_number in mail.outbox[0].subject
    assert (
        ProductVariant.objects.get(pk=started["variant"].pk).stock == 3
    )  # taken once, at reservation

    # A replay and a second delivery of another event id for the same session change nothing.
    body = event_body("checkout.session.completed", session, event_id="evt_dup")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(anon_client, body)
        assert post_event(anon_client, body).json()["already_processed"] is True
    assert len(mail.outbox) == 1
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PAYMENT_CONFIRMED


def test_unpaid_completion_does_not_confirm(
    anon_client, started, django_capture_on_commit_callbacks
):
    session = completed_session(started["session"], payment_status="unpaid")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(anon_client, event_body("checkout.session.completed", session))
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PENDING_PAYMENT
    assert not mail.outbox


def test_mismatched_amount_is_flagged_not_confirmed(anon_client, started):
    session = completed_session(started["session"], amount_total=100)
    post_event(anon_client, event_body("checkout.session.completed", session))
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get().needs_attention


def test_expired_session_cancels_the_order_and_returns_the_stock_once(anon_client, started):
    expired = started["session"] | {"status": "expired"}
    post_event(anon_client, event_body("checkout.session.expired", expired))
    post_event(anon_client, event_body("checkout.session.expired", expired))  # another delivery
    order = Order.objects.get(pk=started["order_id"])
    assert order.status == OrderStatus.CANCELLED
    assert ProductVariant.objects.get(pk=started["variant"].pk).stock == 5
    assert Payment.objects.get().status == PaymentStatus.EXPIRED


def test_a_webhook_naming_someone_elses_order_is_refused(
    anon_client, other_user, started, django_capture_on_commit_callbacks
):
    theirs = client_for(other_user)
    add_to_cart(theirs, VariantFactory(), 1)
    their_order = checkout(theirs).json()["orderId"]
    forged = completed_session(started["session"]) | {
        "metadata": {"order_id": str(their_order), "user_id": str(other_user.pk)}
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(anon_client, event_body("checkout.session.completed", forged))
    assert response.status_code == 400
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PENDING_PAYMENT
    assert Order.objects.get(pk=their_order).status == OrderStatus.PENDING_PAYMENT

    wrong_user = completed_session(started["session"]) | {
        "metadata": {"order_id": str(started["order_id"]), "user_id": str(other_user.pk)}
    }
    assert (
        post_event(anon_client, event_body("checkout.session.completed", wrong_user)).status_code
        == 400
    )
    assert not mail.outbox


def test_unknown_order_in_metadata_is_refused(anon_client, db):
    session = completed_session(
        {
            "id": "cs_test_unknown",
            "amount_total": 100,
            "currency": "inr",
            "metadata": {"order_id": "999999", "user_id": "1"},
        }
    )
    response = post_event(anon_client, event_body("checkout.session.completed", session))
    assert response.status_code == 400 and "Unknown order" in response.json()["error"]


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=deadbeef", "garbage", "STALE"],
)
def test_bad_signature_is_refused(anon_client, started, signature):
    body = event_body("checkout.session.completed", completed_session(started["session"]))
    if signature == "STALE":
        signature = signature_header(body, timestamp=1_000_000_000)
    response = post_event(anon_client, body, signature=signature)
    assert response.status_code == 400
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PENDING_PAYMENT
    assert WebhookEvent.objects.get().status == WebhookEventStatus.REJECTED


def test_signed_with_another_secret_is_refused(anon_client, started):
    body = event_body("checkout.session.completed", completed_session(started["session"]))
    assert (
        post_event(
            anon_client, body, signature=signature_header(body, secret="whsec_other")
        ).status_code
        == 400
    )


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"id": "evt_1", "type": 5, "data": []}'])
def test_a_signed_but_unusable_event_is_acknowledged_and_kept_rejected(anon_client, db, body):
    response = post_event(anon_client, body)
    assert response.status_code == 200 and response.json()["usable"] is False
    assert WebhookEvent.objects.get().status == WebhookEventStatus.REJECTED


def test_unhandled_event_type_is_acknowledged_and_changes_nothing(anon_client, started):
    body = event_body("customer.created", {"id": "cus_1", "object": "customer"})
    response = post_event(anon_client, body)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEventStatus.IGNORED
    assert Order.objects.get(pk=started["order_id"]).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("refused"),
        {"status": 500, "json": {"error": {"type": "api_error", "message": "boom"}}},
        {"status": 400, "json": {"error": {"type": "invalid_request_error", "message": "bad"}}},
        {"status": 200, "body": "not json"},
        {"status": 200, "json": {"object": "checkout.session"}},
    ],
    ids=["unreachable", "server-error", "refused", "malformed", "no-client-secret"],
)
def test_stripe_failure_rolls_everything_back(api, rsps, failure):
    kwargs = {"body": failure} if isinstance(failure, Exception) else failure
    rsps.add("POST", sessions_url(), **kwargs)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 2)
    response = checkout(api)
    assert response.status_code == 502 and response.json()["error"]
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5
    assert api.get("/api/cart/").json()["items"][0]["quantity"] == 2
    assert api.get("/api/orders/").json() == []
    assert not Order.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.FAILED


def test_stock_gone_between_session_and_reservation_expires_the_session(api, rsps):
    variant = VariantFactory(stock=2)
    add_to_cart(api, variant, 2)
    mock_session_expire(rsps)

    def session_then_sell_out(request):
        # Another shopper takes the last units while Stripe is creating our session.
        ProductVariant.objects.filter(pk=variant.pk).update(stock=1)
        return (
            200,
            {},
            '{"id": "cs_test_race", "object": "checkout.session", "client_secret": "cs_test_race_secret"}',
        )

    rsps.add_callback("POST", sessions_url(), callback=session_then_sell_out)
    response = checkout(api)
    assert response.status_code == 400 and "out of stock" in response.json()["error"]
    assert any(c.request.url.endswith("/cs_test_race/expire") for c in rsps.calls)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 1
    assert api.get("/api/orders/").json() == []
    assert api.get("/api/cart/").json()["items"][0]["quantity"] == 2


def test_empty_cart_and_short_stock_are_refused_before_calling_stripe(api, rsps):
    empty = checkout(api)
    assert empty.status_code == 400 and empty.json()["error"] == "Cart is empty."
    variant = VariantFactory(stock=3)
    add_to_cart(api, variant, 3)
    ProductVariant.objects.filter(pk=variant.pk).update(stock=2)
    short = checkout(api)
    assert short.status_code == 400 and variant.product.name in short.json()["error"]
    assert len(rsps.calls) == 0
    assert not Order.objects.exists()


def test_checkout_session_needs_a_token(anon_client):
    assert (
        anon_client.post("/api/payments/stripe/checkout-session/", {}, format="json").status_code
        == 401
    )


def test_the_expiry_of_a_session_whose_draft_was_discarded_is_acknowledged(api, anon_client, rsps):
    variant = VariantFactory(stock=2)
    add_to_cart(api, variant, 2)
    mock_session_expire(rsps)
    race = {"id": "cs_test_race", "object": "checkout.session", "client_secret": "cs_x_secret"}

    sent = {}

    def session_then_sell_out(request):
        sent.update(parse_qsl(request.body))
        ProductVariant.objects.filter(pk=variant.pk).update(stock=1)
        return 200, {}, json.dumps(race)

    rsps.add_callback("POST", sessions_url(), callback=session_then_sell_out)
    assert checkout(api).status_code == 400
    assert not Order.objects.exists()  # the draft is gone
    metadata = {"order_id": sent["metadata[order_id]"], "user_id": sent["metadata[user_id]"]}
    expired = race | {"status": "expired", "metadata": metadata}
    response = post_event(anon_client, event_body("checkout.session.expired", expired))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEventStatus.PROCESSED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 1


def test_a_zero_total_order_first_checkout_is_400_and_changes_nothing(api, rsps):
    add_to_cart(api, VariantFactory(price="0.00", stock=5), 1)
    response = checkout(api)
    assert response.status_code == 400 and "minimum payable" in response.json()["error"]
    placed = api.post(
        "/api/orders/", {"shipping_address": ADDRESS, "billing_address": ADDRESS}, format="json"
    )
    assert placed.status_code == 400
    assert not Order.objects.exists() and not Payment.objects.exists() and not rsps.calls


def test_without_a_posted_address_the_one_stripe_collected_fills_both(api, anon_client, rsps):
    sessions = mock_session_create(rsps)
    add_to_cart(api, VariantFactory(price="150.00", stock=5), 1)
    order_id = api.post("/api/payments/stripe/checkout-session/", {}, format="json").json()[
        "orderId"
    ]
    assert api.get(f"/api/orders/{order_id}/").json()["billing_address"] is None
    post_event(
        anon_client, event_body("checkout.session.completed", completed_session(sessions[0]))
    )
    order = api.get(f"/api/orders/{order_id}/").json()
    assert order["shipping_address"]["city"] == "Pune"
    assert order["billing_address"] == order["shipping_address"]


def test_an_expired_session_reports_the_payment_expired_and_gives_the_cart_back(
    api, anon_client, started
):
    expired = started["session"] | {"status": "expired"}
    post_event(anon_client, event_body("checkout.session.expired", expired))
    order = api.get(f"/api/orders/{started['order_id']}/").json()
    assert order["status"] == "cancelled" and order["payment_status"] == "expired"
    cart = api.get("/api/cart/").json()
    assert [(i["variant_id"], i["quantity"]) for i in cart["items"]] == [(started["variant"].pk, 2)]
