"""PhonePe Standard Checkout V2, simulated: the OAuth token, pay, order status and refund
APIs the adapter calls, answered from a Store in PhonePe's shapes, and what happens on
PhonePe's side (the shopper pays or fails on the pay page) with the webhook it sends,
authorised by the SHA-256 of the merchant's configured username:password."""

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable

from .common import new_id
from .store import MemoryStore, Store

Answer = tuple[int, dict]
TOKEN_LIFETIME_SECONDS = 3600


def fail(status: int, code: str, message: str) -> Answer:
    return status, {"success": False, "code": code, "message": message}


def token_body(token: str, issued_at: int, lifetime: int = TOKEN_LIFETIME_SECONDS) -> dict:
    return {
        "access_token": token, "encrypted_access_token": token, "token_type": "O-Bearer",
        "issued_at": issued_at, "expires_at": issued_at + lifetime, "expires_in": lifetime,
        "session_expires_at": issued_at + lifetime, "refresh_token": None,
    }  # fmt: skip


def webhook_authorization(username: str, password: str) -> str:
    """The Authorization header of PhonePe's webhook: SHA-256 of username:password."""
    return hashlib.sha256(f"{username}:{password}".encode()).hexdigest()


def status_body(order: dict) -> dict:
    """GET …/order/{merchantOrderId}/status's answer for the order."""
    body = {
        "orderId": order["orderId"], "state": order["state"], "amount": order["amount"],
        "payableAmount": order["amount"], "feeAmount": 0, "expireAt": order["expireAt"],
        "metaInfo": order["metaInfo"], "paymentDetails": order["paymentDetails"],
    }  # fmt: skip
    if order["state"] == "FAILED":
        body |= {"errorCode": "PAYMENT_DECLINED", "detailedErrorCode": "SIMULATED_DECLINE"}
    return body


def webhook_body(event: str, merchant_order_id: str, order: dict, merchant_id: str) -> bytes:
    """A checkout.order.* event about the order, as PhonePe posts it."""
    payload = {"merchantId": merchant_id, "merchantOrderId": merchant_order_id}
    body = {"event": event, "type": event.upper().replace(".", "_"),
            "payload": payload | status_body(order)}  # fmt: skip
    return json.dumps(body).encode()


