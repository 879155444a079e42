"""Stripe at its HTTP boundary: `responses` hands the SDK's form-encoded requests to the
Stripe simulator, and Stripe-Signature headers are made with the documented scheme
(t=..., v1=HMAC-SHA256)."""

import json
import re
from email.parser import BytesParser
from email.policy import default
from urllib.parse import parse_qsl, urlsplit

import responses
from django.conf import settings

from simulators import stripe as simulated
from simulators.stripe import Stripe, charge_txn, event_body  # noqa: F401  (tests use them here)
from tests.payments.gateways.contract import PAYMENT_ID, GatewayFakes

# The fake Stripe is the simulator (simulators/stripe.py, which the sandbox also runs).
STRIPE = Stripe()
DISPUTES = STRIPE.store.of("dispute")
FILES = STRIPE.store.of("file")
PAYOUTS = STRIPE.store.of("payout")


def sessions_url() -> str:
    return f"{settings.STRIPE_API_BASE}/v1/checkout/sessions"


def _params(request) -> dict:
    """A request's form (or a multipart upload's fields and file name) or its query."""
    url = urlsplit(request.url)
    if request.method == "GET":
        return dict(parse_qsl(url.query))
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    if not request.headers.get("Content-Type", "").startswith("multipart/"):
        return dict(parse_qsl(body.decode()))
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    fields: dict = {}
    for part in BytesParser(policy=default).parsebytes(head + body).iter_parts():
        content = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields |= {"filename": part.get_filename(), "size": len(content)}
        else:
            fields[part.get_param("name", header="content-disposition")] = content.decode()
    return fields


def _simulated(request):
    base = next(
        b
        for b in (settings.STRIPE_API_BASE, settings.STRIPE_FILES_BASE)
        if request.url.startswith(b)
    )
    path = urlsplit(request.url).path.removeprefix(urlsplit(base).path)
    status, answer = STRIPE.handle(request.method, path, _params(request))
    return status, {}, json.dumps(answer)


def _simulate(rsps: responses.RequestsMock, method: str, base: str, path: str) -> None:
    pattern = re.compile(rf"{re.escape(base)}{path}(\?.*)?$")
    rsps.add_callback(method, pattern, callback=_simulated)


def mock_session_create(rsps: responses.RequestsMock) -> list[dict]:
    """POST /v1/checkout/sessions like Stripe; returns the sessions it made."""
    created: list[dict] = []

    def answer(request):
        status, session = STRIPE.handle("POST", "/v1/checkout/sessions", _params(request))
        if status == 200:
            created.append(session)
        return status, {}, json.dumps(session)

    rsps.add_callback(responses.POST, sessions_url(), callback=answer)
    return created


def mock_session_expire(rsps: responses.RequestsMock) -> None:
    _simulate(rsps, responses.POST, settings.STRIPE_API_BASE, r"/v1/checkout/sessions/[^/]+/expire")


def completed_session(session: dict, **overrides) -> dict:
    return simulated.completed(session, **({"payment_intent": "pi_test_123"} | overrides))


def signature_header(body: bytes, secret: str | None = None, timestamp: int | None = None) -> str:
    return simulated.signature_header(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)


def post_event(client, body: bytes, signature: str | None = None):
    headers = {}
    if signature != "":
        headers["HTTP_STRIPE_SIGNATURE"] = signature or signature_header(body)
    return client.post(
        "/api/payments/webhook/stripe/", body, content_type="application/json", **headers
    )


# ---------------------------------------------------------------- disputes
def dispute_object(payment_intent: str, *, dispute_id=None, **fields) -> dict:
    """A dispute the bank raised (Stripe keeps it: its API answers it)."""
    dispute = simulated.dispute_object(payment_intent, **fields)
    dispute["id"] = dispute_id or dispute["id"]
    DISPUTES[dispute["id"]] = dispute
    return dispute


def mock_disputes(rsps: responses.RequestsMock) -> None:
    """GET and POST /v1/disputes/{id}, POST …/close and POST /v1/files, as Stripe answers."""
    base = settings.STRIPE_API_BASE
    _simulate(rsps, responses.GET, base, r"/v1/disputes/du_[^/?]+")
    _simulate(rsps, responses.POST, base, r"/v1/disputes/du_[^/?]+/close")
    _simulate(rsps, responses.POST, base, r"/v1/disputes/du_[^/?]+")
    _simulate(rsps, responses.POST, settings.STRIPE_FILES_BASE, r"/v1/files")


# ---------------------------------------------------------------- payouts
def pay_out_at_stripe(txns: list[dict], *, arrival: int, status="paid", payout_id=None) -> dict:
    """A payout of `txns` arriving at `arrival` (unix time): their net, with the payout's
    own transaction (which is not a line) last."""
    return STRIPE.pay_out(txns, arrival=arrival, status=status, payout_id=payout_id)


def mock_payouts(rsps: responses.RequestsMock) -> list[dict]:
    """GET /v1/payouts (arrival_date[gte|lt]), /v1/payouts/{id} and
    /v1/balance_transactions?payout= (limit, starting_after, expand[]=data.source); each
    list request's query is kept in the list returned."""
    asked: list[dict] = []

    def listed(request):
        asked.append(_params(request))
        return _simulated(request)

    base = re.escape(settings.STRIPE_API_BASE)
    rsps.add_callback(responses.GET, re.compile(rf"{base}/v1/payouts\?"), listed)
    _simulate(rsps, responses.GET, settings.STRIPE_API_BASE, r"/v1/payouts/po_\w+")
    rsps.add_callback(responses.GET, re.compile(rf"{base}/v1/balance_transactions"), listed)
    return asked


def _reset() -> None:
    STRIPE.store.clear()


def _refund_answer(reference: str) -> dict:
    """What the simulated Stripe answers to a refund of the contract's payment (paid in a
    Checkout Session first)."""
    form = {"ui_mode": "embedded_page", "return_url": "https://shop.test/back",
            "line_items[0][price_data][unit_amount]": "100",
            "line_items[0][price_data][currency]": "inr"}  # fmt: skip
    session = STRIPE.session_create(form)[1]
    STRIPE.pay(session["id"], payment_intent=PAYMENT_ID)
    return STRIPE.refund({"payment_intent": PAYMENT_ID, "metadata[refund_id]": reference})[1]


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = event_body("checkout.session.completed", completed_session({"id": order_id}))
    return body, {"Stripe-Signature": simulated.signature_header(body, secret)}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_secret": current,
        "previous_webhook_secret": previous,
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{settings.STRIPE_API_BASE}/v1/refunds"),
    refund_answer=_refund_answer,
    reference_sent=lambda request: request.headers["Idempotency-Key"],
    reset=_reset,
    webhook_path="/api/payments/webhook/stripe/",
    secret_setting="STRIPE_WEBHOOK_SECRET",
    previous_secret_settings=lambda secret: {"STRIPE_WEBHOOK_SECRET_PREVIOUS": secret},
    refusal=lambda status: {
        "error": {"type": "invalid_request_error", "message": f"Refused ({status})"}
    },
)
