"""Money back on real threads against PostgreSQL: a staff refund racing the bank's "lost"
decision, and two staff refunds racing after part was lost. Whatever wins the payment's
row lock, what went back ends within what was captured."""

import pytest

from accounts.models import User
from payments.disputes.services import dispute_record
from payments.gateways.base import DisputeReport, DisputeState
from payments.models import Payment
from payments.money import to_minor
from payments.services.money_back import RefundRefused, money_back_of
from payments.services.staff_refunds import order_refund_by_staff
from tests.conftest import client_for, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import mock_order_create, mock_refund_outcomes

pytestmark = pytest.mark.django_db(transaction=True)


def _paid_order(rsps, price: str) -> tuple[int, Payment]:
    mock_order_create(rsps)
    # Razorpay's refund API is down: every refund stays decided and unsent, in flight, so
    # the race is ours alone (a refund Razorpay made before the bank decided is the bank's
    # to net, not ours to undo).
    mock_refund_outcomes(rsps)["next"] = "unavailable"
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(price=price, stock=5), 2)
    order_id = verify(api, create_payment(api).json()["razorpay_order_id"]).json()["order_id"]
    return order_id, Payment.objects.get(order_id=order_id)


def _lost(payment: Payment, *, deducted: int, name: str) -> DisputeReport:
    """The bank's decision arriving first (no opening seen): lost for `deducted` paise."""
    return DisputeReport(
        provider_dispute_id=f"disp_{name}",
        provider_payment_id=payment.provider_payment_id,
        state=DisputeState.LOST,
        amount=deducted,
        amount_deducted=deducted,
        currency="INR",
    )


def _within_the_capture(payment: Payment) -> None:
    figure = money_back_of(Payment.objects.get(pk=payment.pk))
    assert figure.refunded + figure.taken_by_disputes <= figure.captured, figure


@pytest.mark.parametrize("attempt", range(4))
def test_a_staff_refund_racing_a_chargeback_lost_in_part_ends_within_the_capture(rsps, attempt):
    order_id, payment = _paid_order(rsps, "100.00")
    clerk = User.objects.create_superuser(f"clerk{attempt}@example.com", "clerk-pass-123")
    report = _lost(payment, deducted=to_minor(payment.captured_amount) // 2, name=f"R{attempt}")
    refund, recorded = run_concurrently(
        lambda: order_refund_by_staff(order_id=order_id, staff=clerk, reason="asked"),
        lambda: dispute_record(provider="razorpay", report=report, what="payment.dispute.lost"),
    )
    assert not isinstance(recorded, Exception), recorded
    assert not isinstance(refund, Exception), refund  # in full: of what was left then
    _within_the_capture(payment)
    assert money_back_of(Payment.objects.get(pk=payment.pk)).left == 0


@pytest.mark.ledger_breach("lost_but_open")
@pytest.mark.parametrize("attempt", range(4))
def test_two_staff_refunds_racing_after_a_partial_loss_end_within_the_capture(rsps, attempt):
    order_id, payment = _paid_order(rsps, "100.00")  # ₹200
    dispute_record(
        provider="razorpay",
        report=_lost(payment, deducted=5000, name=f"T{attempt}"),
        what="payment.dispute.lost",
    )
    clerks = [
        User.objects.create_superuser(f"clerk{attempt}-{n}@example.com", "clerk-pass-123")
        for n in range(2)
    ]
    results = run_concurrently(
        *[
            lambda clerk=clerk: order_refund_by_staff(
                order_id=order_id, staff=clerk, reason="asked", amount=payment.amount / 2
            )
            for clerk in clerks
        ]
    )
    refused = [result for result in results if isinstance(result, RefundRefused)]
    assert len(refused) == 1, results  # ₹150 left: one ₹100 refund fits, the second not
    assert "the bank already returned 50.00 through a dispute" in str(refused[0])
    _within_the_capture(payment)