class PhonePe:
    """One PhonePe merchant. Its access tokens verify themselves (issue time + HMAC with
    the client secret), so any process holding the secret accepts them."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        client_id: str = "",
        client_secret: str = "",
        pay_url: Callable[[str], str] = lambda moid: (
            f"https://mercury-uat.phonepe.com/transact/{moid}"
        ),
    ) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.client_id, self.client_secret, self.pay_url = client_id, client_secret, pay_url
        self.routes: list[tuple[str, re.Pattern, Callable[..., Answer]]] = [
            ("POST", re.compile(r"/checkout/v2/pay"), self.pay),
            (
                "GET",
                re.compile(r"/checkout/v2/order/(?P<merchant_order_id>[^/]+)/status"),
                self.status,
            ),
            ("POST", re.compile(r"/payments/v2/refund"), self.refund),
        ]

    def route(self, method: str, path: str) -> int:
        """200 (the API has the route), 405 (the path, for another method) or 404."""
        found = [verb for verb, pattern, _ in self.routes if pattern.fullmatch(path)]
        return 200 if method in found else 405 if found else 404

    def handle(self, method: str, path: str, body: dict) -> Answer:
        for verb, pattern, answer in self.routes:
            if verb == method and (match := pattern.fullmatch(path)):
                return answer(body, **match.groupdict())
        return fail(self.route(method, path), "NOT_FOUND", "No such API")

    # ------------------------------------------------------------------ the wire
    def _sign(self, issued_at: int) -> str:
        digest = hmac.new(self.client_secret.encode(), str(issued_at).encode(), hashlib.sha256)
        return f"sbx.{issued_at}.{digest.hexdigest()}"

    def token(self, form: dict) -> Answer:
        """POST /v1/oauth/token (form: client_id, client_secret, grant_type)."""
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
            or form.get("grant_type") != "client_credentials"
        ):
            return fail(401, "INVALID_CLIENT", "Client authentication failed")
        issued_at = int(time.time())
        return 200, token_body(self._sign(issued_at), issued_at)

    def token_valid(self, authorization: str) -> bool:
        if not authorization.startswith("O-Bearer "):
            return False
        token = authorization.removeprefix("O-Bearer ")
        try:
            issued_at = int(token.split(".")[1])
        except (IndexError, ValueError):
            return False
        fresh = issued_at + TOKEN_LIFETIME_SECONDS > time.time()
        return fresh and hmac.compare_digest(token, self._sign(issued_at))

    def pay(self, body: dict) -> Answer:
        merchant_order_id, amount = body.get("merchantOrderId"), body.get("amount")
        flow = body.get("paymentFlow") or {}
        redirect_url = (flow.get("merchantUrls") or {}).get("redirectUrl")
        if not merchant_order_id or len(merchant_order_id) > 63:
            return fail(400, "BAD_REQUEST", "merchantOrderId is invalid")
        if not isinstance(amount, int) or amount < 100:
            return fail(400, "BAD_REQUEST", "amount must be at least 100 paise")
        if self.store.get("order", merchant_order_id) is not None:
            return fail(409, "DUPLICATE_ORDER", "merchantOrderId already used")
        order = self.order_made(merchant_order_id, amount, redirect_url=redirect_url or "",
                                meta=body.get("metaInfo") or {},
                                expire_after=int(body.get("expireAfter") or 1200))  # fmt: skip
        answer = {"orderId": order["orderId"], "state": "PENDING", "expireAt": order["expireAt"],
                  "redirectUrl": self.pay_url(merchant_order_id)}  # fmt: skip
        return 200, answer

    def status(self, body: dict, merchant_order_id: str) -> Answer:
        order = self.store.get("order", merchant_order_id)
        if order is None:
            return fail(404, "ORDER_NOT_FOUND", "No order with this merchantOrderId")
        return 200, status_body(order)

    def refund(self, body: dict) -> Answer:
        order = self.store.get("order", str(body.get("originalMerchantOrderId")))
        amount = body.get("amount")
        if order is None or order["state"] != "COMPLETED":
            return fail(400, "BAD_REQUEST", "Refund is not possible for this order or amount")
        if not isinstance(amount, int) or not 0 < amount <= order["amount"]:
            return fail(400, "BAD_REQUEST", "Refund is not possible for this order or amount")
        return 200, {"refundId": new_id("OMR", 20), "amount": amount, "state": "PENDING"}

    # ------------------------------------------------------------------ PhonePe's side
    def order_made(
        self, merchant_order_id: str, amount: int, *, redirect_url: str = "",
        meta: dict | None = None, expire_after: int = 1200,
    ) -> dict:  # fmt: skip
        order = {
            "merchantOrderId": merchant_order_id, "orderId": new_id("OMO", 20),
            "state": "PENDING", "amount": amount, "redirectUrl": redirect_url,
            "metaInfo": meta or {}, "expireAt": int(time.time() * 1000) + 1000 * expire_after,
            "paymentDetails": [],
        }  # fmt: skip
        self.store.put("order", merchant_order_id, order)
        return order

    def paid(self, merchant_order_id: str, *, state: str = "COMPLETED", amount=None) -> dict:
        """The shopper's attempt on the pay page ended in `state` (COMPLETED, FAILED) for
        `amount` (the order's unless said): the order after."""
        order = self.store.get("order", merchant_order_id)
        if order is None:  # an order made elsewhere (PhonePe knows it: our tests made it)
            order = self.order_made(merchant_order_id, amount or 100)
        amount = order["amount"] if amount is None else amount
        order.update(state=state, amount=amount)
        order["paymentDetails"].append({
            "transactionId": new_id("OM", 20), "paymentMode": "UPI_INTENT",
            "timestamp": int(time.time() * 1000), "amount": amount, "state": state,
        })  # fmt: skip
        self.store.put("order", merchant_order_id, order)
        return order
