"""A day's settlement played by the sandbox over real HTTP: the sandbox settles what was
paid (2% fee, 18% GST on it, refunds and lost disputes taken off) and sends its signed
event; our webhook reads it back through the real SDKs and reconciles it."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from payments.gateways.registry import get_provider
from payments.money import to_minor
from payments.services.staff_refunds import order_refund_by_staff
from settlements.models import Settlement
from settlements.selectors import settlements_statement
from tests.factories import UserFactory
from tests.payments.disputes.test_sandbox_disputes import paid_at_the_sandbox
from tests.payments.gateways.test_sandbox import press

from .conftest import fee_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sandbox_settles_a_day_and_it_reconciles_to_the_paisa(
    sandbox_site, django_capture_on_commit_callbacks
):
    kept, refunded, disputed = (paid_at_the_sandbox(sandbox_site) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_by_staff(
            order_id=refunded.order_id, staff=None, reason="Asked by phone",
            amount=refunded.captured_amount,
        )  # fmt: skip
    refund.refresh_from_db()
    assert refund.provider_refund_id.startswith("rfnd_")
    call_command("sandbox_dispute", str(disputed.pk), outcome="lost")
    from payments.disputes.services import dispute_let_go_ahead
    from payments.models import Dispute

    dispute_let_go_ahead(dispute_id=Dispute.objects.get().pk, staff=UserFactory(is_staff=True))

    call_command("sandbox_settle", provider="razorpay")

    settlement = settlements_statement().get(provider="razorpay")
    paid = [to_minor(p.captured_amount) for p in (kept, refunded, disputed)]
    fee = sum(fee_of(amount)[0] for amount in paid)
    tax = sum(fee_of(amount)[1] for amount in paid)
    assert settlement.status == "processed" and settlement.utr.startswith("SBIN")
    assert settlement.fees == Decimal(fee) / 100 and settlement.tax == Decimal(tax) / 100
    assert (
        settlement.net
        == settlement.amount
        == (Decimal(sum(paid) - fee) / 100) - (refunded.captured_amount + disputed.captured_amount)
    )
    assert settlement.flagged == 0 and settlement.lines.count() == 5
    call_command("audit_settlements")  # nothing stands
    with pytest.raises(CommandError, match="Nothing was settled"):
        call_command("sandbox_settle", provider="razorpay")  # nothing new is due


def test_the_stripe_sandbox_pays_out_and_its_balance_transactions_are_read(sandbox_site):
    stripe = get_provider("stripe")
    session = stripe.create_order(
        reference="not-ours", amount=7000, currency="INR", notes={}, return_url="/demo/back"
    )
    press(sandbox_site, f"/sandbox/stripe/pay/{session.provider_order_id}/")
    call_command("sandbox_settle", provider="stripe")
    settlement = settlements_statement().get(provider="stripe")
    fee, tax = fee_of(7000)
    assert settlement.provider_settlement_id.startswith("po_")
    assert settlement.net == settlement.amount == Decimal(7000 - fee) / 100
    assert (settlement.fees, settlement.tax) == (Decimal(fee) / 100, Decimal(tax) / 100)
    line = settlement.lines.get()  # the payout's own transaction is not a line
    charge = stripe.fetch_charge(provider_order_id=session.provider_order_id)
    # A checkout none of ours made: read, named by its payment intent, and flagged.
    assert (line.provider_entity_id, line.flag) == (charge.provider_payment_id, "unmatched")
    assert Settlement.objects.count() == 1
