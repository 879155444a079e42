"""Where staff refunds, automatic refunds and lost chargebacks meet: each case a shop met
on the way to "money goes back once", seeded here as it happened, over HTTP and admin, and
shown refused or reduced. What may still go back is one figure per payment."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import ProductVariant
from invoices.models import TaxDocument
from orders.models import Order
from payments.ledger import payments_breaching
from payments.models import Dispute, Payment, Refund, RefundStatus
from payments.services.money_back import returnable_left
from payments.services.refunds import refunds_reconcile
from tests.factories import VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.conftest import act
from tests.payments.gateways.razorpay import fakes as razorpay

pytestmark = pytest.mark.django_db


def paid(api, rsps, *prices: str) -> Payment:
    """An order of one unit at each price, paid at Razorpay."""
    razorpay.mock_order_create(rsps)
    for price in prices:
        add_to_cart(api, VariantFactory(price=price, stock=5), 1)
    answer = create_payment(api).json()
    assert verify(api, answer["razorpay_order_id"]).status_code == 200
    return Payment.objects.get(pk=answer["payment_id"])


@pytest.fixture
def bank(anon_client, rsps, django_capture_on_commit_callbacks):
    """The shopper's bank: opens a dispute of `amount` paise and decides it lost for
    `deducted` (all of it by default), each as Razorpay's signed webhook."""
    razorpay.mock_disputes(rsps)

    def lose(payment: Payment, *, amount: int, deducted: int | None = None) -> Dispute:
        dispute = razorpay.dispute_entity(payment.provider_payment_id, amount=amount)
        for event in ("payment.dispute.created", "payment.dispute.lost"):
            if event.endswith("lost"):
                dispute.update(
                    status="lost", amount_deducted=amount if deducted is None else deducted
                )
            body = razorpay.dispute_webhook_body(event, dispute)
            with django_capture_on_commit_callbacks(execute=True):
                assert razorpay.post_webhook(anon_client, body).status_code == 200
        return Dispute.objects.get(provider_dispute_id=dispute["id"])

    return lose


def credited(payment: Payment) -> Decimal:
    invoice = TaxDocument.objects.get(order_id=payment.order_id)
    return sum((note.total for note in invoice.credit_notes.all()), Decimal("0"))


@pytest.mark.ledger_breach("lost_but_open")
def test_a_full_refund_after_a_chargeback_lost_in_full_is_refused_naming_what_the_bank_returned(
    api, rsps, staff, bank
):
    sent = razorpay.mock_refunds(rsps)
    payment = paid(api, rsps, "249.00")
    bank(payment, amount=24900)
    page = act(staff, "orders/order", "refund_in_full", payment.order_id, apply="1", reason="x")
    text = page.content.decode()
    assert "Nothing is left to refund" in text
    assert "the bank already returned 249.00 through a dispute" in text
    assert not Refund.objects.exists() and sent == []
    assert returnable_left(payment) == 0


def test_after_half_is_lost_a_refund_one_paisa_above_what_is_left_is_refused(
    api, rsps, staff, bank, django_capture_on_commit_callbacks
):
    sent = razorpay.mock_refunds(rsps)
    payment = paid(api, rsps, "249.00", "249.00")
    bank(payment, amount=24900)
    order = payment.order_id
    page = act(staff, "orders/order", "refund_part", order, apply="1", reason="x", amount="249.01")
    assert "A refund of 249.01 is more than the 249.00 left to refund" in page.content.decode()
    assert "(the bank already returned 249.00 through a dispute)" in page.content.decode()
    assert not Refund.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", order, apply="1", reason="x", amount="249.00")
    assert [json.loads(request.body)["amount"] for request in sent] == [24900]
    assert Refund.objects.get().status == RefundStatus.PROCESSED
    assert credited(payment) == Decimal("498.00")
    # All that was left went back: the order is undone with it.
    assert Order.objects.get(pk=order).status == "refunded"


def test_an_automatic_refund_waiting_on_a_dispute_lost_in_part_goes_out_for_the_rest_only(
    api, rsps, bank, django_capture_on_commit_callbacks
):
    """₹200 owed back (the stock ran out); the bank takes ₹50 of it through a chargeback:
    ₹150 goes back, once, whichever job sends it."""
    sent = razorpay.mock_refunds(rsps)
    razorpay.mock_order_create(rsps)
    variant = VariantFactory(price="200.00", stock=5)
    add_to_cart(api, variant, 1)
    answer = create_payment(api).json()
    ProductVariant.objects.filter(pk=variant.pk).update(stock=0)
    assert verify(api, answer["razorpay_order_id"]).status_code == 409  # the task not sent yet
    payment = Payment.objects.get()
    dispute = bank(payment, amount=20000, deducted=5000)
    original = Refund.objects.get(retry_of=None)
    assert (original.status, original.superseded_by) == (RefundStatus.FAILED, dispute)
    rest = Refund.objects.get(retry_of=original)
    assert rest.amount == Decimal("150.00") and rest.automatic
    with django_capture_on_commit_callbacks(execute=True):
        refunds_reconcile(older_than=timedelta(0))
        call_command("reconcile_payments")
    assert [json.loads(request.body)["amount"] for request in sent] == [15000]
    assert returnable_left(payment) == 0


