"""The factories reach each state through the services that reach it in production, and
each state is what it says: what a test built on a factory checks is real."""

import pytest

from bookings.models import BookingStatus
from orders.models import OrderStatus
from payments.models import PaymentStatus, RefundStatus
from tests.factories import (
    PAYMENT_STATES,
    BookingFactory,
    OrderFactory,
    PaymentFactory,
    RefundFactory,
)

pytestmark = pytest.mark.django_db

PAYMENTS = {
    "initiated": (PaymentStatus.INITIATED, False, False),
    "pending": (PaymentStatus.PENDING, False, False),
    "failed": (PaymentStatus.FAILED, False, False),
    "expired": (PaymentStatus.EXPIRED, False, False),
    "paid": (PaymentStatus.SUCCESS, True, False),
    "needs_attention": (PaymentStatus.SUCCESS, False, True),
    "refunded": (PaymentStatus.REFUNDED, True, False),
}


def test_every_payment_state_is_named():
    assert set(PAYMENTS) == set(PAYMENT_STATES)


@pytest.mark.parametrize("state", PAYMENTS)
def test_a_payment_in_each_state(state):
    payment = PaymentFactory(state=state)
    status, fulfilled, flagged = PAYMENTS[state]
    assert payment.status == status
    assert bool(payment.fulfilled_at) is fulfilled and payment.needs_attention is flagged
    assert payment.cart_snapshot["lines"] and payment.provider_order_id


@pytest.mark.parametrize(
    "state, status, payment_status",
    [
        ("requested", RefundStatus.REQUESTED, PaymentStatus.SUCCESS),
        ("processed", RefundStatus.PROCESSED, PaymentStatus.REFUNDED),
        pytest.param(
            "failed",
            RefundStatus.FAILED,
            PaymentStatus.SUCCESS,
            marks=pytest.mark.ledger_breach("refund_failed"),
        ),
    ],
)
def test_a_refund_in_each_state(state, status, payment_status):
    refund = RefundFactory(state=state)
    refund.payment.refresh_from_db()
    assert refund.status == status and refund.payment.status == payment_status


@pytest.mark.parametrize("state", ["pending_payment", "payment_confirmed", "cancelled", "refunded"])
def test_an_order_in_each_state(state):
    assert OrderFactory(state=state).status == OrderStatus(state)


@pytest.mark.parametrize("state", [BookingStatus.CONFIRMED, BookingStatus.CANCELLED])
def test_a_booking_in_each_state(state):
    assert BookingFactory(state=state).status == state
