"""What on-call engineers and staff see: JSON log lines for every step of a payment's life,
Prometheus metrics behind a token, request ids, and the payment-health page in admin."""

import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
import structlog
from django.utils import timezone
from prometheus_client import REGISTRY
from rest_framework_simplejwt.tokens import AccessToken

from catalog.models import ProductVariant
from config.logs import formatter, secret_setting_names
from orders.models import Order
from payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from payments.services.money_back import refund_owed
from tests.documented import DocumentedClient
from tests.payments.gateways.razorpay.fakes import (
    mock_refunds,
    payment_entity,
    post_webhook,
    webhook_body,
)

from .conftest import act

pytestmark = pytest.mark.django_db
METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def json_lines():
    """Everything logged while the test runs, as the production JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # production's level (the tests' default is WARNING)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def events(lines: list[dict], name: str) -> list[dict]:
    return [line for line in lines if line["event"] == name]


# What one payment paid by webhook and then refunded in full adds to each series.
RAZORPAY = {"provider": "razorpay"}
LIFE_COUNTS = {
    "payments created": ("paycart_payments_total", RAZORPAY | {"status": "INITIATED"}, 0),
    "payments paid": ("paycart_payments_total", RAZORPAY | {"status": "SUCCESS"}, 1),
    "payments refunded": ("paycart_payments_total", RAZORPAY | {"status": "REFUNDED"}, 1),
    "webhooks processed": (
        "paycart_webhook_deliveries_total",
        RAZORPAY | {"outcome": "processed"},
        1,
    ),
    "fulfilments": ("paycart_fulfilment_seconds_count", RAZORPAY | {"outcome": "fulfilled"}, 1),
    "refund calls": (
        "paycart_provider_call_seconds_count",
        RAZORPAY | {"action": "refund", "outcome": "ok"},
        1,
    ),
    "receipts sent": (
        "paycart_task_runs_total",
        {"task": "orders.tasks.send_receipt", "outcome": "succeeded"},
        1,
    ),
}


def counted() -> dict[str, float]:
    return {key: sample(name, **labels) for key, (name, labels, _) in LIFE_COUNTS.items()}


def test_a_payments_whole_life_is_logged_and_counted(
    api, staff, rsps, open_payment, json_lines, django_capture_on_commit_callbacks
):
    before = counted()

    # Paid by webhook, then refunded in full by staff.
    payment = open_payment
    entity = payment_entity(payment.provider_order_id, 20000, payment_id="pay_LIFE")
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_webhook(DocumentedClient(), webhook_body("payment.captured", entity))
    assert answer.status_code == 200
    payment.refresh_from_db()
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", payment.order_id, apply="1", reason="asked")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED

    lines = json_lines()
    ours = str(payment.pk)
    assert [e["status"] for e in events(lines, "payment_status_changed")] == [
        "SUCCESS",
        "REFUNDED",
    ]
    for line in events(lines, "payment_status_changed"):
        assert line["payment_id"] == ours and line["provider"] == "razorpay"
        assert line["provider_order_id"] == payment.provider_order_id
        assert line["provider_payment_id"] == "pay_LIFE" and line["user_id"] == payment.user_id
    (fulfilment,) = events(lines, "payment_fulfilment")
    assert fulfilment["outcome"] == "fulfilled" and fulfilment["duration_ms"] >= 0
    assert fulfilment["order_id"] == payment.order_id
    (delivery,) = events(lines, "webhook_delivery")
    assert delivery["outcome"] == "processed" and delivery["event_type"] == "payment.captured"
    assert delivery["payment_id"] == ours and delivery["event_id"].startswith("evt_")
    requested, settled = events(lines, "refund_requested"), events(lines, "refund_status_changed")
    assert [r["status"] for r in requested + settled] == ["REQUESTED", "PROCESSED"]
    assert {r["payment_id"] for r in requested + settled} == {ours}
    (refund_call,) = [c for c in events(lines, "provider_call") if c["action"] == "refund"]
    assert refund_call["outcome"] == "ok" and refund_call["provider_payment_id"] == "pay_LIFE"
    tasks = {(t["task"], t["outcome"]) for t in events(lines, "task_finished")}
    assert tasks == {
        ("orders.tasks.send_receipt", "succeeded"),
        ("payments.tasks.send_refund", "succeeded"),
    }
    finished = events(lines, "request_finished")
    assert {"request_id", "code", "duration_ms"} <= finished[0].keys()

    after = counted()
    assert {key: after[key] - before[key] for key in after} == {
        key: added for key, (_, _, added) in LIFE_COUNTS.items()
    }


def test_creating_a_payment_is_logged_and_counted(api, rsps, json_lines):
    from tests.factories import VariantFactory
    from tests.flows import add_to_cart, create_payment
    from tests.payments.gateways.razorpay.fakes import mock_order_create

    before = sample("paycart_payments_total", provider="razorpay", status="INITIATED")
    calls = sample(
        "paycart_provider_call_seconds_count",
        provider="razorpay",
        action="create_order",
        outcome="ok",
    )
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="50.00", stock=3), 1)
    assert create_payment(api).status_code == 201
    (created,) = events(json_lines(), "payment_created")
    assert created["payment_id"] == str(Payment.objects.get().pk) and created["amount"] == "50.00"
    assert sample("paycart_payments_total", provider="razorpay", status="INITIATED") == before + 1
    assert (
        sample(
            "paycart_provider_call_seconds_count",
            provider="razorpay",
            action="create_order",
            outcome="ok",
        )
        == calls + 1
    )


def test_a_fulfilment_undone_for_want_of_stock_reports_only_the_flagged_payment(
    anon_client, rsps, open_payment, json_lines, django_capture_on_commit_callbacks
):
    succeeded_before = sample("paycart_payments_total", provider="razorpay", status="SUCCESS")
    ProductVariant.objects.update(stock=1)  # sold elsewhere while the shopper paid
    entity = payment_entity(open_payment.provider_order_id, 20000, payment_id="pay_SHORT")
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_webhook(anon_client, webhook_body("payment.captured", entity))
    assert answer.status_code == 200
    assert not Order.objects.exists()
    (change,) = events(json_lines(), "payment_status_changed")
    assert change["status"] == "SUCCESS" and change["needs_attention"] is True
    assert "out of stock" in change["reason"] and change["level"] == "warning"
    assert sample("paycart_payments_total", provider="razorpay", status="SUCCESS") == (
        succeeded_before + 1
    )


def test_a_provider_that_fails_counts_an_error_and_a_failed_payment(
    api, rsps, json_lines, django_capture_on_commit_callbacks
):
    from tests.factories import VariantFactory
    from tests.flows import add_to_cart, create_payment
    from tests.payments.gateways.razorpay.fakes import orders_url

    labels = {"provider": "razorpay", "action": "create_order", "error": "ProviderUnavailable"}
    errors_before = sample("paycart_provider_call_errors_total", **labels)
    failed_before = sample("paycart_payments_total", provider="razorpay", status="FAILED")
    rsps.add("POST", orders_url(), status=500, json={"error": {"code": "SERVER_ERROR"}})
    add_to_cart(api, VariantFactory(price="50.00", stock=3), 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert create_payment(api).status_code == 502
    assert sample("paycart_provider_call_errors_total", **labels) == errors_before + 1
    assert sample("paycart_payments_total", provider="razorpay", status="FAILED") == (
        failed_before + 1
    )
    (call,) = events(json_lines(), "provider_call")
    assert call["outcome"] == "ProviderUnavailable" and call["level"] == "warning"
    (failed,) = events(json_lines(), "payment_status_changed")
    assert failed["status"] == "FAILED" and failed["from_status"] == "INITIATED"


def test_no_log_line_holds_a_configured_secret_a_token_or_an_address(
    settings, api, user, rsps, open_payment, json_lines, django_capture_on_commit_callbacks
):
    settings.METRICS_TOKEN = METRICS_TOKEN
    token = str(AccessToken.for_user(user))
    client = DocumentedClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # A forged webhook, a good one, a status poll, a bad verify and a failed refund call.
    body = webhook_body("payment.captured", payment_entity(open_payment.provider_order_id, 20000))
    post_webhook(DocumentedClient(), body, signature="0" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(DocumentedClient(), body)
    client.get(f"/api/payments/{open_payment.pk}/check-booking/")
    client.post("/api/payments/verify/", {"razorpay_order_id": "order_x"}, format="json")
    DocumentedClient().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    # Code that carelessly logs secrets and personal data is masked too.
    structlog.get_logger("careless").warning(
        "careless",
        note=f"key={settings.RAZORPAY_KEY_SECRET}",
        shipping_address={"line": "12 Temple Road"},
        authorization=f"Bearer {token}",
    )
    try:
        raise RuntimeError(f"boom {settings.STRIPE_SECRET_KEY}")
    except RuntimeError:
        logging.getLogger("careless").exception("failed with %s", settings.PHONEPE_CLIENT_SECRET)

    text = "\n".join(json.dumps(line) for line in json_lines())
    secrets = [str(getattr(settings, name) or "") for name in secret_setting_names()]
    for secret in [s for s in secrets if s] + [token, "12 Temple Road"]:
        assert secret not in text
    assert "Traceback" not in text
    (careless,) = [line for line in json_lines() if line.get("exception")]
    assert careless["exception"].startswith("RuntimeError at ")


def test_request_ids_are_kept_from_the_load_balancer_or_made_and_returned(api, user, json_lines):
    given = api.get("/api/accounts/me/", HTTP_X_REQUEST_ID="lb-7f3a9c")
    assert given["X-Request-ID"] == "lb-7f3a9c"
    made = api.get("/api/accounts/me/")
    assert uuid.UUID(made["X-Request-ID"])
    forged = api.get("/api/accounts/me/", HTTP_X_REQUEST_ID='x" injected\n{"a":1}')
    assert uuid.UUID(forged["X-Request-ID"])
    finished = events(json_lines(), "request_finished")
    assert [line["request_id"] for line in finished] == [
        "lb-7f3a9c",
        made["X-Request-ID"],
        forged["X-Request-ID"],
    ]
    assert {line["user_id"] for line in finished} == {user.pk}


def test_a_frontend_on_another_origin_may_read_the_request_id(settings, api):
    origin = settings.CORS_ALLOWED_ORIGINS[0]
    answer = api.get("/api/accounts/me/", HTTP_ORIGIN=origin)
    assert answer["Access-Control-Allow-Origin"] == origin
    assert "X-Request-ID" in answer["Access-Control-Expose-Headers"]


class TestMetricsEndpoint:
    def test_refuses_an_anonymous_scrape_and_a_wrong_token(self, settings, anon_client):
        settings.METRICS_TOKEN = METRICS_TOKEN
        assert anon_client.get("/metrics").status_code == 403
        wrong = anon_client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
        assert wrong.status_code == 403 and wrong.json() == {
            "error": "Metrics need the bearer token or an allowed network."
        }

    def test_refuses_everyone_when_nothing_is_configured(self, settings, anon_client):
        settings.METRICS_TOKEN = ""
        assert anon_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403

    def test_answers_the_token_with_every_metric(self, settings, anon_client, open_payment):
        settings.METRICS_TOKEN = METRICS_TOKEN
        Payment.objects.filter(pk=open_payment.pk).update(
            status=PaymentStatus.SUCCESS, needs_attention=True
        )
        answer = anon_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
        assert answer.status_code == 200
        text = answer.content.decode()
        assert 'paycart_payments_needing_attention{provider="razorpay"} 1.0' in text
        for name in [
            "paycart_payments_total",
            "paycart_refunds_total",
            "paycart_fulfilment_seconds",
            "paycart_webhook_deliveries_total",
            "paycart_provider_call_seconds",
            "paycart_provider_call_errors_total",
            "paycart_task_runs_total",
            "paycart_task_queue_delay_seconds",
            "paycart_payments_stale_pending",
            "paycart_webhooks_troubled",
            "paycart_refunds_stuck",
        ]:
            assert f"# TYPE {name.removesuffix('_total')}" in text, name

    def test_answers_a_configured_network_and_only_it(self, settings, anon_client):
        settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
        assert anon_client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert anon_client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403

    def test_counts_stale_pending_payments(self, settings, anon_client, open_payment):
        settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        old = timezone.now() - timedelta(seconds=settings.RECONCILE_OLDER_THAN_SECONDS + 60)
        Payment.objects.filter(pk=open_payment.pk).update(created_at=old)
        text = anon_client.get("/metrics").content.decode()
        assert 'paycart_payments_stale_pending{provider="razorpay"} 1.0' in text


def seed_trouble(open_payment):
    """A flagged payment with a refund the provider refused, and a failed delivery."""
    Payment.objects.filter(pk=open_payment.pk).update(
        status=PaymentStatus.SUCCESS,
        needs_attention=True,
        attention_reason="Paid 100 INR but the payment is for 200 INR.",
        provider_payment_id="pay_FLAGGED",
        captured_amount=open_payment.amount,
    )
    open_payment.refresh_from_db()
    refund = refund_owed(
        payment=open_payment,
        provider_payment_id="pay_FLAGGED",
        amount=open_payment.amount,
        currency="INR",
        reason="mismatch",
    )
    Refund.objects.filter(pk=refund.pk).update(
        status=RefundStatus.FAILED, last_error="Razorpay refused: BAD_REQUEST"
    )
    webhook = WebhookEvent.objects.create(
        provider="razorpay",
        event_id="evt_FAILED1",
        event_type="payment.captured",
        body=webhook_body(
            "payment.captured", payment_entity(open_payment.provider_order_id, 20000)
        ).decode(),
        signature_valid=True,
        status="FAILED",
        error="ProviderUnavailable: Razorpay unreachable",
    )
    return refund, webhook


class TestPaymentHealthPage:
    @pytest.mark.ledger_breach("refund_failed")
    def test_lists_what_is_stuck_with_links_to_rows_and_actions(self, staff, open_payment):
        refund, webhook = seed_trouble(open_payment)
        page = staff.get("/admin/payment-health/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Payments needing attention: 1" in html
        assert "Webhooks failed, unconfirmed or unprocessed: 1" in html
        assert "Refunds owed but not made: 1" in html
        assert f"/admin/payments/payment/{open_payment.pk}/change/" in html
        assert f"/admin/payments/webhookevent/{webhook.pk}/change/" in html
        assert f"/admin/payments/refund/{refund.pk}/change/" in html
        assert f'name="_selected_action" value="{webhook.pk}"' in html  # Replay
        assert f'name="_selected_action" value="{refund.pk}"' in html  # Retry
        assert "<svg" in html and ": 1 succeeded</title>" in html  # this hour's bar

    def test_its_retry_button_sends_the_refund_again(
        self, staff, rsps, open_payment, django_capture_on_commit_callbacks
    ):
        refund, _ = seed_trouble(open_payment)
        sent = mock_refunds(rsps)
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                "/admin/payments/refund/",
                {"action": "retry", "_selected_action": [str(refund.pk)], "index": "0"},
            )
        refund.refresh_from_db()
        assert (
            refund.status == RefundStatus.FAILED and refund.retry.status == RefundStatus.PROCESSED
        )
        assert len(sent) == 1 and sent[0].headers["X-Refund-Idempotency"] == str(refund.retry.pk)

    def test_is_linked_from_the_admin_home(self, staff):
        assert "/admin/payment-health/" in staff.get("/admin/").content.decode()

    def test_is_for_staff_only(self, client, api, user):
        assert client.get("/admin/payment-health/").status_code == 302  # to the login page
        client.force_login(user)
        assert client.get("/admin/payment-health/").status_code == 302
