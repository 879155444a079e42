import re
from decimal import Decimal

import pytest
import requests

from cart.models import Cart, CartStatus
from catalog.models import ProductVariant
from orders.models import Order
from payments.models import Payment, PaymentStatus
from tests.conftest import client_for
from tests.factories import CouponFactory, PujaPackageFactory, VariantFactory, future_slot
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import (
    ADDRESS,
    mock_order_create,
    orders_url,
)

pytestmark = pytest.mark.django_db


def test_shop_cart_happy_path_builds_one_paid_order(api, user, rsps):
    created = mock_order_create(rsps)
    diya = VariantFactory(price="249.00", stock=5)
    mala = VariantFactory(price="899.00", stock=3)
    add_to_cart(api, diya, 2)
    add_to_cart(api, mala, 1)

    response = create_payment(api)
    assert response.status_code == 201
    body = response.json()
    payment = Payment.objects.get()
    assert body["success"] is True
    assert body["payment_id"] == str(payment.pk)
    assert body["order_id"] == body["razorpay_order_id"] == created[0]["id"]
    assert body["amount"] == 139700 and body["amount_decimal"] == "1397.00"
    assert body["currency"] == "INR" and body["key"] == "rzp_test_key"
    assert body["notes"] == {"cart_id": payment.cart.cart_id, "payment_id": str(payment.pk)}
    assert body["prefill"] == {"name": "Asha Rao", "email": user.email, "contact": "9999999999"}
    assert body["cart_items_count"] == 3
    assert created[0]["amount"] == 139700 and created[0]["notes"]["cart_id"] == payment.cart.cart_id
    assert payment.status == PaymentStatus.INITIATED

    paid = verify(api, body["razorpay_order_id"], payment_id="pay_TESTPAY0000001")
    assert paid.status_code == 200
    result = paid.json()
    assert result["status"] == "Payment successful" and result["order_created"] is True
    assert re.fullmatch(r"\d{12,}", result["order_number"]) and result["booking_ids"] == []

    order = api.get(f"/api/orders/{result['order_id']}/").json()
    assert order["status"] == "payment_confirmed" and order["payment_status"] == "paid"
    assert order["total"] == "1397.00" and order["is_locked"] is True
    assert [(i["product_name"], i["quantity"]) for i in order["items"]] == [
        (diya.product.name, 2),
        (mala.product.name, 1),
    ]
    assert order["shipping_address"]["city"] == "Bengaluru"
    assert ProductVariant.objects.get(pk=diya.pk).stock == 3
    assert ProductVariant.objects.get(pk=mala.pk).stock == 2
    cart = api.get("/api/cart/").json()
    assert cart["status"] == "ACTIVE" and cart["items"] == []
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS and payment.order_id == result["order_id"]
    assert payment.provider_payment_id == "pay_TESTPAY0000001"


def test_booking_cart_with_coupon_becomes_a_confirmed_booking(api, rsps):
    created = mock_order_create(rsps)
    CouponFactory(code="DISCOUNT10", value=10)
    package = PujaPackageFactory(price="999.00")
    slot = future_slot()
    cart = api.post(
        "/api/cart/carts/",
        {
            "service_type": "PUJA",
            "puja_service": package.service_id,
            "package": package.pk,
            "selected_date": slot["selected_date"].isoformat(),
            "selected_time": "10:00",
        },
        format="json",
    ).json()

    body = create_payment(api, cart_id=cart["cart_id"], coupon_code="DISCOUNT10").json()
    assert body["amount"] == 89910 and created[0]["amount"] == 89910

    result = verify(api, body["razorpay_order_id"]).json()
    assert result["order_id"] is None and result["order_number"] is None
    assert len(result["booking_ids"]) == 1 and re.fullmatch(
        r"BK-[0-9A-F]{8}", result["booking_ids"][0]
    )
    booking = api.get("/api/booking/bookings/").json()[0]
    assert booking["book_id"] == result["booking_ids"][0]
    assert booking["status"] == "CONFIRMED" and booking["total_amount"] == "899.10"
    assert Cart.objects.get(cart_id=cart["cart_id"]).status == CartStatus.CONVERTED
    again = create_payment(api, cart_id=cart["cart_id"])
    assert again.status_code == 400 and again.json()["error"] == "Cart has already been paid for."


def test_wrong_signature_changes_nothing_and_the_payment_stays_payable(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 1)
    order_id = create_payment(api).json()["razorpay_order_id"]

    bad = verify(api, order_id, signature="0" * 64)
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid payment signature."
    assert not Order.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.INITIATED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5

    assert verify(api, order_id).status_code == 200


