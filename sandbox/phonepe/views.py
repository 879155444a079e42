"""PhonePe Standard Checkout V2 sandbox: OAuth token, pay, order status, refund, and a
hosted pay page that sends the webhook with the configured Authorization hash."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..common import (
    deliver_webhook,
    error,
    guarded,
    json_body,
    order_or_404,
    random_id,
    render_pay_page,
)
from ..models import SandboxOrder

PROVIDER = "phonepe"
TOKEN_LIFETIME_SECONDS = 3600


def _fail(status: int, code: str, message: str) -> JsonResponse:
    return error(status, {"success": False, "code": code, "message": message})


def _sign(issued_at: int) -> str:
    digest = hmac.new(
        settings.PHONEPE_CLIENT_SECRET.encode(), str(issued_at).encode(), hashlib.sha256
    ).hexdigest()
    return f"sbx.{issued_at}.{digest}"


def _token_valid(request) -> bool:
    """Tokens are self-verifying (issued time + HMAC), so any sandbox process accepts them."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("O-Bearer "):
        return False
    token = header[len("O-Bearer ") :]
    try:
        issued_at = int(token.split(".")[1])
    except (IndexError, ValueError):
        return False
    fresh = issued_at + TOKEN_LIFETIME_SECONDS > time.time()
    return fresh and hmac.compare_digest(token, _sign(issued_at))


token_auth = guarded(
    _token_valid, lambda: _fail(401, "UNAUTHORIZED", "Invalid or expired access token")
)


@csrf_exempt
@require_POST
def oauth_token(request):
    form = request.POST
    if (
        form.get("client_id") != settings.PHONEPE_CLIENT_ID
        or form.get("client_secret") != settings.PHONEPE_CLIENT_SECRET
        or form.get("grant_type") != "client_credentials"
    ):
        return _fail(401, "INVALID_CLIENT", "Client authentication failed")
    issued_at = int(time.time())
    token = _sign(issued_at)
    return JsonResponse(
        {
            "access_token": token,
            "encrypted_access_token": token,
            "token_type": "O-Bearer",
            "issued_at": issued_at,
            "expires_at": issued_at + TOKEN_LIFETIME_SECONDS,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "session_expires_at": issued_at + TOKEN_LIFETIME_SECONDS,
            "refresh_token": None,
        }
    )


@csrf_exempt
@require_POST
@token_auth
def pay(request):
    body = json_body(request)
    if body is None:
        return _fail(400, "BAD_REQUEST", "Body is not JSON")
    merchant_order_id = body.get("merchantOrderId")
    amount = body.get("amount")
    redirect_url = ((body.get("paymentFlow") or {}).get("merchantUrls") or {}).get("redirectUrl")
    if not merchant_order_id or len(merchant_order_id) > 63:
        return _fail(400, "BAD_REQUEST", "merchantOrderId is invalid")
    if not isinstance(amount, int) or amount < 100:
        return _fail(400, "BAD_REQUEST", "amount must be at least 100 paise")
    if SandboxOrder.objects.filter(provider=PROVIDER, external_id=merchant_order_id).exists():
        return _fail(409, "DUPLICATE_ORDER", "merchantOrderId already used")
    order = SandboxOrder.objects.create(
        provider=PROVIDER,
        external_id=merchant_order_id,
        amount=amount,
        currency="INR",
        status="PENDING",
        data={
            "orderId": random_id("OMO", 20),
            "redirectUrl": redirect_url or "",
            "metaInfo": body.get("metaInfo") or {},
            "expireAt": int(time.time() * 1000) + 1000 * int(body.get("expireAfter") or 1200),
            "paymentDetails": [],
        },
    )
    pay_url = request.build_absolute_uri(
        reverse("sandbox-phonepe-pay-page", args=[merchant_order_id])
    )
    return JsonResponse(
        {
            "orderId": order.data["orderId"],
            "state": "PENDING",
            "expireAt": order.data["expireAt"],
            "redirectUrl": pay_url,
        }
    )


def _status_body(order: SandboxOrder) -> dict:
    body = {
        "orderId": order.data["orderId"],
        "state": order.status,
        "amount": order.amount,
        "payableAmount": order.amount,
        "feeAmount": 0,
        "expireAt": order.data["expireAt"],
        "metaInfo": order.data["metaInfo"],
        "paymentDetails": order.data["paymentDetails"],
    }
    if order.status == "FAILED":
        body |= {"errorCode": "PAYMENT_DECLINED", "detailedErrorCode": "SANDBOX_DECLINED"}
    return body


@require_GET
@token_auth
def order_status(request, merchant_order_id: str):
    order = SandboxOrder.objects.filter(provider=PROVIDER, external_id=merchant_order_id).first()
    if order is None:
        return _fail(404, "ORDER_NOT_FOUND", "No order with this merchantOrderId")
    return JsonResponse(_status_body(order))


@csrf_exempt
@require_POST
@token_auth
def refund(request):
    body = json_body(request) or {}
    order = SandboxOrder.objects.filter(
        provider=PROVIDER, external_id=body.get("originalMerchantOrderId"), status="COMPLETED"
    ).first()
    amount = body.get("amount")
    if order is None or not isinstance(amount, int) or not 0 < amount <= order.amount:
        return _fail(400, "BAD_REQUEST", "Refund is not possible for this order or amount")
    return JsonResponse({"refundId": random_id("OMR", 20), "amount": amount, "state": "PENDING"})


@require_http_methods(["GET", "POST"])
def pay_page(request, merchant_order_id: str):
    order = order_or_404(PROVIDER, merchant_order_id)
    if request.method == "GET" or order.status != "PENDING":
        return render_pay_page(request, "PhonePe", order, ("PENDING",))
    succeeded = request.POST.get("outcome") == "pay"
    order.status = "COMPLETED" if succeeded else "FAILED"
    order.data["paymentDetails"].append(
        {
            "transactionId": random_id("OM", 20),
            "paymentMode": "UPI_INTENT",
            "timestamp": int(time.time() * 1000),
            "amount": order.amount,
            "state": order.status,
        }
    )
    order.save()
    event = "checkout.order.completed" if succeeded else "checkout.order.failed"
    payload = {"merchantId": "SANDBOXMERCHANT", "merchantOrderId": order.external_id}
    body = json.dumps(
        {
            "event": event,
            "type": event.upper().replace(".", "_"),
            "payload": payload | _status_body(order),
        }
    ).encode()
    credentials = f"{settings.PHONEPE_WEBHOOK_USERNAME}:{settings.PHONEPE_WEBHOOK_PASSWORD}"
    deliver_webhook(
        request,
        "webhook-phonepe",
        body,
        {"Authorization": hashlib.sha256(credentials.encode()).hexdigest()},
    )
    return HttpResponseRedirect(order.data["redirectUrl"] or "/demo/")


# Mounted under /sandbox/phonepe/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/phonepe is all a client changes.
urlpatterns = [
    path("v1/oauth/token", oauth_token),
    path("checkout/v2/pay", pay),
    path("checkout/v2/order/<str:merchant_order_id>/status", order_status),
    path("payments/v2/refund", refund),
    path("pay/<str:merchant_order_id>/", pay_page, name="sandbox-phonepe-pay-page"),
]
