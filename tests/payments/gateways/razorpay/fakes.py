"""Razorpay at its HTTP boundary: `responses` answers the SDK's calls, and signatures are
made with the documented algorithm (hex HMAC-SHA256)."""

import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import responses
from django.conf import settings

from tests.payments.gateways.contract import PAYMENT_ID, GatewayFakes

ADDRESS = {
    "first_name": "Asha",
    "last_name": "Rao",
    "address_line_1": "12 Temple Road",
    "city": "Bengaluru",
    "state": "KA",
    "postal_code": "560001",
    "country": "IN",
    "phone": "9999999999",
}


# What the fake Razorpay knows: orders it created, payments shoppers made at it, refunds.
ORDERS: dict[str, dict] = {}
PAYMENTS: dict[str, dict] = {}
REFUNDS: dict[str, dict] = {}


def orders_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/orders"


def payments_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/payments"


def _error(description: str):
    body = {"error": {"code": "BAD_REQUEST_ERROR", "description": description}}
    return 400, {}, json.dumps(body)


def mock_payments_api(rsps: responses.RequestsMock) -> None:
    """GET /v1/payments/{id} and POST /v1/payments/{id}/capture, answered from PAYMENTS;
    GET /v1/payments/{id}/refunds from the refunds the fake made (REFUNDS)."""

    def fetch(request):
        entity = PAYMENTS.get(request.path_url.rsplit("/", 1)[-1])
        if isinstance(entity, Exception):
            raise entity  # Razorpay unreachable for this payment
        return (200, {}, json.dumps(entity)) if entity else _error("The id provided does not exist")

    def capture(request):
        entity = PAYMENTS.get(request.path_url.split("/")[-2])
        body = json.loads(request.body)
        if not entity or entity["status"] != "authorized":
            return _error("This payment is not authorized")
        if body.get("amount") != entity["amount"] or body.get("currency") != entity["currency"]:
            return _error("Capture amount must be equal to the amount authorized")
        entity.update(status="captured", captured=True)
        return 200, {}, json.dumps(entity)

    def refunds_of(request):
        payment_id = request.path_url.split("?")[0].split("/")[-2]
        items = [refund for refund in REFUNDS.values() if refund["payment_id"] == payment_id]
        return 200, {}, json.dumps({"entity": "collection", "count": len(items), "items": items})

    rsps.add_callback(
        responses.GET, re.compile(rf"{re.escape(payments_url())}/[^/]+$"), callback=fetch
    )
    rsps.add_callback(
        responses.GET,
        re.compile(rf"{re.escape(payments_url())}/[^/]+/refunds(\?.*)?$"),
        callback=refunds_of,
    )
    rsps.add_callback(
        responses.POST, re.compile(rf"{re.escape(payments_url())}/[^/]+/capture$"), callback=capture
    )


def pay_at_razorpay(order_id: str, payment_id: str, *, status="captured", **overrides) -> dict:
    """The shopper pays an order in Razorpay's checkout (once; a repeat changes nothing)."""
    if payment_id not in PAYMENTS:
        amount = ORDERS[order_id]["amount"] if order_id in ORDERS else 100
        entity = payment_entity(order_id, amount, status=status, payment_id=payment_id)
        PAYMENTS[payment_id] = entity | overrides
    return PAYMENTS[payment_id]


def mock_order_create(rsps: responses.RequestsMock) -> list[dict]:
    """Answer POST /v1/orders like Razorpay (and its payments API); returns the list of
    orders it created."""
    created: list[dict] = []
    mock_payments_api(rsps)

    def answer(request):
        body = json.loads(request.body)
        order = {
            "id": f"order_{secrets.token_hex(7)}",
            "entity": "order",
            "amount": body["amount"],
            "amount_paid": 0,
            "amount_due": body["amount"],
            "currency": body["currency"],
            "receipt": body["receipt"],
            "status": "created",
            "attempts": 0,
            "notes": body.get("notes") or [],
            "created_at": 1763900000,
        }
        created.append(order)
        ORDERS[order["id"]] = order
        return 200, {}, json.dumps(order)

    rsps.add_callback(responses.POST, orders_url(), callback=answer)
    return created


