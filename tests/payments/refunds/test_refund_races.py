"""Staff acting at once on one payment, on real threads against PostgreSQL: the payment's
row lock makes them take turns, so refunds never add up to more than was captured."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.models import User
from payments.models import Payment, Refund, RefundStatus
from payments.services.money_back import RefundRefused
from payments.services.refund_retries import refund_retry
from payments.services.staff_refunds import order_refund_by_staff
from tests.conftest import client_for, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_refund_refused,
    mock_refunds,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid_order_id(rsps) -> int:
    mock_order_create(rsps)
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    return verify(api, order_id).json()["order_id"]


@pytest.fixture
def clerks() -> list[User]:
    return [
        User.objects.create_superuser(f"clerk{i}@example.com", "clerk-pass-123") for i in (1, 2)
    ]


def asked_back() -> Decimal:
    return Refund.objects.exclude(status=RefundStatus.FAILED).aggregate(t=Sum("amount"))["t"]


def test_two_staff_refunding_in_full_at_once_refund_once(rsps, paid_order_id, clerks):
    mock_refunds(rsps)
    results = run_concurrently(
        *[
            lambda clerk=clerk: order_refund_by_staff(
                order_id=paid_order_id, staff=clerk, reason="duplicate click"
            )
            for clerk in clerks
        ]
    )
    refused = [r for r in results if isinstance(r, RefundRefused)]
    assert len(refused) == 1 and Refund.objects.count() == 1
    assert asked_back() == Decimal("200.00")


def test_two_partial_refunds_at_once_never_exceed_the_capture(rsps, paid_order_id, clerks):
    mock_refunds(rsps)
    results = run_concurrently(
        *[
            lambda clerk=clerk: order_refund_by_staff(
                order_id=paid_order_id, staff=clerk, reason="goodwill", amount=Decimal("150.00")
            )
            for clerk in clerks
        ]
    )
    assert sum(isinstance(r, RefundRefused) for r in results) == 1
    assert asked_back() == Decimal("150.00")


@pytest.mark.ledger_breach("refund_failed")  # the failed partial refund, retried once
def test_two_retries_of_one_failed_refund_at_once_make_one_new_attempt(rsps, paid_order_id, clerks):
    payment = Payment.objects.get()
    failed = Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount="80.00",
        reason="seeded",
        automatic=False,
        status=RefundStatus.FAILED,
    )
    mock_refund_refused(rsps, payment.provider_payment_id, "refused again")
    results = run_concurrently(
        *[lambda clerk=clerk: refund_retry(refund_id=failed.pk, staff=clerk) for clerk in clerks]
    )
    assert sum(isinstance(r, RefundRefused) for r in results) == 1
    assert Refund.objects.filter(retry_of=failed).count() == 1
