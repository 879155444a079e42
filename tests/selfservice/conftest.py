import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import VariantFactory
from tests.flows import create_payment, verify
from tests.guests.test_guest_checkout import CONTACT, start_guest
from tests.payments.gateways.razorpay.fakes import mock_order_create

LINK = re.compile(r"https://shop.example.com/manage/(\S+)")


@pytest.fixture(autouse=True)
def fresh_counts():
    """The lookup guard and "one links email per address" count in the cache: each test
    starts from none."""
    cache.clear()


@pytest.fixture
def guest_order(rsps, django_capture_on_commit_callbacks):
    """A guest's paid order of ₹500 and the token its receipt carried."""
    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory(price="250.00", stock=5), 2)
    opened = create_payment(guest, contact=CONTACT).json()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            verify(guest, opened["razorpay_order_id"], payment_id="pay_MANAGE").status_code == 200
        )
    (receipt,) = [m for m in mail.outbox if "order" in m.subject.lower()]
    return LINK.search(receipt.body).group(1)
