"""Fixtures shared by the payment tests."""

import pytest

from payments.models import Payment
from tests.factories import VariantFactory

from .razorpay_fakes import mock_order_create
from .test_razorpay_checkout_api import add_to_cart, create_payment


@pytest.fixture
def open_payment(api, rsps):
    """A shopper with 2 units in the cart and a Razorpay payment of ₹200 for them."""
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    create_payment(api)
    return Payment.objects.get()
