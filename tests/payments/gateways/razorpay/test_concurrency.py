"""Races against real PostgreSQL from real threads: whatever arrives first wins, and
every later arrival answers the same order."""

import pytest

from catalog.models import ProductVariant
from orders.models import Order
from payments.models import Payment
from tests.conftest import client_for, run_concurrently
from tests.documented import DocumentedClient
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("round_", range(5))
def test_verify_and_webhook_racing_give_one_order_and_one_stock_decrement(rsps, round_):
    mock_order_create(rsps)
    user = UserFactory()
    variant = VariantFactory(price="100.00", stock=5)
    api = client_for(user)
    add_to_cart(api, variant, 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    body = webhook_body("payment.captured", payment_entity(order_id, 20000, payment_id="pay_RACE"))
    verifiers = [lambda: verify(client_for(user), order_id, payment_id="pay_RACE")] * 3
    webhooks = [lambda: post_webhook(DocumentedClient(), body)] * 3
    results = run_concurrently(*verifiers, *webhooks)
    assert [r.status_code for r in results] == [200] * 6
    assert len({r.json()["order_id"] for r in results[:3]}) == 1
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3
    assert Payment.objects.get().order_id == results[0].json()["order_id"]


def test_two_payments_of_one_cart_paid_at_once_give_one_order(rsps):
    mock_order_create(rsps)
    user = UserFactory()
    variant = VariantFactory(stock=10)
    api = client_for(user)
    add_to_cart(api, variant, 2)
    first = create_payment(api).json()["razorpay_order_id"]
    second = create_payment(api).json()["razorpay_order_id"]
    results = run_concurrently(
        lambda: verify(client_for(user), first, payment_id="pay_A"),
        lambda: verify(client_for(user), second, payment_id="pay_B"),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock == 8
    assert Payment.objects.filter(needs_attention=True).count() == 1
