import pytest

from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus
from tests.conftest import client_for
from tests.factories import VariantFactory
from tests.flows import add_to_cart, place_order, verify
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_order_payments,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db


def test_placing_an_order_reserves_stock_and_empties_the_cart(api):
    variant = VariantFactory(price="150.00", stock=4)
    add_to_cart(api, variant, 3)
    response = place_order(api)
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "pending_payment" and order["payment_status"] == "pending"
    assert order["total"] == "450.00" and order["items"][0]["quantity"] == 3
    assert ProductVariant.objects.get(pk=variant.pk).stock == 1
    assert api.get("/api/cart/").json()["items"] == []


def test_placing_an_order_from_an_empty_cart_is_refused(api):
    response = place_order(api)
    assert response.status_code == 400 and response.json()["error"] == "Cart is empty."


def test_placing_an_order_when_stock_ran_out_is_refused_and_nothing_changes(api):
    short = VariantFactory(stock=2)
    fine = VariantFactory(stock=5)
    add_to_cart(api, fine, 1)
    add_to_cart(api, short, 2)
    ProductVariant.objects.filter(pk=short.pk).update(stock=1)
    response = place_order(api)
    assert response.status_code == 400 and "out of stock" in response.json()["error"]
    assert not Order.objects.exists()
    assert ProductVariant.objects.get(pk=fine.pk).stock == 5
    assert len(api.get("/api/cart/").json()["items"]) == 2


def test_cancelling_releases_the_stock_once(api):
    variant = VariantFactory(stock=4)
    add_to_cart(api, variant, 3)
    order_id = place_order(api).json()["id"]
    cancelled = api.post(f"/api/orders/{order_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert ProductVariant.objects.get(pk=variant.pk).stock == 4
    again = api.post(f"/api/orders/{order_id}/cancel/")  # asked again: the same answer
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    assert ProductVariant.objects.get(pk=variant.pk).stock == 4


def test_another_users_order_cannot_be_cancelled(api, other_user):
    theirs = client_for(other_user)
    add_to_cart(theirs, VariantFactory(), 1)
    order_id = place_order(theirs).json()["id"]
    assert api.post(f"/api/orders/{order_id}/cancel/").status_code == 404


def test_legacy_payment_confirms_the_existing_order(api, rsps):
    created = mock_order_create(rsps)
    variant = VariantFactory(price="150.00", stock=4)
    add_to_cart(api, variant, 2)
    order = place_order(api).json()

    response = api.post("/api/payments/create/", {"order_id": order["id"]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == 30000 and created[0]["amount"] == 30000
    assert body["notes"]["cart_id"] is None and body["notes"]["order_id"] == str(order["id"])
    assert created[0]["notes"]["order_id"] == str(order["id"])  # what Razorpay was told

    result = verify(api, body["razorpay_order_id"]).json()
    assert result["order_id"] == order["id"] and result["order_number"] == order["order_number"]
    confirmed = Order.objects.get()
    assert confirmed.status == OrderStatus.PAYMENT_CONFIRMED and confirmed.payment_status == "paid"
    assert confirmed.is_locked
    assert ProductVariant.objects.get(pk=variant.pk).stock == 2  # reserved once, not again
    assert [c.to_status for c in confirmed.status_changes.all()] == [
        "pending_payment",
        "payment_confirmed",
    ]


def test_legacy_payment_confirmed_by_webhook(anon_client, api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="150.00"), 1)
    order = place_order(api).json()
    body = api.post("/api/payments/create/", {"order_id": order["id"]}, format="json").json()
    post_webhook(
        anon_client, webhook_body("payment.captured", payment_entity(body["order_id"], 15000))
    )
    assert Order.objects.get().status == OrderStatus.PAYMENT_CONFIRMED


def test_legacy_payment_for_a_cancelled_order_is_refused(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(), 1)
    order_id = place_order(api).json()["id"]
    api.post(f"/api/orders/{order_id}/cancel/")
    response = api.post("/api/payments/create/", {"order_id": order_id}, format="json")
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_success_after_the_order_was_cancelled_revives_it_when_stock_and_price_allow(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=3)
    add_to_cart(api, variant, 1)
    order_id = place_order(api).json()["id"]
    body = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
    mock_order_payments(rsps, body["razorpay_order_id"], [])  # nothing paid yet
    assert api.post(f"/api/orders/{order_id}/cancel/").status_code == 200
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3

    response = verify(api, body["razorpay_order_id"])
    assert response.status_code == 200 and response.json()["order_id"] == order_id
    assert Order.objects.get().status == OrderStatus.PAYMENT_CONFIRMED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 2


def test_a_success_after_cancel_is_flagged_when_the_price_went_up(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=3, price="100.00")
    add_to_cart(api, variant, 1)
    order_id = place_order(api).json()["id"]
    body = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
    mock_order_payments(rsps, body["razorpay_order_id"], [])
    api.post(f"/api/orders/{order_id}/cancel/")
    ProductVariant.objects.filter(pk=variant.pk).update(price="150.00")

    response = verify(api, body["razorpay_order_id"])
    assert response.status_code == 409 and response.json()["needs_attention"] is True
    assert "150.00" in response.json()["error"]
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3


def test_legacy_payment_for_someone_elses_order_is_404(api, other_user, rsps):
    mock_order_create(rsps)
    theirs = client_for(other_user)
    add_to_cart(theirs, VariantFactory(), 1)
    order_id = place_order(theirs).json()["id"]
    response = api.post("/api/payments/create/", {"order_id": order_id}, format="json")
    assert response.status_code == 404
