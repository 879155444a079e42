"""The ledger audit: `audit_payments` passes over a sound ledger and names each kind of
breach; the payment-health page and the paycart_payments_unaccounted gauge count the same
payments."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bookings.models import Booking
from orders.models import Order, OrderStatus
from payments.ledger import BREACHES, payments_audit
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.factories import PujaPackageFactory, VariantFactory
from tests.flows import add_to_cart, booking_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import mock_order_create, mock_refunds

pytestmark = pytest.mark.django_db


def paid(api, rsps, *, price="100.00", payment_id=None) -> Payment:
    """A payment fulfilled through verify: its order made, ₹2 × price captured."""
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price=price, stock=5), 2)
    body = create_payment(api).json()
    assert verify(api, body["razorpay_order_id"], payment_id=payment_id).status_code == 200
    return Payment.objects.get(pk=body["payment_id"])


def refund(payment: Payment, amount: str, status=RefundStatus.PROCESSED, **fields) -> Refund:
    return Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=amount,
        reason="seeded",
        automatic=False,
        status=status,
        **fields,
    )


def audit() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_payments", stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_a_sound_ledger_passes_the_audit(api, rsps, staff, django_capture_on_commit_callbacks):
    from .conftest import act

    kept = paid(api, rsps, payment_id="pay_KEPT")
    back = paid(api, rsps, payment_id="pay_BACK")
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", kept.order_id, apply="1", amount="50", reason="r")
        act(staff, "orders/order", "refund_in_full", back.order_id, apply="1", reason="r")
    code, output = audit()
    assert code == 0 and "Ledger holds: 2 payments with captured money" in output


def seed_unaccounted(api, rsps) -> Payment:
    """Captured, nothing built, and no refund at all (the automatic one was lost)."""
    payment = paid(api, rsps)
    Payment.objects.filter(pk=payment.pk).update(fulfilled_at=None, order=None)
    return payment


def seed_refund_failed(api, rsps) -> Payment:
    payment = paid(api, rsps)
    refund(payment, "50.00", status=RefundStatus.FAILED)
    return payment


def seed_over_refunded(api, rsps) -> Payment:
    payment = paid(api, rsps)
    refund(payment, "150.00")
    refund(payment, "100.00", status=RefundStatus.REQUESTED)
    return payment


def seed_underpaid_but_fulfilled(api, rsps) -> Payment:
    payment = paid(api, rsps)
    Payment.objects.filter(pk=payment.pk).update(captured_amount="100.00")
    return payment


def seed_refunded_but_standing(api, rsps) -> Payment:
    payment = paid(api, rsps)
    refund(payment, "200.00")
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED)
    return payment


def seed_status_disagrees(api, rsps) -> Payment:
    payment = paid(api, rsps)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED)
    return payment


def seed_slot_past_when_paid(api, rsps) -> Payment:
    mock_order_create(rsps)
    cart = booking_cart(api, PujaPackageFactory(price="999.00"))
    body = create_payment(api, cart_id=cart["cart_id"]).json()
    assert verify(api, body["razorpay_order_id"]).status_code == 200
    Booking.objects.update(selected_date=timezone.localdate() - timedelta(days=1))
    return Payment.objects.get(pk=body["payment_id"])


def seed_cancelled_but_kept(api, rsps) -> Payment:
    """What an editable status allowed: a paid order cancelled, nothing refunded."""
    payment = paid(api, rsps)
    Order.objects.filter(pk=payment.order_id).update(status=OrderStatus.CANCELLED)
    return payment


def _dispute(payment: Payment, **fields):
    from payments.models import Dispute

    return Dispute.objects.create(
        payment=payment,
        provider="razorpay",
        provider_dispute_id=f"disp_{payment.pk.hex[:10]}",
        provider_payment_id=payment.provider_payment_id,
        amount=payment.captured_amount,
        **fields,
    )


def seed_lost_but_open(api, rsps) -> Payment:
    """The bank returned the money; the order was never cancelled nor let go ahead."""
    payment = paid(api, rsps)
    _dispute(payment, status="LOST", amount_deducted=payment.captured_amount)
    return payment


def seed_over_returned(api, rsps) -> Payment:
    """Refunded in part, then the bank returned all of it too: paid out twice."""
    payment = paid(api, rsps)
    refund(payment, "50.00")
    _dispute(
        payment, status="LOST", amount_deducted=payment.captured_amount, resolution="goes_ahead"
    )
    return payment


SEEDS = {
    "lost_but_open": seed_lost_but_open,
    "over_returned": seed_over_returned,
    "unaccounted": seed_unaccounted,
    "refund_failed": seed_refund_failed,
    "over_refunded": seed_over_refunded,
    "underpaid_but_fulfilled": seed_underpaid_but_fulfilled,
    "refunded_but_standing": seed_refunded_but_standing,
    "status_disagrees": seed_status_disagrees,
    "slot_past_when_paid": seed_slot_past_when_paid,
    "cancelled_but_kept": seed_cancelled_but_kept,
}


def test_every_kind_of_breach_has_a_seed():
    assert set(SEEDS) == set(BREACHES)


@pytest.mark.parametrize("kind", SEEDS)
def test_the_audit_names_each_kind_of_breach(api, rsps, request, kind):
    request.applymarker(pytest.mark.ledger_breach(*_also_found(kind)))
    payment = SEEDS[kind](api, rsps)
    code, output = audit()
    assert code == 1
    assert f"{kind}: payment {payment.pk}" in output
    assert "1 of 1 payments with captured money are unaccounted for" in output


def _also_found(kind: str) -> set[str]:
    """A seeded breach that is, by its nature, a second kind as well."""
    also = {"over_refunded": {"refunded_but_standing"}}  # more than all of it is back
    return {kind} | also.get(kind, set())


def test_the_health_page_and_the_gauge_count_what_the_audit_finds(
    api, rsps, staff, request, settings
):
    request.applymarker(
        pytest.mark.ledger_breach("unaccounted", "over_refunded", "refunded_but_standing")
    )
    first = seed_unaccounted(api, rsps)
    second = seed_over_refunded(api, rsps)
    paid(api, rsps)  # a sound one beside them
    _, breaches = payments_audit()
    assert {b.payment.pk for b in breaches} == {first.pk, second.pk}

    page = staff.get("/admin/payment-health/").content.decode()
    assert "Payments whose money is unaccounted for: 2" in page
    assert str(first.pk) in page and "refunds add up to more than was captured" in page

    settings.METRICS_TOKEN = "scrape"
    from tests.documented import DocumentedClient

    metrics = (
        DocumentedClient().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape").content.decode()
    )
    assert "paycart_payments_unaccounted 2.0" in metrics


def test_an_order_refunded_in_full_with_its_order_undone_is_no_breach(api, rsps):
    payment = paid(api, rsps)
    refund(payment, "200.00")
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED)
    payment.order.status = OrderStatus.REFUNDED
    payment.order.save()
    assert payments_audit()[1] == []
