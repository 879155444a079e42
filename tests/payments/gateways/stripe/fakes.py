"""Stripe at its HTTP boundary: `responses` answers the SDK's form-encoded calls, and
Stripe-Signature headers are made with the documented scheme (t=..., v1=HMAC-SHA256)."""

import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qsl

import responses
from django.conf import settings

from tests.payments.gateways.contract import PAYMENT_ID, GatewayFakes


def sessions_url() -> str:
    return f"{settings.STRIPE_API_BASE}/v1/checkout/sessions"


def mock_session_create(rsps: responses.RequestsMock) -> list[dict]:
    created: list[dict] = []

    def answer(request):
        form = dict(parse_qsl(request.body))
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "client_secret": f"{session_id}_secret_{secrets.token_hex(8)}",
            "status": "open",
            "payment_status": "unpaid",
            "ui_mode": form.get("ui_mode"),
            "mode": form.get("mode"),
            "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
            "currency": form["line_items[0][price_data][currency]"],
            "return_url": form.get("return_url"),
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_intent": None,
        }
        created.append(session)
        return 200, {}, json.dumps(session)

    rsps.add_callback(responses.POST, sessions_url(), callback=answer)
    return created


def mock_session_expire(rsps: responses.RequestsMock) -> None:
    def answer(request):
        session_id = request.url.rsplit("/", 2)[-2]
        return (
            200,
            {},
            json.dumps({"id": session_id, "object": "checkout.session", "status": "expired"}),
        )

    rsps.add_callback(
        responses.POST, re.compile(rf"{re.escape(sessions_url())}/[^/]+/expire"), callback=answer
    )


def completed_session(session: dict, **overrides) -> dict:
    return (
        session
        | {
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": "pi_test_123",
            "collected_information": {
                "shipping_details": {
                    "name": "Asha Rao",
                    "address": {
                        "line1": "1 MG Road",
                        "line2": None,
                        "city": "Pune",
                        "state": "MH",
                        "postal_code": "411001",
                        "country": "IN",
                    },
                }
            },
        }
        | overrides
    )


def event_body(event_type: str, session: dict, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "type": event_type,
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": session},
        }
    ).encode()


