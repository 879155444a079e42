from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import ProductVariant
from orders.models import Order
from payments.models import PaymentStatus, WebhookEvent, WebhookEventStatus
from tests.payments.gateways.razorpay.fakes import payment_entity, post_webhook, webhook_body

pytestmark = pytest.mark.django_db


def captured(payment, event="payment.captured", **overrides):
    entity = payment_entity(payment.provider_order_id, 20000) | overrides
    return webhook_body(event, entity)


@pytest.mark.parametrize("event", ["payment.captured", "order.paid"])
def test_paid_webhook_builds_the_order_as_verify_does(anon_client, open_payment, event):
    response = post_webhook(anon_client, captured(open_payment, event=event))
    assert response.status_code == 200
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCESS
    order = Order.objects.get()
    assert open_payment.order == order and order.status == "payment_confirmed"
    assert WebhookEvent.objects.get().status == WebhookEventStatus.PROCESSED


def test_redelivered_event_is_acknowledged_and_changes_nothing(anon_client, open_payment):
    body = captured(open_payment)
    first = post_webhook(anon_client, body, event_id="evt_same")
    second = post_webhook(anon_client, body, event_id="evt_same")
    assert first.json()["already_processed"] is False
    assert second.status_code == 200 and second.json()["already_processed"] is True
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get().stock == 3
    event = WebhookEvent.objects.get()
    assert event.attempts == 2


def test_two_different_events_for_one_payment_make_one_order(anon_client, open_payment):
    post_webhook(anon_client, captured(open_payment))
    post_webhook(anon_client, captured(open_payment, event="order.paid"))
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get().stock == 3


def test_event_whose_processing_failed_is_processed_again(anon_client, open_payment):
    body = captured(open_payment)
    WebhookEvent.objects.create(
        provider="razorpay",
        event_id="evt_retry",
        event_type="payment.captured",
        body=body.decode(),
        status=WebhookEventStatus.FAILED,
        error="OperationalError: database restarting",
        attempts=1,
    )
    response = post_webhook(anon_client, body, event_id="evt_retry")
    assert response.status_code == 200 and response.json()["already_processed"] is False
    assert Order.objects.count() == 1
    event = WebhookEvent.objects.get(event_id="evt_retry")
    assert event.status == WebhookEventStatus.PROCESSED and event.attempts == 2


def test_mismatched_amount_does_not_fulfil(anon_client, open_payment):
    response = post_webhook(anon_client, captured(open_payment, amount=100))
    assert response.status_code == 200
    open_payment.refresh_from_db()
    assert not Order.objects.exists()
    assert open_payment.needs_attention and "Paid 100 INR" in open_payment.attention_reason
    assert ProductVariant.objects.get().stock == 5


def test_mismatched_currency_does_not_fulfil(anon_client, open_payment):
    post_webhook(anon_client, captured(open_payment, currency="USD"))
    assert not Order.objects.exists()


def test_payment_failed_marks_failed_and_a_later_capture_still_fulfils(
    anon_client, api, open_payment
):
    failed = webhook_body(
        "payment.failed", payment_entity(open_payment.provider_order_id, 20000, status="failed")
    )
    assert post_webhook(anon_client, failed).status_code == 200
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.FAILED
    assert not Order.objects.exists()
    assert len(api.get("/api/cart/").json()["items"]) == 1  # the cart is still usable

    # Razorpay may report a retry's capture after an earlier attempt's failure.
    post_webhook(anon_client, captured(open_payment))
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCESS and Order.objects.count() == 1
    tracker = list(open_payment.status_changes.values_list("from_status", "to_status", "reason"))
    assert tracker == [
        ("INITIATED", "FAILED", "Payment declined"),
        ("FAILED", "SUCCESS", "paid"),
    ]


def test_payment_failed_after_success_changes_nothing(anon_client, open_payment):
    post_webhook(anon_client, captured(open_payment))
    failed = webhook_body(
        "payment.failed", payment_entity(open_payment.provider_order_id, 20000, status="failed")
    )
    post_webhook(anon_client, failed)
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCESS


@pytest.mark.parametrize(
    ("signature", "fragment"),
    [("", "missing"), ("deadbeef" * 8, "does not verify"), ("ünïcode", "does not verify")],
)
def test_unsigned_or_wrongly_signed_webhook_is_400_and_changes_nothing(
    anon_client, open_payment, signature, fragment
):
    response = post_webhook(anon_client, captured(open_payment), signature=signature)
    assert response.status_code == 400 and fragment in response.json()["error"]
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.INITIATED and not Order.objects.exists()
    event = WebhookEvent.objects.get()  # the delivery is logged, nothing else is written
    assert event.status == WebhookEventStatus.REJECTED and event.event_id is None


def test_webhook_signed_with_the_api_secret_instead_of_the_webhook_secret_is_refused(
    anon_client, open_payment, settings
):
    from tests.payments.gateways.razorpay.fakes import sign_webhook

    body = captured(open_payment)
    response = post_webhook(
        anon_client, body, signature=sign_webhook(body, settings.RAZORPAY_KEY_SECRET)
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b'{"event": "payment.captured"}',
        b"[]",
        b'{"event": "payment.captured", "payload": {"payment": {"entity": '
        b'{"id": "pay_1", "order_id": "order_1", "amount": 1e400, "currency": "INR"}}}}',
        b'{"event": "payment.captured", "payload": [1]}',
    ],
)
def test_a_signed_but_unusable_body_is_acknowledged_and_kept_rejected(anon_client, db, body):
    response = post_webhook(anon_client, body)
    assert response.status_code == 200 and response.json()["usable"] is False
    assert WebhookEvent.objects.get().status == WebhookEventStatus.REJECTED


def test_unhandled_event_type_is_acknowledged_and_ignored(anon_client, open_payment):
    body = webhook_body("payment.authorized", payment_entity(open_payment.provider_order_id, 20000))
    response = post_webhook(anon_client, body)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEventStatus.IGNORED
    assert not Order.objects.exists()


def test_webhook_for_an_unknown_order_is_acknowledged(anon_client, db):
    body = webhook_body("payment.captured", payment_entity("order_unknown0000001", 500))
    assert post_webhook(anon_client, body).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEventStatus.IGNORED


def test_an_unsigned_delivery_keeps_an_excerpt_and_headers_without_secrets(anon_client, db):
    big = b'{"event": "payment.captured", "pad": "' + b"x" * 200_000 + b'"}'
    response = anon_client.post(
        "/api/payments/webhook/razorpay/",
        big,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE="forged",
        HTTP_USER_AGENT="curl/8",
    )
    assert response.status_code == 400
    row = WebhookEvent.objects.get()
    assert row.status == WebhookEventStatus.REJECTED and row.signature_valid is False
    assert len(row.body) <= 1024
    assert row.headers["User-Agent"] == "curl/8"
    assert not any("signature" in name.lower() for name in row.headers)


def test_a_verified_delivery_keeps_its_whole_body(anon_client, open_payment):
    body = captured(open_payment)
    assert post_webhook(anon_client, body).status_code == 200
    row = WebhookEvent.objects.get()
    assert row.body == body.decode() and row.signature_valid is True
    assert "X-Razorpay-Event-Id" in row.headers and "X-Razorpay-Signature" not in row.headers


def test_an_oversized_body_is_refused_unread_and_stores_nothing(anon_client, db, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    response = anon_client.post(
        "/api/payments/webhook/razorpay/",
        b"{" + b" " * 2000 + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413 and response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_rejected_and_old_deliveries_are_pruned(db, settings):
    settings.WEBHOOK_REJECTED_RETENTION_DAYS = 7
    settings.WEBHOOK_RETENTION_DAYS = 90
    now = timezone.now()
    rows = {
        (status, age): WebhookEvent.objects.create(provider="razorpay", body="{}", status=status)
        for status in (
            WebhookEventStatus.REJECTED,
            WebhookEventStatus.PROCESSED,
            WebhookEventStatus.FAILED,
        )
        for age in (1, 30, 100)
    }
    for (_, age), row in rows.items():
        WebhookEvent.objects.filter(pk=row.pk).update(received_at=now - timedelta(days=age))
    call_command("prune_webhook_events")
    kept = {(r.status, r.pk) for r in WebhookEvent.objects.all()}
    expected = {
        (status, row.pk)
        for (status, age), row in rows.items()
        if status == WebhookEventStatus.FAILED
        or (status == WebhookEventStatus.REJECTED and age < 7)
        or (status == WebhookEventStatus.PROCESSED and age < 90)
    }
    assert kept == expected