def test_a_staff_refund_in_flight_when_the_chargeback_is_lost_in_full_is_never_sent(
    api, rsps, bank, staff, django_capture_on_commit_callbacks
):
    outcome = razorpay.mock_refund_outcomes(rsps)
    payment = paid(api, rsps, "200.00")
    outcome["next"] = "unavailable"
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", payment.order_id, apply="1", reason="x")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED and not refund.provider_refund_id
    bank(payment, amount=20000)
    outcome["next"] = "processed"
    with django_capture_on_commit_callbacks(execute=True):
        refunds_reconcile(older_than=timedelta(0))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.superseded_by is not None
    assert outcome["sent"] == 1  # only the attempt that met the outage
    assert returnable_left(payment) == 0


@pytest.mark.ledger_breach("lost_but_open")
def test_a_staff_refund_waits_while_a_dispute_is_open_and_is_cut_by_what_the_bank_took(
    api, rsps, anon_client, staff, django_capture_on_commit_callbacks
):
    """A partial refund the outage kept back; a dispute opens (it waits), then is lost for
    ₹30: ₹70 of the ₹100 goes back, as a new attempt."""
    outcome = razorpay.mock_refund_outcomes(rsps)
    razorpay.mock_disputes(rsps)
    payment = paid(api, rsps, "200.00")
    outcome["next"] = "unavailable"
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", payment.order_id, apply="1", reason="x",
            amount="100.00")  # fmt: skip
    outcome["next"] = "processed"
    dispute = razorpay.dispute_entity(payment.provider_payment_id, amount=3000)
    body = razorpay.dispute_webhook_body("payment.dispute.created", dispute)
    assert razorpay.post_webhook(anon_client, body).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        refunds_reconcile(older_than=timedelta(0))
    assert outcome["sent"] == 1  # waited
    dispute.update(status="lost", amount_deducted=3000)
    with django_capture_on_commit_callbacks(execute=True):
        body = razorpay.dispute_webhook_body("payment.dispute.lost", dispute)
        assert razorpay.post_webhook(anon_client, body).status_code == 200
    assert outcome["sent"] == 2
    sent = Refund.objects.get(status=RefundStatus.PROCESSED)
    assert sent.amount == Decimal("70.00") and sent.retry_of.superseded_by is not None
    assert returnable_left(payment) == Decimal("100.00")
    assert credited(payment) == Decimal("100.00")


@pytest.mark.ledger_breach("over_returned")
def test_credit_notes_after_a_partial_refund_and_a_chargeback_lost_in_full_never_exceed_the_invoice(
    api, rsps, bank, staff, django_capture_on_commit_callbacks
):
    """The bank took all ₹498 though ₹124.50 was refunded already: its doing, which the audit
    names; the invoice is credited only what it had left."""
    razorpay.mock_refunds(rsps)
    payment = paid(api, rsps, "124.50", "124.50", "124.50", "124.50")
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", payment.order_id, apply="1", reason="x",
            amount="124.50")  # fmt: skip
    dispute = bank(payment, amount=49800)
    act(staff, "payments/dispute", "cancel_what_it_bought", dispute.pk)
    notes = TaxDocument.objects.get(order_id=payment.order_id).credit_notes.order_by("serial")
    assert [note.total for note in notes] == [Decimal("124.50"), Decimal("373.50")]
    assert {p.pk for p in payments_breaching()} == {payment.pk}


def test_a_two_paise_credit_note_over_four_equal_lines_has_no_negative_line(
    api, rsps, staff, django_capture_on_commit_callbacks
):
    razorpay.mock_refunds(rsps)
    payment = paid(api, rsps, "124.50", "124.50", "124.50", "124.50")
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", payment.order_id, apply="1", reason="x",
            amount="0.02")  # fmt: skip
    (note,) = TaxDocument.objects.get(order_id=payment.order_id).credit_notes.all()
    lines = list(note.lines.all())
    assert [line.total for line in lines] == [Decimal("0.01"), Decimal("0.01")]
    assert all(line.taxable_value >= 0 and line.cgst >= 0 and line.sgst >= 0 for line in lines)
    # Each line names the invoice line it credits.
    assert [line.position for line in lines] == [1, 2]
