"""PhonePe V2 at its HTTP boundary: `responses` hands the adapter's requests to the
PhonePe simulator (simulators/phonepe.py, which the sandbox also runs)."""

import json
import re
import time

import responses
from django.conf import settings

from simulators import phonepe as simulated
from tests.payments.gateways.contract import ORDER_ID, GatewayFakes

PHONEPE = simulated.PhonePe()


def base() -> str:
    return settings.PHONEPE_BASE_URL


def mock_token(rsps: responses.RequestsMock, *, lifetime: int = 3600, token: str = "tok-1"):
    """POST /v1/oauth/token answers `token`, valid for `lifetime` seconds."""

    def answer(request):
        body = simulated.token_body(token, int(time.time()), lifetime)
        return 200, {}, json.dumps(body)

    return rsps.add_callback(responses.POST, f"{base()}/v1/oauth/token", callback=answer)


def mock_pay(rsps: responses.RequestsMock):
    def answer(request):
        status, body = PHONEPE.pay(json.loads(request.body))
        return status, {}, json.dumps(body)

    return rsps.add_callback(responses.POST, f"{base()}/checkout/v2/pay", callback=answer)


def status_url(merchant_order_id: str):
    return re.compile(rf"{re.escape(base())}/checkout/v2/order/{merchant_order_id}/status.*")


def mock_status(rsps: responses.RequestsMock, merchant_order_id: str, state: str, amount: int):
    """The shopper's attempt ends in `state` for `amount`: PhonePe answers the next status
    request so (each call answers one request, in the order made, the last one the rest)."""
    body = json.dumps(simulated.status_body(PHONEPE.paid(merchant_order_id, state=state,
                                                          amount=amount)))  # fmt: skip
    return rsps.add_callback(
        responses.GET, status_url(merchant_order_id), callback=lambda r: (200, {}, body)
    )


def calls_to(rsps: responses.RequestsMock, fragment: str) -> int:
    return sum(1 for call in rsps.calls if fragment in call.request.url)


def webhook_authorization(username: str | None = None, password: str | None = None) -> str:
    return simulated.webhook_authorization(
        username or settings.PHONEPE_WEBHOOK_USERNAME,
        password or settings.PHONEPE_WEBHOOK_PASSWORD,
    )


def webhook_body(event: str, merchant_order_id: str, amount: int, state: str) -> bytes:
    order = {"orderId": "OMO123", "state": state, "amount": amount, "expireAt": 0,
             "metaInfo": {}, "paymentDetails": []}  # fmt: skip
    return simulated.webhook_body(event, merchant_order_id, order, "M1")


def post_webhook(client, body: bytes, authorization: str | None = None):
    headers = {}
    if authorization != "":
        headers["HTTP_AUTHORIZATION"] = authorization or webhook_authorization()
    return client.post(
        "/api/payments/webhook/phonepe/", body, content_type="application/json", **headers
    )


def _refund_answer(reference: str) -> dict:
    """What the simulated PhonePe answers to a refund of the contract's order, once paid."""
    PHONEPE.paid(ORDER_ID, amount=100)
    return PHONEPE.refund({"originalMerchantOrderId": ORDER_ID, "amount": 100,
                           "merchantRefundId": reference})[1]  # fmt: skip


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = webhook_body("checkout.order.completed", order_id, 100, "COMPLETED")
    user = settings.PHONEPE_WEBHOOK_USERNAME
    return body, {"Authorization": simulated.webhook_authorization(user, secret)}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_username": settings.PHONEPE_WEBHOOK_USERNAME,
        "webhook_password": current,
        "previous_webhook_credentials": (settings.PHONEPE_WEBHOOK_USERNAME, previous),
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{base()}/payments/v2/refund"),
    refund_answer=_refund_answer,
    reference_sent=lambda request: json.loads(request.body)["merchantRefundId"],
    refusal=lambda status: {"code": "BAD_REQUEST", "message": f"Refused ({status})"},
    webhook_path="/api/payments/webhook/phonepe/",
    secret_setting="PHONEPE_WEBHOOK_PASSWORD",
    previous_secret_settings=lambda secret: {
        "PHONEPE_WEBHOOK_USERNAME_PREVIOUS": settings.PHONEPE_WEBHOOK_USERNAME if secret else "",
        "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS": secret,
    },
    prepare=mock_token,
    reset=PHONEPE.store.clear,
)
