"""Issue: no payment is ever accepted that was not really made. Signatures here are
computed with hashlib/hmac, independently of the providers' SDKs."""

import hashlib
import hmac
import json
from collections import Counter

import pytest
import requests
import responses

from cart.models import Coupon
from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.gateways.registry import gateways
from payments.models import Payment, PaymentStatus, Refund
from payments.services.transitions import payment_expire
from tests.conftest import client_for, run_concurrently
from tests.factories import CouponFactory, UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.contract import fakes_of, post_delivery
from tests.payments.gateways.razorpay.fakes import (
    PAYMENTS,
    checkout_signature,
    mock_order_create,
    pay_at_razorpay,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db


def hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- empty secrets
@pytest.mark.parametrize("provider", gateways())
def test_a_webhook_signed_with_an_empty_secret_never_verifies(anon_client, db, settings, provider):
    fakes = fakes_of(provider)
    setattr(settings, fakes.secret_setting, "")
    assert post_delivery(anon_client, fakes, "").status_code == 400
    assert not Order.objects.exists()


def test_razorpay_verify_with_an_empty_key_secret_never_verifies(api, open_payment, settings):
    settings.RAZORPAY_KEY_SECRET = ""
    order_id = open_payment.provider_order_id
    pay_at_razorpay(order_id, "pay_EMPTYKEY")
    signature = hmac_hex("", f"{order_id}|pay_EMPTYKEY".encode())
    response = verify(api, order_id, payment_id="pay_EMPTYKEY", signature=signature)
    assert response.status_code == 400
    assert not Order.objects.exists()


# ---------------------------------------------------------------- switched-off providers
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/payments/create-from-cart/"),
        ("post", "/api/payments/verify/"),
        ("post", "/api/payments/confirm-razorpay/"),
        ("post", "/api/payments/create/"),
        ("post", "/api/payments/webhook/razorpay/"),
    ],
)
def test_a_provider_switched_off_answers_404_everywhere(api, anon_client, settings, method, path):
    settings.PAYMENT_PROVIDERS = ["phonepe", "stripe"]
    for client in (api, anon_client):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 404 and "switched off" in response.json()["error"]


def test_phonepe_and_stripe_switched_off_answer_404(api, client, settings):
    settings.PAYMENT_PROVIDERS = ["razorpay"]
    for path in (
        "/api/payments/cart/",
        "/api/payments/process-cart/",
        "/api/payments/webhook/phonepe/",
        "/api/payments/stripe/checkout-session/",
        "/api/payments/webhook/stripe/",
    ):
        assert api.post(path, {}, format="json").status_code == 404, path
    redirect = client.get("/api/payments/redirect/?merchant_order_id=MO1")
    assert redirect.status_code == 404 and redirect.json()["error"]


# ---------------------------------------------------------------- verify asks Razorpay
def test_verify_with_a_valid_signature_but_no_capture_at_razorpay_builds_nothing(api, open_payment):
    order_id = open_payment.provider_order_id
    body = {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": "pay_NEVERMADE",
        "razorpay_signature": checkout_signature(order_id, "pay_NEVERMADE"),
    }
    response = api.post("/api/payments/verify/", body, format="json")
    assert response.status_code == 502  # Razorpay does not know the payment
    assert not Order.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.INITIATED


def test_verify_of_a_failed_payment_marks_it_failed_and_builds_nothing(api, open_payment):
    pay_at_razorpay(open_payment.provider_order_id, "pay_FAILED", status="failed")
    response = verify(api, open_payment.provider_order_id, payment_id="pay_FAILED")
    assert response.status_code == 400 and "failed" in response.json()["error"]
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert not Order.objects.exists()


def test_verify_captures_an_authorised_payment_when_the_settings_say_so(
    api, open_payment, rsps, settings
):
    settings.RAZORPAY_CAPTURE_AUTHORIZED = True
    pay_at_razorpay(open_payment.provider_order_id, "pay_AUTH", status="authorized")
    response = verify(api, open_payment.provider_order_id, payment_id="pay_AUTH")
    assert response.status_code == 200 and response.json()["order_created"] is True
    captures = [c for c in rsps.calls if c.request.url.endswith("/pay_AUTH/capture")]
    assert len(captures) == 1
    assert json.loads(captures[0].request.body) == {"amount": 20000, "currency": "INR"}
    assert PAYMENTS["pay_AUTH"]["status"] == "captured"