def test_cart_changed_after_payment_creation_does_not_change_the_order(api, rsps):
    mock_order_create(rsps)
    first = VariantFactory(price="100.00", stock=10)
    later = VariantFactory(price="50.00", stock=10)
    add_to_cart(api, first, 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    add_to_cart(api, first, 3)  # now 5 of `first` in the cart
    add_to_cart(api, later, 1)
    ProductVariant.objects.filter(pk=first.pk).update(price=Decimal("999.00"))

    result = verify(api, order_id).json()
    order = Order.objects.get(pk=result["order_id"])
    assert [(i.variant_id, i.quantity, i.unit_price) for i in order.items.all()] == [
        (first.pk, 2, Decimal("100.00"))
    ]
    assert order.total == Decimal("200.00")
    remaining = {i["variant_id"]: i["quantity"] for i in api.get("/api/cart/").json()["items"]}
    assert remaining == {first.pk: 3, later.pk: 1}


def test_verify_twice_and_the_alias_answer_the_same_order(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 2)
    order_id = create_payment(api).json()["razorpay_order_id"]

    first = verify(api, order_id).json()
    second = verify(api, order_id).json()
    alias = verify(api, order_id, path="confirm-razorpay").json()
    assert first["order_id"] == second["order_id"] == alias["order_id"]
    assert alias["status"] == "success"
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3


def test_another_users_payment_is_404(api, other_user, rsps):
    mock_order_create(rsps)
    theirs = client_for(other_user)
    add_to_cart(theirs, VariantFactory(), 1)
    order_id = create_payment(theirs).json()["razorpay_order_id"]
    response = verify(api, order_id)
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_stock_gone_before_payment_completes_flags_the_payment(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=2)
    add_to_cart(api, variant, 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    ProductVariant.objects.filter(pk=variant.pk).update(stock=1)  # sold elsewhere meanwhile

    response = verify(api, order_id)
    assert response.status_code == 409
    assert response.json()["needs_attention"] is True
    assert "out of stock" in response.json()["error"]
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCESS and payment.needs_attention
    assert not Order.objects.exists()
    assert ProductVariant.objects.get(pk=variant.pk).stock == 1
    assert api.get("/api/cart/").json()["items"][0]["quantity"] == 2
    assert verify(api, order_id).status_code == 409  # the same answer again


def test_product_removed_after_payment_started_flags_the_payment(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=2)
    add_to_cart(api, variant, 1)
    order_id = create_payment(api).json()["razorpay_order_id"]
    variant.product.delete()

    response = verify(api, order_id)
    assert response.status_code == 409 and response.json()["needs_attention"] is True
    assert not Order.objects.exists()


def test_two_payments_of_one_cart_both_paid_give_one_order_and_one_flag(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=10)
    add_to_cart(api, variant, 2)
    first = create_payment(api).json()["razorpay_order_id"]
    second = create_payment(api).json()["razorpay_order_id"]

    # The later payment is paid first; the earlier one becomes the duplicate.
    assert verify(api, second).status_code == 200
    duplicate = verify(api, first, payment_id="pay_SECOND000001")
    assert duplicate.status_code == 409
    assert "Duplicate payment" in duplicate.json()["error"]
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock == 8
    flagged = Payment.objects.get(provider_order_id=first)
    assert flagged.needs_attention and flagged.status == PaymentStatus.SUCCESS


def test_a_payment_created_after_fulfilment_pays_for_the_new_lines(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=10)
    add_to_cart(api, variant, 1)
    assert verify(api, create_payment(api).json()["razorpay_order_id"]).status_code == 200
    add_to_cart(api, variant, 3)
    result = verify(api, create_payment(api).json()["razorpay_order_id"])
    assert result.status_code == 200
    assert Order.objects.count() == 2
    assert ProductVariant.objects.get(pk=variant.pk).stock == 6


def test_coupon_past_its_limit_is_refused(api, rsps):
    mock_order_create(rsps)
    CouponFactory(code="ONCE", usage_limit=1, times_used=1)
    add_to_cart(api, VariantFactory(), 1)
    response = create_payment(api, coupon_code="once")
    assert response.status_code == 400
    assert "usage limit" in response.json()["error"]
    assert not Payment.objects.exists()


def test_coupon_is_consumed_once_when_the_payment_is_fulfilled(api, rsps):
    mock_order_create(rsps)
    coupon = CouponFactory(code="TWICE", usage_limit=2)
    add_to_cart(api, VariantFactory(price="100.00"), 1)
    body = create_payment(api, coupon_code="TWICE").json()
    assert body["amount"] == 9000
    verify(api, body["razorpay_order_id"])
    verify(api, body["razorpay_order_id"])
    coupon.refresh_from_db()
    assert coupon.times_used == 1


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("refused"),
        {"status": 500, "json": {"error": {"code": "SERVER_ERROR", "description": "down"}}},
        {"status": 400, "json": {"error": {"code": "BAD_REQUEST_ERROR", "description": "bad"}}},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"unexpected": True}},
    ],
    ids=["unreachable", "server-error", "refused", "malformed", "no-order-id"],
)
def test_razorpay_failure_answers_502_and_leaves_nothing_pending(api, rsps, failure):
    if isinstance(failure, Exception):
        rsps.add("POST", orders_url(), body=failure)
    else:
        rsps.add("POST", orders_url(), **failure)
    add_to_cart(api, VariantFactory(stock=5), 1)
    response = create_payment(api)
    assert response.status_code == 502
    assert "could not be reached" in response.json()["error"]
    assert "Traceback" not in response.content.decode()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED and payment.provider_order_id is None
    assert len(api.get("/api/cart/").json()["items"]) == 1