def mock_order_payments(rsps: responses.RequestsMock, order_id: str, items: list[dict]) -> None:
    rsps.add(
        responses.GET,
        re.compile(rf"{re.escape(orders_url())}/{order_id}/payments.*"),
        json={"entity": "collection", "count": len(items), "items": items},
    )


def checkout_signature(order_id: str, payment_id: str) -> str:
    message = f"{order_id}|{payment_id}".encode()
    return hmac.new(settings.RAZORPAY_KEY_SECRET.encode(), message, hashlib.sha256).hexdigest()


def payment_entity(
    order_id: str, amount: int, *, status="captured", currency="INR", payment_id=None
):
    return {
        "id": payment_id or f"pay_{secrets.token_hex(7)}",
        "entity": "payment",
        "amount": amount,
        "currency": currency,
        "status": status,
        "order_id": order_id,
        "method": "upi",
        "captured": status == "captured",
        "error_description": "Payment declined" if status == "failed" else None,
    }


def webhook_body(event: str, entity: dict) -> bytes:
    payload = {"payment": {"entity": entity}}
    if event == "order.paid":
        payload["order"] = {"entity": {"id": entity["order_id"], "status": "paid"}}
    envelope = {
        "entity": "event",
        "account_id": "acc_test",
        "event": event,
        "contains": list(payload),
        "payload": payload,
        "created_at": 1763900000,
    }
    return json.dumps(envelope).encode()