def signature_header(body: bytes, secret: str | None = None, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    key = (secret or settings.STRIPE_WEBHOOK_SECRET).encode()
    digest = hmac.new(key, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def post_event(client, body: bytes, signature: str | None = None):
    headers = {}
    if signature != "":
        headers["HTTP_STRIPE_SIGNATURE"] = signature or signature_header(body)
    return client.post(
        "/api/payments/webhook/stripe/", body, content_type="application/json", **headers
    )


# ---------------------------------------------------------------- disputes
DISPUTES: dict[str, dict] = {}
FILES: list[str] = []


def dispute_object(payment_intent: str, *, status="needs_response", amount=20000, dispute_id=None):
    dispute = {
        "id": dispute_id or f"du_{secrets.token_hex(12)}",
        "object": "dispute",
        "amount": amount,
        "currency": "inr",
        "charge": "ch_test_123",
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": status,
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False},
        "balance_transactions": [],
        "created": int(time.time()),
    }
    DISPUTES[dispute["id"]] = dispute
    return dispute


def mock_disputes(rsps: responses.RequestsMock) -> None:
    """GET and POST /v1/disputes/{id}, POST …/close and POST /v1/files, answered from
    DISPUTES as Stripe does."""
    disputed = rf"{re.escape(settings.STRIPE_API_BASE)}/v1/disputes/(du_[^/?]+)"

    def dispute_of(request) -> dict:
        return DISPUTES[re.search(r"/disputes/(du_[^/?]+)", request.url).group(1)]

    def fetch(request):
        return 200, {}, json.dumps(dispute_of(request))

    def close(request):
        dispute = dispute_of(request)
        dispute["status"] = "lost"
        return 200, {}, json.dumps(dispute)

    def update(request):
        dispute, form = dispute_of(request), dict(parse_qsl(request.body))
        dispute["evidence"] = {
            key[len("evidence[") : -1]: value
            for key, value in form.items()
            if key.startswith("evidence[")
        }
        if form.get("submit") == "true":
            dispute["status"] = "under_review"
        return 200, {}, json.dumps(dispute)

    def upload(request):
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        if b'name="purpose"' not in body or b"filename=" not in body:
            return 400, {}, json.dumps({"error": {"type": "invalid_request_error"}})
        FILES.append(re.search(rb'filename="([^"]+)"', body).group(1).decode())
        return 200, {}, json.dumps({"id": f"file_{secrets.token_hex(8)}", "object": "file"})

    rsps.add_callback(responses.GET, re.compile(rf"{disputed}$"), callback=fetch)
    rsps.add_callback(responses.POST, re.compile(rf"{disputed}/close$"), callback=close)
    rsps.add_callback(responses.POST, re.compile(rf"{disputed}$"), callback=update)
    rsps.add_callback(responses.POST, f"{settings.STRIPE_FILES_BASE}/v1/files", callback=upload)


# ---------------------------------------------------------------- payouts
# Payouts the fake Stripe made: id → the payout and its balance transactions.
PAYOUTS: dict[str, dict] = {}


def balance_txn(category: str, amount: int, source: dict, *, fee=0, tax=0) -> dict:
    """A balance transaction; `amount` signed as the money moves, fee with its GST."""
    details = [{"amount": fee - tax, "type": "stripe_fee"}, {"amount": tax, "type": "tax"}]
    return {
        "id": f"txn_{secrets.token_hex(12)}", "object": "balance_transaction", "type": category,
        "reporting_category": category, "amount": amount, "fee": fee,
        "fee_details": details if fee else [], "net": amount - fee, "currency": "inr",
        "source": source, "created": int(time.time()), "available_on": int(time.time()),
    }  # fmt: skip


def charge_txn(payment_intent: str, amount: int, *, fee=0, tax=0) -> dict:
    source = {"id": f"ch_{secrets.token_hex(12)}", "object": "charge",
              "payment_intent": payment_intent}  # fmt: skip
    return balance_txn("charge", amount, source, fee=fee, tax=tax)


def pay_out_at_stripe(txns: list[dict], *, arrival: int, status="paid", payout_id=None) -> dict:
    """A payout of `txns` arriving at `arrival` (unix time): their net, with the payout's
    own transaction (which is not a line) last."""
    payout = {
        "id": payout_id or f"po_{secrets.token_hex(12)}", "object": "payout",
        "amount": sum(t["net"] for t in txns), "currency": "inr", "arrival_date": arrival,
        "status": status, "trace_id": {"status": "supported", "value": "HDFC0001234567"},
    }  # fmt: skip
    own = balance_txn("payout", -payout["amount"], {"id": payout["id"], "object": "payout"})
    PAYOUTS[payout["id"]] = {"payout": payout, "transactions": [*txns, own]}
    return payout


def mock_payouts(rsps: responses.RequestsMock) -> list[dict]:
    """GET /v1/payouts (arrival_date[gte|lt]), /v1/payouts/{id} and
    /v1/balance_transactions?payout= (limit, starting_after, expand[]=data.source), from
    PAYOUTS; each list request's query is kept in the list returned."""
    asked: list[dict] = []

    def page(request, items):
        query = dict(parse_qsl(request.url.split("?", 1)[1] if "?" in request.url else ""))
        asked.append(query)
        after = query.get("starting_after")
        if after:
            items = items[[i["id"] for i in items].index(after) + 1 :]
        limit = int(query.get("limit", 10))
        return (
            200,
            {},
            json.dumps({"object": "list", "data": items[:limit], "has_more": len(items) > limit}),
        )

    def payouts(request):
        query = dict(parse_qsl(request.url.split("?", 1)[1]))
        low, high = int(query["arrival_date[gte]"]), int(query["arrival_date[lt]"])
        found = [p["payout"] for p in PAYOUTS.values()
                 if low <= p["payout"]["arrival_date"] < high]  # fmt: skip
        return page(request, found)

    def payout(request):
        found = PAYOUTS.get(request.url.rsplit("/", 1)[-1].split("?")[0])
        if found is None:
            return 404, {}, json.dumps({"error": {"type": "invalid_request_error",
                                                  "code": "resource_missing"}})  # fmt: skip
        return 200, {}, json.dumps(found["payout"])

    def transactions(request):
        query = dict(parse_qsl(request.url.split("?", 1)[1]))
        txns = PAYOUTS[query["payout"]]["transactions"]
        if query.get("expand[0]") != "data.source":
            txns = [t | {"source": t["source"]["id"]} for t in txns]
        return page(request, txns)

    base = settings.STRIPE_API_BASE
    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/v1/payouts\?"), payouts)
    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/v1/payouts/po_\w+"), payout)
    rsps.add_callback(
        responses.GET, re.compile(rf"{re.escape(base)}/v1/balance_transactions"), transactions
    )
    return asked


def _reset() -> None:
    DISPUTES.clear()
    FILES.clear()
    PAYOUTS.clear()


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = event_body("checkout.session.completed", completed_session({"id": order_id}))
    ts = int(time.time())
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={ts},v1={digest}"}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_secret": current,
        "previous_webhook_secret": previous,
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{settings.STRIPE_API_BASE}/v1/refunds"),
    refund_answer=lambda reference: {
        "id": "re_CONTRACT",
        "object": "refund",
        "amount": 100,
        "status": "succeeded",
        "payment_intent": PAYMENT_ID,
        "metadata": {"refund_id": reference},
    },
    reference_sent=lambda request: request.headers["Idempotency-Key"],
    reset=_reset,
    webhook_path="/api/payments/webhook/stripe/",
    secret_setting="STRIPE_WEBHOOK_SECRET",
    previous_secret_settings=lambda secret: {"STRIPE_WEBHOOK_SECRET_PREVIOUS": secret},
    refusal=lambda status: {
        "error": {"type": "invalid_request_error", "message": f"Refused ({status})"}
    },
)
