"""A dispute opening while staff refund the same payment, on real threads against
PostgreSQL: both take the payment's row lock, so a refund is made only before the dispute
exists, never after (the bank and the shop would both return the money)."""

import pytest

from accounts.models import User
from payments.disputes.services import dispute_record
from payments.gateways.base import DisputeReport, DisputeState
from payments.models import Dispute, Payment, Refund
from payments.money import to_minor
from payments.services.money_back import RefundRefused
from payments.services.staff_refunds import order_refund_by_staff
from tests.conftest import client_for, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import mock_order_create, mock_refunds

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(4))
def test_a_staff_refund_and_a_dispute_opening_at_once_never_both_return_the_money(rsps, attempt):
    mock_order_create(rsps)
    mock_refunds(rsps)
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 2)
    order_id = verify(api, create_payment(api).json()["razorpay_order_id"]).json()["order_id"]
    payment = Payment.objects.get()
    clerk = User.objects.create_superuser(f"clerk{attempt}@example.com", "clerk-pass-123")
    report = DisputeReport(
        provider_dispute_id=f"disp_RACE{attempt}",
        provider_payment_id=payment.provider_payment_id,
        state=DisputeState.OPEN,
        amount=to_minor(payment.captured_amount),
        currency="INR",
    )
    refund, recorded = run_concurrently(
        lambda: order_refund_by_staff(order_id=order_id, staff=clerk, reason="asked"),
        lambda: dispute_record(provider="razorpay", report=report, what="payment.dispute.created"),
    )
    dispute = Dispute.objects.get()
    first_line = dispute.history.earliest("created_at")
    if isinstance(refund, RefundRefused):
        assert "dispute is open" in str(refund) and not Refund.objects.exists()
    else:
        assert Refund.objects.get().created_at < first_line.created_at
    assert not isinstance(recorded, Exception)
