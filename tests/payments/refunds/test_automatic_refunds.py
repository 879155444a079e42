"""Automatic refunds: money that arrived but cannot be used goes back, once, through the
provider's refund API with our refund id as the idempotency key."""

import json

import pytest
import requests
import responses
from django.core import mail

from catalog.models import ProductVariant
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.services.refunds import refund_send, refunds_reconcile
from tests.conftest import client_for, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_refunds,
    pay_at_razorpay,
    payments_url,
    post_webhook,
    refund_webhook_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out_payment(api, rsps):
    """A Razorpay payment of ₹200 whose stock ran out before it was paid."""
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    payment = Payment.objects.get(pk=create_payment(api).json()["payment_id"])
    ProductVariant.objects.filter(pk=variant.pk).update(stock=0)
    return payment


def test_a_flagged_payment_is_refunded_in_full_with_our_id_as_the_idempotency_key(
    api, anon_client, rsps, sold_out_payment, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = verify(api, sold_out_payment.provider_order_id, payment_id="pay_SOLDOUT1")
    assert response.status_code == 409
    assert response.json()["needs_attention"] is True and response.json()["refunded"] is True
    refund = Refund.objects.get()
    assert len(sent) == 1
    assert sent[0].headers["X-Refund-Idempotency"] == str(refund.pk)
    assert sent[0].url.endswith("/pay_SOLDOUT1/refund")
    assert json.loads(sent[0].body)["amount"] == 20000
    assert refund.status == RefundStatus.REQUESTED and refund.provider_refund_id.startswith("rfnd_")

    # Verify again, and the webhook too: still one refund, never a second call.
    with django_capture_on_commit_callbacks(execute=True):
        again = verify(api, sold_out_payment.provider_order_id, payment_id="pay_SOLDOUT1")
    assert again.status_code == 409 and len(sent) == 1 and Refund.objects.count() == 1

    processed = {
        "id": refund.provider_refund_id,
        "payment_id": "pay_SOLDOUT1",
        "status": "processed",
        "amount": 20000,
    }
    body = refund_webhook_body("refund.processed", processed)
    assert post_webhook(anon_client, body).status_code == 200
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    status = api.get(f"/api/payments/{refund.payment_id}/check-booking/").json()
    assert status["refund"]["status"] == "PROCESSED" and status["refund"]["amount"] == "200.00"


def test_a_provider_timeout_is_retried_later_with_the_same_idempotency_key(
    api, rsps, sold_out_payment
):
    pay_at_razorpay(sold_out_payment.provider_order_id, "pay_TIMEOUT")
    verify(api, sold_out_payment.provider_order_id, payment_id="pay_TIMEOUT")
    refund = Refund.objects.get()  # on_commit did not run: the task was not sent yet
    rsps.add(
        responses.POST,
        f"{payments_url()}/pay_TIMEOUT/refund",
        body=requests.ReadTimeout("slow"),
    )
    with pytest.raises(Exception, match="unreachable"):
        refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and refund.attempts == 1
    assert "unreachable" in refund.last_error

    rsps.remove(responses.POST, f"{payments_url()}/pay_TIMEOUT/refund")
    sent = mock_refunds(rsps)
    Refund.objects.filter(pk=refund.pk).update(created_at=refund.created_at.replace(year=2020))
    assert refunds_reconcile()["resent"] == 1  # reconciliation sends it again
    keys = [
        c.request.headers["X-Refund-Idempotency"] for c in rsps.calls if "/refund" in c.request.url
    ]
    assert keys == [str(refund.pk), str(refund.pk)]
    assert len(sent) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSED and refund.attempts == 2


def test_a_refused_refund_fails_and_staff_can_retry_it_from_admin(
    api, client, rsps, sold_out_payment, django_capture_on_commit_callbacks
):
    from accounts.models import User

    rsps.add(
        responses.POST,
        f"{payments_url()}/pay_REFUSED/refund",
        status=400,
        json={"error": {"code": "BAD_REQUEST_ERROR", "description": "Refund not allowed"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        verify(api, sold_out_payment.provider_order_id, payment_id="pay_REFUSED")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED and "refused" in refund.last_error

    rsps.remove(responses.POST, f"{payments_url()}/pay_REFUSED/refund")
    mock_refunds(rsps)
    client.force_login(User.objects.create_superuser("ops@example.com", "ops-pass-12345"))
    failed = client.get("/admin/payments/refund/?status__exact=FAILED")
    assert str(refund.pk) in failed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/payments/refund/",
            {"action": "retry", "_selected_action": [str(refund.pk)]},
        )
    refund.refresh_from_db()
    # The retry is a new attempt with a new idempotency key; the refused one stays refused.
    assert refund.status == RefundStatus.FAILED and refund.attempts == 1
    assert refund.retry.status == RefundStatus.PROCESSED and refund.retry.amount == refund.amount


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_refund_make_one_provider_call(rsps):
    mock_order_create(rsps)
    api = client_for(UserFactory())
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 1)
    payment = Payment.objects.get(pk=create_payment(api).json()["payment_id"])
    refund = Refund.objects.create(
        payment=payment, provider_payment_id="pay_RACE", amount=payment.amount, reason="test"
    )
    sent = mock_refunds(rsps)
    results = run_concurrently(*[lambda: refund_send(refund_id=refund.pk)] * 4)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len(sent) == 1
    assert Refund.objects.get().status == RefundStatus.PROCESSED


@pytest.mark.django_db(transaction=True)
def test_a_receipt_goes_out_once_however_many_workers_send_it(rsps):
    from orders.models import Order
    from orders.receipts import receipt_send

    mock_order_create(rsps)
    api = client_for(UserFactory())
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    order_id = create_payment(api).json()["razorpay_order_id"]
    assert verify(api, order_id).status_code == 200  # eager: the receipt went out on commit
    assert len(mail.outbox) == 1
    order = Order.objects.get()
    results = run_concurrently(*[lambda: receipt_send(order_id=order.pk)] * 4)
    assert results == [False] * 4 and len(mail.outbox) == 1
