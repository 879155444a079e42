"""Fixtures shared by the payment tests."""

import pytest

from orders.models import Order
from payments.models import Payment
from tests.factories import VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import mock_order_create


@pytest.fixture
def open_payment(api, rsps):
    """A shopper with 2 units in the cart and a Razorpay payment of ₹200 for them."""
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    create_payment(api)
    return Payment.objects.get()


@pytest.fixture
def paid_order(api, rsps):
    """An order of ₹200 paid through Razorpay's verify."""
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    body = create_payment(api).json()
    assert verify(api, body["razorpay_order_id"], payment_id="pay_PAIDORDER").status_code == 200
    return Order.objects.get()


def act(staff, model: str, action: str, pk, **extra):
    """Run an admin action on one row, as the changelist's form does."""
    return staff.post(
        f"/admin/{model}/", {"action": action, "_selected_action": [str(pk)], **extra}, follow=True
    )
