"""Headers are input too: whatever bytes arrive in them on an unauthenticated path, the
answer is a clear 4xx (or the usual 2xx), never a 5xx, and nothing odd reaches the
database."""

import pytest

from payments.models import WebhookEvent
from tests.payments.gateways.razorpay.fakes import payment_entity, sign_webhook, webhook_body

pytestmark = pytest.mark.django_db
ODD = ["\u00e9t\u00e9", "\u2603 snow", "nul\x00byte", "x" * 5000, " ", "\r"]


@pytest.mark.parametrize("token", [*ODD, "caf\u00e9-token"])
def test_metrics_with_any_bearer_token_is_refused_not_broken(anon_client, settings, token):
    settings.METRICS_TOKEN = "the-real-token"
    response = anon_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and response.json()["error"]


def signed_razorpay(client, body: bytes, **headers):
    return client.post(
        "/api/payments/webhook/razorpay/",
        body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=sign_webhook(body),
        **headers,
    )


@pytest.mark.parametrize("event_id", ["evt_" + "9" * 300, "evt_\x00nul", "evt_\u00e9", " "])
def test_a_signed_delivery_with_an_odd_event_id_is_stored_and_deduplicated(anon_client, event_id):
    body = webhook_body("payment.captured", payment_entity("order_UNKNOWN", 100))
    first = signed_razorpay(anon_client, body, HTTP_X_RAZORPAY_EVENT_ID=event_id)
    again = signed_razorpay(anon_client, body, HTTP_X_RAZORPAY_EVENT_ID=event_id)
    assert first.status_code == again.status_code == 200
    assert again.json()["already_processed"] is True
    stored = WebhookEvent.objects.get()
    assert len(stored.event_id) <= 255 and "\x00" not in stored.event_id


@pytest.mark.parametrize("value", ODD)
def test_odd_header_values_on_a_webhook_are_kept_safely(anon_client, value):
    body = webhook_body("payment.captured", payment_entity("order_UNKNOWN", 100))
    answer = signed_razorpay(anon_client, body, HTTP_X_ODD=value, HTTP_USER_AGENT=value)
    assert answer.status_code == 200
    headers = WebhookEvent.objects.get().headers
    assert all("\x00" not in v and len(v) <= 200 for v in headers.values())


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/api/payments/webhook/razorpay/", "HTTP_X_RAZORPAY_SIGNATURE"),
        ("/api/payments/webhook/phonepe/", "HTTP_AUTHORIZATION"),
        ("/api/payments/webhook/stripe/", "HTTP_STRIPE_SIGNATURE"),
    ],
)
@pytest.mark.parametrize("value", ODD)
def test_an_odd_signature_is_a_400(anon_client, path, header, value):
    answer = anon_client.post(
        path, b'{"event": "x"}', content_type="application/json", **{header: value}
    )
    assert answer.status_code == 400 and answer.json()["error"]


@pytest.mark.parametrize("value", ODD)
def test_an_odd_idempotency_key_is_a_400(api, value):
    answer = api.post("/api/orders/", {}, format="json", HTTP_IDEMPOTENCY_KEY=value)
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["error"]


@pytest.mark.parametrize("value", ODD)
def test_an_odd_request_id_is_replaced_and_an_odd_forwarded_chain_ignored(anon_client, value):
    answer = anon_client.get("/api/products/", HTTP_X_REQUEST_ID=value, HTTP_X_FORWARDED_FOR=value)
    assert answer.status_code == 200 and answer["X-Request-ID"] != value
