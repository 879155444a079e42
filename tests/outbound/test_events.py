"""Each service that makes a change writes its event in the change's own transaction, with
the object as the REST API answers it (less what a receiver does not need); a change that
rolls back leaves no event."""

from datetime import date

import pytest

from catalog.models import ProductVariant
from orders.services import order_advance
from outbound.models import Delivery, Event
from payments.disputes.services import dispute_let_go_ahead, dispute_record
from payments.gateways.base import DisputeReport, DisputeState
from payments.models import Payment
from payments.money import to_minor
from payments.services.fulfilment import payment_fulfil
from settlements.services import settlements_reconcile
from tests.conftest import client_for
from tests.factories import (
    BookingFactory,
    OrderFactory,
    PaymentFactory,
    RefundFactory,
    paid_charge,
)
from tests.payments.gateways.razorpay import fakes as razorpay

pytestmark = pytest.mark.django_db


def types() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("type", flat=True))


def data_of(type: str) -> dict:
    return Event.objects.get(type=type).data


def test_a_paid_order_is_told_as_its_api_answers_it_with_its_tax_invoice():
    payment = PaymentFactory(state="paid")
    assert types() == ["order.paid", "invoice.issued"]
    owner = client_for(payment.user)
    told, answer = data_of("order.paid"), owner.get(f"/api/orders/{payment.order_id}/").json()
    assert told == {key: answer[key] for key in told}
    assert set(answer) - set(told) == {"provider_shipping_address", "is_locked"}
    invoice = owner.get(f"/api/orders/{payment.order_id}/invoice/").json()
    assert data_of("invoice.issued") == invoice
    assert invoice["number"].startswith("INV/")


def test_a_fulfilment_that_rolls_back_leaves_no_event_of_what_it_had_built():
    payment = PaymentFactory(state="initiated")
    # Sold out meanwhile: the order (and its order.paid) is built before the stock is
    # taken, which fails, and the whole transaction rolls back; the payment is flagged.
    ProductVariant.objects.update(stock=0)
    payment_fulfil(payment_id=payment.pk, charge=paid_charge(payment))
    assert Payment.objects.get().needs_attention
    assert "order.paid" not in types() and "invoice.issued" not in types()
    assert not Delivery.objects.exists()


def test_a_booking_is_told_as_its_api_answers_it():
    booking = BookingFactory()
    assert types() == ["booking.confirmed", "invoice.issued"]
    answer = client_for(booking.user).get(f"/api/booking/bookings/{booking.pk}/").json()
    assert data_of("booking.confirmed") == answer


def test_a_refund_tells_of_itself_its_credit_note_and_the_order_it_undid():
    payment = PaymentFactory(state="paid")
    refund = RefundFactory(payment=payment, state="processed")
    # A refund in full undoes the order when staff ask for it; the money follows.
    assert types()[2:] == ["order.refunded", "refund.processed", "credit_note.issued"]
    told = data_of("refund.processed")
    assert (told["id"], told["status"], told["amount"]) == (
        str(refund.pk), "PROCESSED", str(refund.amount),
    )  # fmt: skip
    assert told["order_number"] == payment.order.order_number
    assert data_of("order.refunded")["status"] == "refunded"
    assert (
        data_of("credit_note.issued")["corrects"]["number"] == data_of("invoice.issued")["number"]
    )


@pytest.mark.ledger_breach("refund_failed")  # owed until staff act
def test_a_refund_the_provider_refused_is_told_once():
    RefundFactory(state="failed")
    assert types().count("refund.failed") == 1
    assert data_of("refund.failed")["error"] == "The bank refused the refund."


def test_a_failed_payment_an_unpaid_order_cancelled_and_a_booking_cancelled_are_told():
    failed = PaymentFactory(state="failed")
    told = data_of("payment.failed")
    assert told["id"] == str(failed.pk) and told["amount"] == to_minor(failed.amount)
    # Nothing a receiver does not need: no cart, no pay page, no hold.
    assert not {"cart_id", "phonepe_payment_url", "held_until"} & set(told)
    order = OrderFactory(state="cancelled")
    assert data_of("order.cancelled")["id"] == order.pk
    BookingFactory(state="CANCELLED")
    assert data_of("booking.cancelled")["status"] == "CANCELLED"


def test_shipping_steps_are_told(staff):
    from accounts.models import User

    order = PaymentFactory(state="paid").order
    clerk = User.objects.get(email="ops@example.com")
    order_advance(order_id=order.pk, to_status="awaiting_shipment", changed_by=clerk)
    order_advance(order_id=order.pk, to_status="shipped", changed_by=clerk)
    told = Event.objects.filter(type="order.status_changed").order_by("pk")
    assert [e.data["status"] for e in told] == ["awaiting_shipment", "shipped"]


def dispute_opened_and_lost(payment: Payment) -> None:
    """The bank opens a dispute of the whole payment, reviews it, takes the money; staff let
    it go ahead."""

    def report(state):
        return DisputeReport(
            provider_dispute_id="disp_TOLD", provider_payment_id=payment.provider_payment_id,
            state=state, amount=to_minor(payment.captured_amount), currency="INR",
            amount_deducted=to_minor(payment.captured_amount) if state == "LOST" else 0,
        )  # fmt: skip

    dispute_record(provider="razorpay", report=report(DisputeState.OPEN), what="created")
    dispute_record(provider="razorpay", report=report(DisputeState.UNDER_REVIEW), what="review")
    dispute = dispute_record(provider="razorpay", report=report(DisputeState.LOST), what="lost")
    dispute_let_go_ahead(dispute_id=dispute.dispute.pk, staff=None)


def settled_at_razorpay(rsps, payment: Payment) -> None:
    """Razorpay settles the payment on 3 December; the day is reconciled twice."""
    import responses

    razorpay.mock_settlements(rsps)
    rsps.add(responses.GET, f"{razorpay.settings.STRIPE_API_BASE}/v1/payouts", json={"data": []})
    amount = to_minor(payment.captured_amount)
    razorpay.settle_at_razorpay(
        [razorpay.recon_line(payment.provider_payment_id, "payment", amount, fee=236, tax=36)],
        day="2026-12-03",
    )
    settlements_reconcile(days=[date(2026, 12, 3)])
    settlements_reconcile(days=[date(2026, 12, 3)])


def test_a_dispute_is_told_when_it_opens_and_when_it_ends():
    payment = PaymentFactory(state="paid")
    dispute_opened_and_lost(payment)
    assert [t for t in types() if t.startswith("dispute.")] == ["dispute.opened", "dispute.closed"]
    closed = data_of("dispute.closed")
    assert (closed["status"], closed["order_number"]) == ("LOST", payment.order.order_number)
    assert "credit_note.issued" in types()


def test_a_settlement_is_told_once_when_it_is_processed_and_reconciled(rsps):
    settled_at_razorpay(rsps, PaymentFactory(state="paid"))
    told = Event.objects.filter(type="settlement.reconciled")
    assert told.count() == 1
    data = told.get().data
    assert data["net"] == data["amount"] and data["tax"] == "0.36" and data["lines_flagged"] == 0
