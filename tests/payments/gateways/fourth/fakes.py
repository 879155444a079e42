"""The fourth provider at its HTTP boundary."""

import hashlib
import hmac
import json

from django.conf import settings

from tests.payments.gateways.contract import GatewayFakes


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    event = {"id": "evt_4", "order": {"id": order_id, "amount": 100, "currency": "INR"}}
    body = json.dumps(event).encode()
    return body, {"Fourth-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_secret": current,
        "previous_webhook_secret": previous,
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{settings.FOURTH_BASE_URL}/refunds"),
    refund_answer=lambda reference: {"id": "r4"},
    reference_sent=lambda request: request.headers["Idempotency-Key"],
)