def test_verify_leaves_an_authorised_payment_to_the_webhook_when_not_capturing(
    api, anon_client, open_payment, settings
):
    settings.RAZORPAY_CAPTURE_AUTHORIZED = False
    order_id = open_payment.provider_order_id
    pay_at_razorpay(order_id, "pay_AUTH", status="authorized")
    response = verify(api, order_id, payment_id="pay_AUTH")
    assert response.status_code == 202 and response.json()["order_created"] is False
    assert not Order.objects.exists()

    captured = payment_entity(order_id, 20000, payment_id="pay_AUTH")
    assert post_webhook(anon_client, webhook_body("payment.captured", captured)).status_code == 200
    assert Order.objects.get().status == OrderStatus.PAYMENT_CONFIRMED


def test_verify_of_a_capture_for_less_money_is_flagged_not_fulfilled(api, open_payment):
    pay_at_razorpay(open_payment.provider_order_id, "pay_CHEAP", amount=100)
    response = verify(api, open_payment.provider_order_id, payment_id="pay_CHEAP")
    assert response.status_code == 409 and response.json()["needs_attention"] is True
    assert not Order.objects.exists()


def test_verify_of_a_payment_made_for_another_order_is_refused(api, open_payment):
    pay_at_razorpay("order_SOMEONEELSE", "pay_OTHER")
    response = verify(api, open_payment.provider_order_id, payment_id="pay_OTHER")
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_verify_when_razorpay_cannot_be_reached_answers_502_and_stays_payable(
    api, open_payment, rsps
):
    PAYMENTS["pay_DOWN"] = requests.ConnectionError("down")
    response = verify(api, open_payment.provider_order_id, payment_id="pay_DOWN")
    assert response.status_code == 502
    assert Payment.objects.get().status == PaymentStatus.INITIATED
    assert verify(api, open_payment.provider_order_id, payment_id="pay_UP").status_code == 200


def test_a_second_capture_for_a_fulfilled_order_is_recorded_for_refund(
    api, anon_client, open_payment
):
    order_id = open_payment.provider_order_id
    assert verify(api, order_id, payment_id="pay_FIRST").status_code == 200
    second = payment_entity(order_id, 20000, payment_id="pay_SECOND")
    for _ in range(2):  # the redelivery records nothing more
        post_webhook(anon_client, webhook_body("payment.captured", second))
    assert Order.objects.count() == 1
    refund = Refund.objects.get()
    assert refund.provider_payment_id == "pay_SECOND" and str(refund.amount) == "200.00"
    assert refund.payment == open_payment and refund.status == "REQUESTED"
    assert ProductVariant.objects.get().stock == 3


# ---------------------------------------------------------------- lapsed checkouts
def test_a_success_after_expiry_is_fulfilled_at_unchanged_prices(api, open_payment):
    payment_expire(payment_id=open_payment.pk, reason="Not paid in time.")
    response = verify(api, open_payment.provider_order_id)
    assert response.status_code == 200 and response.json()["order_created"] is True


def test_a_success_after_expiry_is_flagged_when_the_sale_ended(api, open_payment):
    payment_expire(payment_id=open_payment.pk, reason="Not paid in time.")
    ProductVariant.objects.update(price="120.00")  # the sale ended after the payment lapsed
    response = verify(api, open_payment.provider_order_id)
    assert response.status_code == 409 and "240.00" in response.json()["error"]
    assert not Order.objects.exists()
    assert ProductVariant.objects.get().stock == 5


