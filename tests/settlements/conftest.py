"""What the settlement tests share: paid payments at each provider, and the lines a
provider would settle for them."""

from decimal import Decimal

import pytest

from payments.disputes.services import dispute_let_go_ahead, dispute_record
from payments.gateways.base import DisputeReport, DisputeState
from payments.money import to_minor
from tests.factories import PaymentFactory, RefundFactory
from tests.payments.gateways.razorpay import fakes as razorpay
from tests.payments.gateways.stripe import fakes as stripe


def minor(amount: Decimal) -> int:
    return to_minor(amount)


def lost_dispute(payment, dispute_id: str = "disp_LOST1"):
    """A dispute of all of `payment` lost at the bank; its order goes ahead (staff chose)."""
    report = DisputeReport(
        provider_dispute_id=dispute_id,
        provider_payment_id=payment.provider_payment_id,
        state=DisputeState.LOST,
        amount=minor(payment.captured_amount),
        currency="INR",
        amount_deducted=minor(payment.captured_amount),
    )
    dispute = dispute_record(provider=payment.provider, report=report, what="test").dispute
    return dispute_let_go_ahead(dispute_id=dispute.pk, staff=None)


@pytest.fixture
def razorpay_api(rsps):
    return razorpay.mock_settlements(rsps)


@pytest.fixture
def stripe_api(rsps):
    return stripe.mock_payouts(rsps)


@pytest.fixture
def day_of_money():
    """Two paid payments, one half refunded, one lost to a dispute: what a settlement of
    one day holds at Razorpay, with a ₹10 adjustment of its own."""
    kept, half_refunded, disputed = (PaymentFactory(state="paid") for _ in range(3))
    refund = RefundFactory(
        payment=half_refunded, amount=half_refunded.captured_amount / 2, state="processed"
    )
    dispute = lost_dispute(disputed)
    return {"kept": kept, "refunded": half_refunded, "refund": refund,
            "disputed": disputed, "dispute": dispute}  # fmt: skip


def fee_of(amount: int) -> tuple[int, int]:
    """Razorpay's fee on a payment: 2% and the 18% GST on it, rounded half up."""
    fee = (amount * 2 + 50) // 100
    tax = (fee * 18 + 50) // 100
    return fee + tax, tax


def payment_line(payment) -> dict:
    amount = minor(payment.captured_amount)
    fee, tax = fee_of(amount)
    return razorpay.recon_line(payment.provider_payment_id, "payment", amount, fee=fee, tax=tax)
