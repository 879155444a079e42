"""The whole life of a dispute against the sandbox over real HTTP: the real SDKs read,
accept and contest it there, and the sandbox's signed events reach our webhooks
(`manage.py sandbox_dispute` raises one, as a shopper's bank would)."""

import pytest
from django.core.management import call_command

from payments.disputes.services import dispute_accept, dispute_contest, dispute_let_go_ahead
from payments.gateways.base import EvidenceFile
from payments.gateways.registry import get_provider
from payments.models import Dispute, DisputeStatus, Payment
from payments.money import to_minor
from tests.factories import PaymentFactory, UserFactory
from tests.payments.gateways.test_sandbox import press

pytestmark = pytest.mark.django_db(transaction=True)


def paid_at_the_sandbox(site: str) -> Payment:
    """A payment-first payment opened at the Razorpay sandbox and paid on its pay page (its
    webhook fulfils it)."""
    payment = PaymentFactory(provider="razorpay")
    order = get_provider("razorpay").create_order(
        reference=str(payment.pk), amount=to_minor(payment.amount), currency="INR", notes={},
        return_url="",
    )  # fmt: skip
    Payment.objects.filter(pk=payment.pk).update(provider_order_id=order.provider_order_id)
    press(site, f"/sandbox/razorpay/pay/{order.provider_order_id}/?callback=/demo/back")
    payment.refresh_from_db()
    assert payment.fulfilled_at is not None
    return payment


def test_a_dispute_raised_at_the_sandbox_and_lost_is_recorded_from_its_events(sandbox_site):
    payment = paid_at_the_sandbox(sandbox_site)
    call_command("sandbox_dispute", str(payment.pk), outcome="lost")
    dispute = Dispute.objects.get()
    assert dispute.payment == payment and dispute.status == DisputeStatus.LOST
    assert list(dispute.history.values_list("what", flat=True)) == [
        "payment.dispute.created",
        "payment.dispute.under_review",
        "payment.dispute.lost",
    ]
    dispute_let_go_ahead(dispute_id=dispute.pk, staff=UserFactory(is_staff=True))


def test_staff_contest_then_accept_through_the_sdk_at_the_sandbox(sandbox_site):
    staff = UserFactory(is_staff=True)
    contested = paid_at_the_sandbox(sandbox_site)
    call_command("sandbox_dispute", str(contested.pk))
    dispute = Dispute.objects.get(payment=contested)
    evidence = EvidenceFile(name="invoice.pdf", content=b"%PDF-1.4", content_type="application/pdf")
    dispute = dispute_contest(
        dispute_id=dispute.pk, staff=staff, summary="Delivered.", files=[evidence], submit=True
    )
    assert dispute.status == DisputeStatus.UNDER_REVIEW

    accepted = paid_at_the_sandbox(sandbox_site)
    call_command("sandbox_dispute", str(accepted.pk))
    dispute = dispute_accept(dispute_id=Dispute.objects.get(payment=accepted).pk, staff=staff)
    assert dispute.status == DisputeStatus.ACCEPTED and dispute.amount_deducted == accepted.amount
    dispute_let_go_ahead(dispute_id=dispute.pk, staff=staff)


def test_stripe_sandbox_disputes_answer_the_sdk(sandbox_site):
    """Raised on a paid payment intent, read and conceded through Stripe's SDK."""
    import requests

    session = get_provider("stripe").create_order(
        reference="MOdsp1", amount=4500, currency="INR", notes={},
        return_url=f"{sandbox_site}/demo/",
    )  # fmt: skip
    press(sandbox_site, f"/sandbox/stripe/pay/{session.provider_order_id}/")
    intent = (
        get_provider("stripe")
        .fetch_charge(provider_order_id=session.provider_order_id)
        .provider_payment_id
    )
    raised = requests.post(f"{sandbox_site}/sandbox/stripe/v1/payment_intents/{intent}/dispute")
    dispute_id = raised.json()["id"]
    stripe = get_provider("stripe")
    assert stripe.fetch_dispute(provider_dispute_id=dispute_id).state == "OPEN"
    report = stripe.contest_dispute(
        provider_dispute_id=dispute_id,
        summary="Shipped.",
        files=[EvidenceFile(name="r.pdf", content=b"%PDF-1.4", content_type="application/pdf")],
        submit=False,
    )
    assert report.state == "OPEN"  # a draft: still awaiting the response
    assert stripe.accept_dispute(provider_dispute_id=dispute_id).state == "LOST"
    # Its events reached our webhook: a dispute of a payment we do not know, kept and flagged.
    assert Dispute.objects.get(provider_dispute_id=dispute_id).needs_attention
