"""No provider HTTP call runs inside a database transaction or while a row lock is held:
the mocked provider itself notes, at the moment it is called, whether the calling thread
is inside an atomic block."""

import pytest
import responses
from django.db import connection

from tests.conftest import client_for
from tests.documented import DocumentedClient
from tests.factories import PujaPackageFactory, UserFactory, VariantFactory
from tests.flows import add_to_cart, booking_cart, checkout, create_payment, start
from tests.payments.gateways.phonepe.fakes import (
    mock_pay,
    mock_status,
    mock_token,
    post_webhook,
    webhook_body,
)
from tests.payments.gateways.razorpay.fakes import mock_order_create
from tests.payments.gateways.stripe.fakes import mock_session_create

pytestmark = pytest.mark.django_db(transaction=True)


def watch(rsps: responses.RequestsMock, seen: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Record (url, inside a transaction?) in `seen` for every call to the fakes registered
    so far (each wrapped once)."""
    for registered in rsps.registered():
        if getattr(registered, "watched", False):
            continue
        answer = registered.callback

        def callback(request, answer=answer):
            seen.append((request.url, connection.in_atomic_block))
            return answer(request)

        registered.callback = callback
        registered.watched = True
    return seen


def test_razorpay_order_is_created_outside_any_transaction(rsps):
    mock_order_create(rsps)
    seen = watch(rsps, [])
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(), 1)
    assert create_payment(api).status_code == 201
    assert [inside for _, inside in seen] == [False]


def test_stripe_session_is_created_outside_any_transaction(rsps):
    mock_session_create(rsps)
    seen = watch(rsps, [])
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(), 1)
    assert checkout(api).status_code == 201
    assert [inside for _, inside in seen] == [False]


def test_phonepe_token_pay_and_status_calls_happen_outside_any_transaction(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    api = client_for(UserFactory())
    seen = watch(rsps, [])
    order = start(api, booking_cart(api, PujaPackageFactory(price="999.00")))
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", 99900)
    watch(rsps, seen)
    body = webhook_body("checkout.order.completed", order["merchant_order_id"], 99900, "COMPLETED")
    assert post_webhook(DocumentedClient(), body).status_code == 200
    called = [url.split("?")[0].rsplit("/", 2)[-2:] for url, _ in seen]
    assert called == [["oauth", "token"], ["v2", "pay"], [order["merchant_order_id"], "status"]]
    assert not any(inside for _, inside in seen)
