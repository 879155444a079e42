"""Refunds at PhonePe and Stripe: our refund id is their idempotency key; their refund
events move the refund on. Booking confirmations go out once."""

import json

import pytest
import responses
from django.core import mail

from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.services.refunds import refund_send
from tests.flows import booking_cart, completed, start
from tests.payments.gateways.phonepe.fakes import (
    base,
    mock_pay,
    mock_status,
    mock_token,
    post_webhook,
)
from tests.payments.gateways.stripe.fakes import event_body, post_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_booking(api, anon_client, rsps, django_capture_on_commit_callbacks):
    from tests.factories import PujaPackageFactory

    mock_token(rsps)
    mock_pay(rsps)
    order = start(api, booking_cart(api, PujaPackageFactory(price="999.00")))
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", 99900)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(anon_client, completed(order)).status_code == 200
    return Payment.objects.get()


def test_a_paid_booking_sends_one_confirmation(paid_booking, anon_client):
    assert len(mail.outbox) == 1 and "is confirmed" in mail.outbox[0].subject


def test_phonepe_refunds_carry_our_id_as_merchant_refund_id_and_events_are_confirmed(
    paid_booking, anon_client, rsps
):
    refund = Refund.objects.create(
        payment=paid_booking,
        provider_payment_id=paid_booking.provider_payment_id,
        amount=paid_booking.amount,
        reason="t",
    )
    rsps.add(
        responses.POST,
        f"{base()}/payments/v2/refund",
        json={"refundId": "OMR1", "amount": 99900, "state": "PENDING"},
    )
    refund_send(refund_id=refund.pk)
    sent = json.loads(next(c for c in rsps.calls if "/v2/refund" in c.request.url).request.body)
    assert sent == {
        "merchantRefundId": str(refund.pk),
        "originalMerchantOrderId": paid_booking.merchant_order_id,
        "amount": 99900,
    }
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and refund.provider_refund_id == "OMR1"

    rsps.add(
        responses.GET,
        f"{base()}/payments/v2/refund/{refund.pk}/status",
        json={"merchantRefundId": str(refund.pk), "refundId": "OMR1", "state": "COMPLETED"},
    )
    event = {
        "event": "pg.refund.completed",
        "payload": {"merchantRefundId": str(refund.pk), "refundId": "OMR1", "state": "COMPLETED"},
    }
    assert post_webhook(anon_client, json.dumps(event).encode()).status_code == 200
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_stripe_refunds_send_our_id_as_the_idempotency_key(api, anon_client, rsps):
    from tests.factories import VariantFactory
    from tests.flows import add_to_cart
    from tests.payments.gateways.stripe.fakes import completed_session, mock_session_create

    sessions = mock_session_create(rsps)
    add_to_cart(api, VariantFactory(price="150.00", stock=5), 1)
    api.post("/api/payments/stripe/checkout-session/", {}, format="json")
    session = completed_session(sessions[0]) | {"payment_intent": "pi_123"}
    post_event(anon_client, event_body("checkout.session.completed", session))
    payment = Payment.objects.get()
    refund = Refund.objects.create(
        payment=payment, provider_payment_id="pi_123", amount=payment.amount, reason="t"
    )
    rsps.add(
        responses.POST,
        "https://stripe.test/v1/refunds",
        json={"id": "re_1", "object": "refund", "status": "succeeded", "amount": 15000},
    )
    refund_send(refund_id=refund.pk)
    call = next(c for c in rsps.calls if c.request.url.endswith("/v1/refunds"))
    assert call.request.headers["Idempotency-Key"] == str(refund.pk)
    assert "payment_intent=pi_123" in call.request.body and "amount=15000" in call.request.body
    assert Refund.objects.get().status == RefundStatus.PROCESSED

    failed = {"id": "re_1", "object": "refund", "status": "failed", "metadata": {}}
    post_event(anon_client, event_body("refund.updated", failed))
    assert Refund.objects.get().status == RefundStatus.PROCESSED  # processed is final


def test_beat_runs_reconciliation_expiry_and_pruning_every_few_minutes():
    from celery.schedules import crontab

    from config.celery import app

    app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule == {
        "payments.tasks.reconcile_payments": 300,
        "payments.tasks.release_expired_reservations": 300,
        "payments.tasks.prune_webhook_events": 86400,
        "holds.tasks.prune_lapsed_holds": 3600,
        "payments.tasks.alert_disputes_due_soon": 3600,
        "settlements.tasks.reconcile_settlements": crontab(minute=30, hour=7),  # daily
        "outbound.tasks.relay_outbound": 60,  # the safety net; each change enqueues it too
        "outbound.tasks.prune_outbound_events": crontab(minute=15, hour=3),
        # A place freed by a hold that ran out has no moment of its own: looked for every minute.
        "waitlist.tasks.offer_freed_places": 60,
        "privacy.tasks.sweep_retention": crontab(minute=45, hour=3),  # daily
        "privacy.tasks.finish_erasures": 300,  # one whose job was lost
    }
    assert set(schedule) <= set(app.tasks)
