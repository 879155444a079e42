"""PhonePe V2 at its HTTP boundary, answered by `responses` as the reference documents."""

import hashlib
import json
import re
import time

import responses
from django.conf import settings

from tests.payments.gateways.contract import GatewayFakes


def base() -> str:
    return settings.PHONEPE_BASE_URL


def mock_token(rsps: responses.RequestsMock, *, lifetime: int = 3600, token: str = "tok-1"):
    def answer(request):
        issued = int(time.time())
        body = {
            "access_token": token,
            "encrypted_access_token": token,
            "token_type": "O-Bearer",
            "issued_at": issued,
            "expires_at": issued + lifetime,
            "expires_in": lifetime,
        }
        return 200, {}, json.dumps(body)

    return rsps.add_callback(responses.POST, f"{base()}/v1/oauth/token", callback=answer)


def mock_pay(rsps: responses.RequestsMock):
    def answer(request):
        body = json.loads(request.body)
        return (
            200,
            {},
            json.dumps(
                {
                    "orderId": f"OMO{body['merchantOrderId'][-12:]}",
                    "state": "PENDING",
                    "expireAt": int(time.time() * 1000) + 1_200_000,
                    "redirectUrl": f"https://mercury-uat.phonepe.com/transact/{body['merchantOrderId']}",
                }
            ),
        )

    return rsps.add_callback(responses.POST, f"{base()}/checkout/v2/pay", callback=answer)


def status_url(merchant_order_id: str):
    return re.compile(rf"{re.escape(base())}/checkout/v2/order/{merchant_order_id}/status.*")


def mock_status(rsps: responses.RequestsMock, merchant_order_id: str, state: str, amount: int):
    body = {
        "orderId": "OMO123",
        "state": state,
        "amount": amount,
        "payableAmount": amount,
        "paymentDetails": [
            {
                "transactionId": "OM12345",
                "paymentMode": "UPI_INTENT",
                "amount": amount,
                "state": state,
            }
        ],
    }
    if state == "FAILED":
        body["errorCode"] = "PAYMENT_DECLINED"
    return rsps.add_callback(
        responses.GET, status_url(merchant_order_id), callback=lambda r: (200, {}, json.dumps(body))
    )


def calls_to(rsps: responses.RequestsMock, fragment: str) -> int:
    return sum(1 for call in rsps.calls if fragment in call.request.url)


def webhook_authorization(username: str | None = None, password: str | None = None) -> str:
    user = username or settings.PHONEPE_WEBHOOK_USERNAME
    secret = password or settings.PHONEPE_WEBHOOK_PASSWORD
    return hashlib.sha256(f"{user}:{secret}".encode()).hexdigest()


def webhook_body(event: str, merchant_order_id: str, amount: int, state: str) -> bytes:
    return json.dumps(
        {
            "event": event,
            "type": event.upper().replace(".", "_"),
            "payload": {
                "merchantId": "M1",
                "merchantOrderId": merchant_order_id,
                "orderId": "OMO123",
                "state": state,
                "amount": amount,
                "paymentDetails": [],
            },
        }
    ).encode()


def post_webhook(client, body: bytes, authorization: str | None = None):
    headers = {}
    if authorization != "":
        headers["HTTP_AUTHORIZATION"] = authorization or webhook_authorization()
    return client.post(
        "/api/payments/webhook/phonepe/", body, content_type="application/json", **headers
    )


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = webhook_body("checkout.order.completed", order_id, 100, "COMPLETED")
    user = settings.PHONEPE_WEBHOOK_USERNAME
    return body, {"Authorization": hashlib.sha256(f"{user}:{secret}".encode()).hexdigest()}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_username": settings.PHONEPE_WEBHOOK_USERNAME,
        "webhook_password": current,
        "previous_webhook_credentials": (settings.PHONEPE_WEBHOOK_USERNAME, previous),
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{base()}/payments/v2/refund"),
    refund_answer=lambda reference: {"refundId": "OMR_CONTRACT", "amount": 100, "state": "PENDING"},
    reference_sent=lambda request: json.loads(request.body)["merchantRefundId"],
    refusal=lambda status: {"code": "BAD_REQUEST", "message": f"Refused ({status})"},
    webhook_path="/api/payments/webhook/phonepe/",
    secret_setting="PHONEPE_WEBHOOK_PASSWORD",
    previous_secret_settings=lambda secret: {
        "PHONEPE_WEBHOOK_USERNAME_PREVIOUS": settings.PHONEPE_WEBHOOK_USERNAME if secret else "",
        "PHONEPE_WEBHOOK_PASSWORD_PREVIOUS": secret,
    },
    prepare=mock_token,
)