ADDRESS_MISSING_CITY = {k: v for k, v in ADDRESS.items() if k != "city"}


@pytest.mark.parametrize(
    ("overrides", "status", "fragment"),
    [
        ({"shipping_address": None}, 400, "shipping_address"),
        ({"billing_address": ADDRESS_MISSING_CITY}, 400, "city"),
        ({"billing_address": "somewhere"}, 400, "billing_address"),
        ({"currency": "XYZ"}, 400, "currency"),
        ({"coupon_code": "NOPE"}, 400, "Invalid coupon"),
        ({"cart_id": "CART_NOBODY_999"}, 404, "Cart not found"),
        ({"payment_method": "paypal"}, 400, "payment_method"),
    ],
)
def test_bad_create_input_answers_4xx_and_writes_nothing(api, rsps, overrides, status, fragment):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(), 1)
    body = {"shipping_address": ADDRESS, "billing_address": ADDRESS} | overrides
    response = api.post("/api/payments/create-from-cart/", body, format="json")
    assert response.status_code == status
    assert fragment in response.json()["error"]
    assert not Payment.objects.exists()
    assert len(rsps.calls) == 0


def test_empty_and_foreign_carts_are_refused(api, other_user, rsps):
    mock_order_create(rsps)
    empty = create_payment(api)
    assert empty.status_code == 400 and empty.json()["error"] == "Cart is empty."
    theirs = client_for(other_user).get("/api/cart/").json()
    foreign = create_payment(api, cart_id=theirs["cart_id"])
    assert foreign.status_code == 404 and foreign.json()["error"] == "Cart not found."
    assert not Payment.objects.exists()


def test_quantity_over_stock_at_checkout_is_refused(api, rsps):
    mock_order_create(rsps)
    variant = VariantFactory(stock=3)
    add_to_cart(api, variant, 3)
    ProductVariant.objects.filter(pk=variant.pk).update(stock=2)
    response = create_payment(api)
    assert response.status_code == 400 and "out of stock" in response.json()["error"]


def test_payment_endpoints_need_a_token(anon_client):
    assert anon_client.post("/api/payments/create-from-cart/", {}, format="json").status_code == 401
    assert anon_client.post("/api/payments/verify/", {}, format="json").status_code == 401


def test_flagged_payments_are_filterable_in_admin(api, rsps):
    from django.test import Client

    from accounts.models import User

    mock_order_create(rsps)
    variant = VariantFactory(stock=1)
    add_to_cart(api, variant, 1)
    order_id = create_payment(api).json()["razorpay_order_id"]
    ProductVariant.objects.filter(pk=variant.pk).update(stock=0)
    verify(api, order_id)

    staff = Client()
    staff.force_login(User.objects.create_superuser("ops@example.com", "ops-pass-12345"))
    page = staff.get("/admin/payments/payment/", {"needs_attention__exact": "1"}).content.decode()
    assert order_id in page and "out of stock" in page
    payment = Payment.objects.get()
    detail = staff.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()
    assert "INITIATED" in detail and "out of stock" in detail  # the tracker entry
    assert (
        order_id
        not in staff.get(
            "/admin/payments/payment/", {"needs_attention__exact": "0"}
        ).content.decode()
    )


def test_payments_are_indexed_for_the_lookups_checkout_makes():
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Payment._meta.db_table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert {("user_id", "status"), ("cart_id", "status")} <= indexed
