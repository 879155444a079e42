"""A failed refund is retried only once its provider confirms the failed attempt failed: a
refusal may still have gone through, and a retry sent then would pay the money out twice.
The provider is asked by its refund id, or by ours among the payment's refunds."""

import pytest
import responses

from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.services.money_back import RefundRefused
from payments.services.refund_retries import refund_retry
from payments.services.refunds import refund_send
from tests.factories import PaymentFactory, UserFactory
from tests.payments.conftest import act
from tests.payments.gateways.razorpay.fakes import REFUNDS, mock_refund_refused, mock_refunds

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(staff, rsps, paid_order, django_capture_on_commit_callbacks):
    """Staff refunded the order in full and Razorpay answered 400: a FAILED attempt, with no
    Razorpay refund id."""
    url = mock_refund_refused(rsps, "pay_PAIDORDER", "Server is busy")
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="damaged")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED and not refund.provider_refund_id
    rsps.remove(responses.POST, url)
    return refund


def razorpay_made_it_after_all(refund: Refund, status: str = "processed") -> None:
    REFUNDS["rfnd_AFTERALL0001"] = {
        "id": "rfnd_AFTERALL0001",
        "entity": "refund",
        "amount": 20000,
        "currency": "INR",
        "payment_id": "pay_PAIDORDER",
        "notes": {"refund_id": str(refund.pk)},
        "receipt": str(refund.pk)[:40],
        "status": status,
    }


def test_a_refused_refund_razorpay_made_after_all_is_recorded_and_nothing_is_sent_again(
    staff, rsps, refused, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps)
    razorpay_made_it_after_all(refused)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "payments/refund", "retry", refused.pk)
    refused.refresh_from_db()
    assert refused.status == RefundStatus.PROCESSED
    assert refused.provider_refund_id == "rfnd_AFTERALL0001"
    assert sent == [] and Refund.objects.count() == 1
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_one_razorpay_still_processes_is_not_retried(staff, rsps, refused):
    sent = mock_refunds(rsps)
    razorpay_made_it_after_all(refused, status="pending")
    refund = refund_retry(refund_id=refused.pk, staff=UserFactory())
    assert refund.status == RefundStatus.REQUESTED and sent == []


def test_one_razorpay_never_made_is_sent_as_a_new_attempt(
    staff, rsps, refused, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "payments/refund", "retry", refused.pk)
    refused.refresh_from_db()
    assert refused.retry is not None and len(sent) == 1
    assert sent[0].headers["X-Refund-Idempotency"] == str(refused.retry.pk)
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


@pytest.mark.ledger_breach("refund_failed")  # still owed: nobody could retry it yet
def test_no_retry_while_razorpay_cannot_say(rsps, refused):
    # Razorpay's reads go unanswered: the attempt cannot be confirmed failed.
    for registered in list(rsps.registered()):
        if registered.method == responses.GET:
            rsps.remove(registered)
    with pytest.raises(RefundRefused, match="could not confirm"):
        refund_retry(refund_id=refused.pk, staff=UserFactory())
    assert Refund.objects.count() == 1


def stripe_failed_refund() -> Refund:
    payment = PaymentFactory(state="paid", provider="stripe")
    return Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=payment.amount,
        currency="INR",
        reason="refused once",
        status=RefundStatus.FAILED,
    )


def test_a_refused_stripe_refund_found_succeeded_among_the_intents_refunds_is_recorded(rsps):
    refund = stripe_failed_refund()
    found = {
        "id": "re_AFTERALL",
        "object": "refund",
        "status": "succeeded",
        "amount": 100,
        "metadata": {"refund_id": str(refund.pk)},
    }
    other = found | {"id": "re_OTHER", "metadata": {"refund_id": "someone-else"}}
    rsps.add(
        responses.GET,
        "https://stripe.test/v1/refunds",
        json={"object": "list", "data": [other, found], "has_more": False, "url": "/v1/refunds"},
    )
    assert refund_retry(refund_id=refund.pk, staff=UserFactory()).status == RefundStatus.PROCESSED
    listed = next(c for c in rsps.calls if "/v1/refunds" in c.request.url)
    assert f"payment_intent={refund.provider_payment_id}" in listed.request.url


def test_a_phonepe_refund_phonepe_does_not_know_is_sent_as_a_new_attempt(
    rsps, django_capture_on_commit_callbacks
):
    from payments.services.staff_refunds import order_refund_by_staff
    from tests.payments.gateways.phonepe.fakes import base, mock_token

    mock_token(rsps)
    payment = PaymentFactory(state="paid", provider="phonepe")
    refused = rsps.add(responses.POST, f"{base()}/payments/v2/refund", status=400, json={})
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_by_staff(order_id=payment.order_id, staff=UserFactory(), reason="damaged")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED
    rsps.remove(refused)
    rsps.add(responses.GET, f"{base()}/payments/v2/refund/{refund.pk}/status", status=404)
    rsps.add(
        responses.POST,
        f"{base()}/payments/v2/refund",
        json={"refundId": "OMR2", "amount": 100, "state": "PENDING"},
    )
    retry = refund_retry(refund_id=refund.pk, staff=UserFactory())
    assert retry.retry_of_id == refund.pk
    refund_send(refund_id=retry.pk)
    assert Refund.objects.get(pk=retry.pk).provider_refund_id == "OMR2"