def sign_webhook(body: bytes, secret: str | None = None) -> str:
    key = (secret or settings.RAZORPAY_WEBHOOK_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def post_webhook(client, body: bytes, *, event_id: str | None = None, signature: str | None = None):
    headers = {"HTTP_X_RAZORPAY_EVENT_ID": event_id or f"evt_{secrets.token_hex(7)}"}
    if signature != "":
        headers["HTTP_X_RAZORPAY_SIGNATURE"] = signature or sign_webhook(body)
    return client.post(
        "/api/payments/webhook/razorpay/", body, content_type="application/json", **headers
    )


def _refund_made(request, status: str):
    """Razorpay's answer to POST /v1/payments/{id}/refund: the refund it made, kept."""
    body = json.loads(request.body)
    refund = {
        "id": f"rfnd_{secrets.token_hex(7)}",
        "entity": "refund",
        "amount": body.get("amount"),
        "currency": "INR",
        "payment_id": request.path_url.split("/")[-2],
        "notes": body.get("notes") or {},
        "receipt": body.get("receipt"),
        "status": status,
    }
    REFUNDS[refund["id"]] = refund
    return 200, {}, json.dumps(refund)


def _refund_endpoint(rsps: responses.RequestsMock, answer) -> None:
    rsps.add_callback(
        responses.POST, re.compile(rf"{re.escape(payments_url())}/[^/]+/refund$"), callback=answer
    )


def mock_refunds(rsps: responses.RequestsMock, *, status: str = "processed") -> list:
    """POST /v1/payments/{id}/refund like Razorpay; returns the requests it received."""
    received: list = []

    def answer(request):
        received.append(request)
        return _refund_made(request, status)

    _refund_endpoint(rsps, answer)
    return received


def mock_refund_outcomes(rsps: responses.RequestsMock) -> dict:
    """POST /v1/payments/{id}/refund answered as `outcome["next"]` says: `processed` or
    `pending` (made, as Razorpay answers), `refused` (400) or `unavailable` (503). Returns
    the dict, for a test to change what Razorpay does next; `outcome["sent"]` counts the
    requests."""
    outcome = {"next": "processed", "sent": 0}

    def answer(request):
        outcome["sent"] += 1
        if outcome["next"] == "unavailable":
            return 503, {}, json.dumps({"error": {"code": "SERVER_ERROR"}})
        if outcome["next"] == "refused":
            return _error("The refund was not allowed")
        return _refund_made(request, outcome["next"])

    _refund_endpoint(rsps, answer)
    return outcome


def mock_refund_refused(
    rsps: responses.RequestsMock, provider_payment_id: str, description: str = "Refund not allowed"
) -> str:
    """Razorpay refuses refunds of this payment (400); returns the URL, to remove it later."""
    url = f"{payments_url()}/{provider_payment_id}/refund"
    rsps.add(
        responses.POST,
        url,
        status=400,
        json={"error": {"code": "BAD_REQUEST_ERROR", "description": description}},
    )
    return url


def mock_refund_fetch(rsps: responses.RequestsMock) -> None:
    """GET /v1/refunds/{id}, answered from the refunds the fake made (REFUNDS)."""

    def answer(request):
        refund = REFUNDS.get(request.path_url.rsplit("/", 1)[-1])
        return (200, {}, json.dumps(refund)) if refund else _error("The id does not exist")

    rsps.add_callback(
        responses.GET,
        re.compile(rf"{re.escape(settings.RAZORPAY_BASE_URL)}/v1/refunds/[^/]+$"),
        callback=answer,
    )


def refund_webhook_body(event: str, refund: dict) -> bytes:
    payload = {"refund": {"entity": refund}, "payment": {"entity": {}}}
    return json.dumps({"entity": "event", "event": event, "payload": payload}).encode()


# ---------------------------------------------------------------- Payment Links
LINKS: dict[str, dict] = {}


def links_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/payment_links"


def mock_payment_links(rsps: responses.RequestsMock) -> list[dict]:
    """POST /v1/payment_links, GET /v1/payment_links/{id}, POST …/{id}/cancel, like
    Razorpay (a second link with one reference_id is refused); returns the bodies sent."""
    sent: list[dict] = []

    def create(request):
        body = json.loads(request.body)
        if any(link["reference_id"] == body["reference_id"] for link in LINKS.values()):
            return _error("Payment Link with this reference_id already exists")
        sent.append(body)
        link_id = f"plink_{secrets.token_hex(7)}"
        link = {
            "id": link_id,
            "short_url": f"https://rzp.io/i/{link_id[6:12]}",
            "status": "created",
            "amount": body["amount"],
            "amount_paid": 0,
            "currency": body["currency"],
            "reference_id": body["reference_id"],
            "expire_by": body["expire_by"],
            "customer": body["customer"],
            "payments": None,
        }
        LINKS[link_id] = link
        return 200, {}, json.dumps(link)

    def fetch(request):
        link = LINKS.get(request.path_url.rsplit("/", 1)[-1])
        return (200, {}, json.dumps(link)) if link else _error("The id provided does not exist")

    def cancel(request):
        link = LINKS.get(request.path_url.split("/")[-2])
        if not link or link["status"] != "created":
            return _error("Payment link can not be cancelled")
        link["status"] = "cancelled"
        return 200, {}, json.dumps(link)

    rsps.add_callback(responses.POST, links_url(), callback=create)
    rsps.add_callback(
        responses.GET, re.compile(rf"{re.escape(links_url())}/[^/]+$"), callback=fetch
    )
    rsps.add_callback(
        responses.POST, re.compile(rf"{re.escape(links_url())}/[^/]+/cancel$"), callback=cancel
    )
    return sent


def pay_link_at_razorpay(link_id: str, *, amount: int | None = None) -> dict:
    """The customer pays the link: Razorpay captures a payment on an order of its own."""
    link = LINKS[link_id]
    entity = payment_entity(f"order_{secrets.token_hex(7)}", amount or link["amount"])
    PAYMENTS[entity["id"]] = entity
    link.update(status="paid", amount_paid=entity["amount"])
    link["payments"] = [
        {"payment_id": entity["id"], "amount": entity["amount"], "status": "captured",
         "plink_id": link_id, "method": "upi"}
    ]  # fmt: skip
    return entity


def link_webhook_body(event: str, link_id: str, payment: dict | None = None) -> bytes:
    link = dict(LINKS[link_id], status=event.removeprefix("payment_link."))
    payload = {"payment_link": {"entity": link}}
    if payment:
        payload |= {
            "payment": {"entity": payment},
            "order": {"entity": {"id": payment["order_id"]}},
        }
    envelope = {"entity": "event", "event": event, "contains": list(payload), "payload": payload}
    return json.dumps(envelope).encode()


def link_callback_query(link_id: str, payment_id: str, *, status="paid", secret=None) -> dict:
    """What Razorpay puts on the callback URL when the customer's browser comes back."""
    reference = LINKS[link_id]["reference_id"]
    message = f"{link_id}|{reference}|{status}|{payment_id}".encode()
    key = (secret or settings.RAZORPAY_KEY_SECRET).encode()
    return {
        "razorpay_payment_id": payment_id,
        "razorpay_payment_link_id": link_id,
        "razorpay_payment_link_reference_id": reference,
        "razorpay_payment_link_status": status,
        "razorpay_signature": hmac.new(key, message, hashlib.sha256).hexdigest(),
    }


# ---------------------------------------------------------------- disputes
DISPUTES: dict[str, dict] = {}
DOCUMENTS: list[dict] = []


def dispute_entity(payment_id: str, *, status="open", amount=20000, dispute_id=None, **more):
    dispute = {
        "id": dispute_id or f"disp_{secrets.token_hex(7)}",
        "entity": "dispute",
        "payment_id": payment_id,
        "amount": amount,
        "amount_deducted": amount if status == "lost" else 0,
        "currency": "INR",
        "reason_code": "chargeback_fraud",
        "respond_by": int(time.time()) + 5 * 86400,
        "status": status,
        "phase": "chargeback",
        "created_at": int(time.time()),
    } | more
    DISPUTES[dispute["id"]] = dispute
    return dispute


def dispute_webhook_body(event: str, dispute: dict) -> bytes:
    payload = {
        "payment": {"entity": {"id": dispute["payment_id"], "entity": "payment"}},
        "dispute": {"entity": dispute},
    }
    envelope = {"entity": "event", "event": event, "contains": list(payload), "payload": payload}
    return json.dumps(envelope).encode()


def mock_disputes(rsps: responses.RequestsMock) -> None:
    """GET /v1/disputes/{id}, POST …/accept, PATCH …/contest and POST /v1/documents, as
    Razorpay answers them, from DISPUTES."""
    base = f"{settings.RAZORPAY_BASE_URL}/v1/disputes"

    def dispute_of(request) -> dict | None:
        return DISPUTES.get(re.search(r"/disputes/(disp_[^/?]+)", request.url).group(1))

    def fetch(request):
        dispute = dispute_of(request)
        return (200, {}, json.dumps(dispute)) if dispute else _error("The id does not exist")

    def accept(request):
        dispute = dispute_of(request)
        if dispute is None or dispute["status"] != "open":
            return _error("The dispute cannot be accepted")
        dispute.update(status="lost", amount_deducted=dispute["amount"])
        return 200, {}, json.dumps(dispute)

    def contest(request):
        dispute, body = dispute_of(request), json.loads(request.body)
        if dispute is None or dispute["status"] != "open":
            return _error("The dispute cannot be contested")
        dispute["evidence"] = body
        if body.get("action") == "submit":
            dispute["status"] = "under_review"
        return 200, {}, json.dumps(dispute)

    def document(request):
        DOCUMENTS.append({"body": request.body})
        answer = {"id": f"doc_{secrets.token_hex(7)}", "entity": "document"}
        return 200, {}, json.dumps(answer)

    disputed = rf"{re.escape(base)}/disp_[^/]+"
    rsps.add_callback(responses.GET, re.compile(rf"{disputed}$"), callback=fetch)
    rsps.add_callback(responses.POST, re.compile(rf"{disputed}/accept$"), callback=accept)
    rsps.add_callback(responses.PATCH, re.compile(rf"{disputed}/contest$"), callback=contest)
    rsps.add_callback(
        responses.POST, f"{settings.RAZORPAY_BASE_URL}/v1/documents", callback=document
    )


# Settlements the fake Razorpay made: id → its entity, its recon lines and its day (IST).
SETTLEMENTS: dict[str, dict] = {}


def recon_line(entity_id: str, kind: str, amount: int, **more) -> dict:
    """One recon item: a payment is credited net of its fee (GST included), a refund or a
    dispute debited whole."""
    fee = more.pop("fee", 0)
    return {
        "entity_id": entity_id, "type": kind, "amount": amount, "currency": "INR",
        "credit": amount - fee if kind == "payment" else 0,
        "debit": amount if kind in ("refund", "dispute") else 0,
        "fee": fee, "tax": more.pop("tax", 0), "on_hold": False, "settled": True,
        "payment_id": None, "order_id": None, "dispute_id": None,
    } | more  # fmt: skip


def settle_at_razorpay(
    lines: list[dict], *, day: str, status="processed", settlement_id=None, amount=None
) -> dict:
    """A settlement of `lines` on `day` (YYYY-MM-DD, India): what reached the bank is their
    credits less their debits unless `amount` says otherwise."""
    settlement_id = settlement_id or f"setl_{secrets.token_hex(7)}"
    settled_at = int(datetime.fromisoformat(f"{day}T09:30:00+05:30").timestamp())
    entity = {
        "id": settlement_id, "entity": "settlement", "status": status,
        "amount": sum(x["credit"] - x["debit"] for x in lines) if amount is None else amount,
        "fees": sum(x["fee"] for x in lines), "tax": sum(x["tax"] for x in lines),
        "utr": f"UTR{secrets.token_hex(6).upper()}", "created_at": settled_at,
    }  # fmt: skip
    for line in lines:
        line |= {"settlement_id": settlement_id, "settlement_utr": entity["utr"],
                 "settled_at": settled_at}  # fmt: skip
    SETTLEMENTS[settlement_id] = {"entity": entity, "lines": lines, "day": day}
    return entity


def settlement_webhook_body(entity: dict) -> bytes:
    payload = {"settlement": {"entity": entity}}
    envelope = {
        "entity": "event", "event": "settlement.processed", "contains": ["settlement"],
        "payload": payload,
    }  # fmt: skip
    return json.dumps(envelope).encode()


def mock_settlements(rsps: responses.RequestsMock) -> list[dict]:
    """GET /v1/settlements/{id} and the recon of a day (count ≤ 1000, skip), from
    SETTLEMENTS; each recon request's query is kept in the list returned."""
    asked: list[dict] = []
    base = f"{settings.RAZORPAY_BASE_URL}/v1/settlements"

    def recon(request):
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        asked.append(query)
        count, skip = int(query["count"]), int(query.get("skip", 0))
        if count > 1000:
            return _error("count may be at most 1000")
        day = f"{int(query['year']):04d}-{int(query['month']):02d}-{int(query['day']):02d}"
        items = [x for s in SETTLEMENTS.values() if s["day"] == day for x in s["lines"]]
        page = items[skip : skip + count]
        return 200, {}, json.dumps({"entity": "collection", "count": len(page), "items": page})

    def fetch(request):
        settlement = SETTLEMENTS.get(request.url.rsplit("/", 1)[-1])
        if settlement is None:
            return _error("The id provided does not exist")
        return 200, {}, json.dumps(settlement["entity"])

    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/recon/combined"), recon)
    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/setl_\w+$"), fetch)
    return asked


def _reset() -> None:
    for known in (ORDERS, PAYMENTS, REFUNDS, LINKS, DISPUTES, DOCUMENTS, SETTLEMENTS):
        known.clear()


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = webhook_body("payment.captured", payment_entity(order_id, 100))
    return body, {
        "X-Razorpay-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    }


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_secret": current,
        "previous_webhook_secret": previous,
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{payments_url()}/{PAYMENT_ID}/refund"),
    refund_answer=lambda reference: {
        "id": "rfnd_CONTRACT",
        "entity": "refund",
        "amount": 100,
        "status": "processed",
        "notes": {"refund_id": reference},
    },
    reference_sent=lambda request: request.headers["X-Refund-Idempotency"],
    webhook_path="/api/payments/webhook/razorpay/",
    secret_setting="RAZORPAY_WEBHOOK_SECRET",
    previous_secret_settings=lambda secret: {"RAZORPAY_WEBHOOK_SECRET_PREVIOUS": secret},
    refusal=lambda status: {
        "error": {"code": "BAD_REQUEST_ERROR", "description": f"Refused ({status})"}
    },
    reset=_reset,
)