def test_a_stripe_cancel_expires_the_session_before_releasing_the_stock(api, rsps):
    from tests.payments.gateways.stripe.fakes import (
        mock_session_create,
        mock_session_expire,
        sessions_url,
    )

    sessions = mock_session_create(rsps)
    mock_session_expire(rsps)
    rsps.add(responses.GET, f"{sessions_url()}/placeholder", json={})
    variant = VariantFactory(price="150.00", stock=5)
    add_to_cart(api, variant, 2)
    body = api.post("/api/payments/stripe/checkout-session/", {}, format="json").json()
    session = sessions[0]
    rsps.add(responses.GET, f"{sessions_url()}/{session['id']}", json=session)

    response = api.post(f"/api/orders/{body['orderId']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    expired = [c for c in rsps.calls if c.request.url.endswith(f"{session['id']}/expire")]
    assert len(expired) == 1
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert ProductVariant.objects.get().stock == 5


def test_a_cancel_that_cannot_reach_stripe_changes_nothing(api, rsps):
    from tests.payments.gateways.stripe.fakes import mock_session_create, sessions_url

    sessions = mock_session_create(rsps)
    variant = VariantFactory(price="150.00", stock=5)
    add_to_cart(api, variant, 2)
    body = api.post("/api/payments/stripe/checkout-session/", {}, format="json").json()
    session = sessions[0]
    rsps.add(responses.GET, f"{sessions_url()}/{session['id']}", json=session)
    rsps.add(
        responses.POST,
        f"{sessions_url()}/{session['id']}/expire",
        body=requests.ConnectionError("down"),
    )
    response = api.post(f"/api/orders/{body['orderId']}/cancel/")
    assert response.status_code == 502
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert ProductVariant.objects.get().stock == 3


# ---------------------------------------------------------------- coupons held
def test_the_last_coupon_use_is_held_by_the_first_payment_and_honoured(api, rsps):
    mock_order_create(rsps)
    CouponFactory(code="LAST1", value=10, usage_limit=1)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    first = create_payment(api, coupon_code="LAST1").json()
    assert Coupon.objects.get().times_used == 1

    rival = client_for(UserFactory())
    add_to_cart(rival, VariantFactory(price="100.00", stock=5), 1)
    refused = create_payment(rival, coupon_code="LAST1")
    assert refused.status_code == 400 and "usage limit" in refused.json()["error"]

    paid = verify(api, first["razorpay_order_id"])
    assert paid.status_code == 200
    assert Order.objects.get().discount_total == 10
    assert Coupon.objects.get().times_used == 1


def test_a_failed_or_expired_payment_gives_its_coupon_use_back_once(api, anon_client, rsps):
    mock_order_create(rsps)
    CouponFactory(code="LAST1", value=10, usage_limit=1)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    first = create_payment(api, coupon_code="LAST1").json()
    failed = payment_entity(first["razorpay_order_id"], 9000, status="failed")
    for _ in range(2):
        post_webhook(anon_client, webhook_body("payment.failed", failed))
    assert Coupon.objects.get().times_used == 0
    second = create_payment(api, coupon_code="LAST1").json()
    payment_expire(payment_id=second["payment_id"], reason="Not paid in time.")
    payment_expire(payment_id=second["payment_id"], reason="Not paid in time.")
    assert Coupon.objects.get().times_used == 0


@pytest.mark.django_db(transaction=True)
def test_racing_payments_for_the_last_coupon_use_hold_it_once(rsps):
    mock_order_create(rsps)
    CouponFactory(code="LAST1", value=10, usage_limit=1)
    shoppers = [client_for(UserFactory()) for _ in range(4)]
    for shopper in shoppers:
        add_to_cart(shopper, VariantFactory(price="100.00", stock=5), 1)
    results = run_concurrently(
        *[lambda s=s: create_payment(s, coupon_code="LAST1") for s in shoppers]
    )
    assert sorted(r.status_code for r in results) == [201, 400, 400, 400]
    assert Coupon.objects.get().times_used == 1


# ---------------------------------------------------------------- stock without deadlocks
@pytest.mark.django_db(transaction=True)
def test_carts_holding_the_same_variants_in_opposite_orders_never_deadlock(rsps):
    mock_order_create(rsps)
    first, second = (
        VariantFactory(price="10.00", stock=100),
        VariantFactory(price="10.00", stock=100),
    )
    verifications = []
    for round_ in range(6):
        shopper = UserFactory()
        api = client_for(shopper)
        for variant in (first, second) if round_ % 2 else (second, first):
            add_to_cart(api, variant, 1)
        order_id = create_payment(api).json()["razorpay_order_id"]
        verifications.append(lambda a=api, o=order_id: verify(a, o))
    results = run_concurrently(*verifications)
    assert [getattr(r, "status_code", r) for r in results] == [200] * 6
    stock = Counter(dict(ProductVariant.objects.values_list("pk", "stock")))
    assert stock == Counter({first.pk: 94, second.pk: 94})
