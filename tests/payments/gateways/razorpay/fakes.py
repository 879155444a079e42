"""Razorpay at its HTTP boundary: `responses` hands the SDK's requests to the Razorpay
simulator, and signatures are made with the documented algorithm (hex HMAC-SHA256)."""

import json
import re
import secrets
from email.parser import BytesParser
from email.policy import default
from urllib.parse import parse_qsl, urlsplit

import responses
from django.conf import settings

from simulators.razorpay import (  # noqa: F401  (recon_line: the settlement tests use it here)
    Razorpay,
    error,
    event_body,
    hex_hmac,
    payment_entity,
    recon_line,
)
from simulators.razorpay import dispute_entity as simulated_dispute
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


# The fake Razorpay is the simulator (simulators/razorpay.py, which the sandbox and the
# benchmark's emulator also run) behind `responses`. It refunds payments it never saw too:
# tests make paid payments in our database only.
RAZORPAY = Razorpay(known_payments_only=False)
ORDERS = RAZORPAY.store.of("order")
PAYMENTS = RAZORPAY.store.of("payment")
REFUNDS = RAZORPAY.store.of("refund")
LINKS = RAZORPAY.store.of("link")
DISPUTES = RAZORPAY.store.of("dispute")
DOCUMENTS = RAZORPAY.store.of("document")
SETTLEMENTS = RAZORPAY.store.of("settlement")


def orders_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/orders"


def payments_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/payments"


def links_url() -> str:
    return f"{settings.RAZORPAY_BASE_URL}/v1/payment_links"


def _form_fields(request) -> dict:
    """A multipart upload's fields, with its file's name, type and size (POST /v1/documents)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    fields: dict = {}
    for part in BytesParser(policy=default).parsebytes(head + request.body).iter_parts():
        content = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields |= {"name": part.get_filename(), "mime_type": part.get_content_type(),
                       "size": len(content)}  # fmt: skip
        else:
            fields[part.get_param("name", header="content-disposition")] = content.decode()
    return fields


def _simulated(request):
    """Any request of the SDK, answered by the simulator; an entity the test replaced with
    an exception raises it (Razorpay unreachable for that id)."""
    url = urlsplit(request.url)
    path = url.path.removeprefix(urlsplit(settings.RAZORPAY_BASE_URL).path)
    if isinstance(unreachable := PAYMENTS.get(path.split("/")[-1]), Exception):
        raise unreachable
    multipart = request.headers.get("Content-Type", "").startswith("multipart/")
    body = _form_fields(request) if multipart else json.loads(request.body or b"{}")
    status, answer = RAZORPAY.handle(request.method, path, dict(parse_qsl(url.query)), body)
    return status, {}, json.dumps(answer)


def _simulate(rsps: responses.RequestsMock, method: str, path: str) -> None:
    """Route `method` requests to paths matching `path` (a regex after the base URL)."""
    pattern = re.compile(rf"{re.escape(settings.RAZORPAY_BASE_URL)}{path}(\?.*)?$")
    rsps.add_callback(method, pattern, callback=_simulated)


def mock_payments_api(rsps: responses.RequestsMock) -> None:
    """GET /v1/payments/{id}, POST …/capture and GET …/refunds, as Razorpay answers them."""
    _simulate(rsps, responses.GET, r"/v1/payments/[^/?]+")
    _simulate(rsps, responses.GET, r"/v1/payments/[^/]+/refunds")
    _simulate(rsps, responses.POST, r"/v1/payments/[^/]+/capture")


def pay_at_razorpay(order_id: str, payment_id: str, *, status="captured", **overrides) -> dict:
    """The shopper pays an order in Razorpay's checkout (once; a repeat changes nothing)."""
    return RAZORPAY.pay(order_id, status=status, payment_id=payment_id, **overrides)


def mock_order_create(rsps: responses.RequestsMock) -> list[dict]:
    """Answer POST /v1/orders like Razorpay (and its payments API); returns the list of
    orders it created."""
    created: list[dict] = []
    mock_payments_api(rsps)

    def answer(request):
        status, order = RAZORPAY.order_create(json.loads(request.body))
        if status == 200:
            created.append(order)
        return status, {}, json.dumps(order)

    rsps.add_callback(responses.POST, orders_url(), callback=answer)
    return created


def mock_order_payments(rsps: responses.RequestsMock, order_id: str, items: list[dict]) -> None:
    """Razorpay answers that the order's payments are `items` (whatever it was told)."""
    rsps.add(
        responses.GET,
        re.compile(rf"{re.escape(orders_url())}/{order_id}/payments.*"),
        json={"entity": "collection", "count": len(items), "items": items},
    )


def checkout_signature(order_id: str, payment_id: str) -> str:
    return hex_hmac(settings.RAZORPAY_KEY_SECRET, f"{order_id}|{payment_id}")


def webhook_body(event: str, entity: dict) -> bytes:
    payload = {"payment": {"entity": entity}}
    if event == "order.paid":
        payload["order"] = {"entity": {"id": entity["order_id"], "status": "paid"}}
    return event_body(event, payload, account_id="acc_test")


def sign_webhook(body: bytes, secret: str | None = None) -> str:
    return hex_hmac(secret or settings.RAZORPAY_WEBHOOK_SECRET, body)


def post_webhook(client, body: bytes, *, event_id: str | None = None, signature: str | None = None):
    headers = {"HTTP_X_RAZORPAY_EVENT_ID": event_id or f"evt_{secrets.token_hex(7)}"}
    if signature != "":
        headers["HTTP_X_RAZORPAY_SIGNATURE"] = signature or sign_webhook(body)
    return client.post(
        "/api/payments/webhook/razorpay/", body, content_type="application/json", **headers
    )


def _refund_endpoint(rsps: responses.RequestsMock, answer) -> None:
    rsps.add_callback(
        responses.POST, re.compile(rf"{re.escape(payments_url())}/[^/]+/refund$"), callback=answer
    )


def mock_refunds(rsps: responses.RequestsMock, *, status: str = "processed") -> list:
    """POST /v1/payments/{id}/refund like Razorpay, each refund made as `status`; returns
    the requests it received."""
    received: list = []

    def answer(request):
        received.append(request)
        RAZORPAY.refund_status = status
        return _simulated(request)

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
            return 400, {}, json.dumps(error("The refund was not allowed")[1])
        RAZORPAY.refund_status = outcome["next"]
        return _simulated(request)

    _refund_endpoint(rsps, answer)
    return outcome


def mock_refund_refused(
    rsps: responses.RequestsMock, provider_payment_id: str, description: str = "Refund not allowed"
) -> str:
    """Razorpay refuses refunds of this payment (400); returns the URL, to remove it later."""
    url = f"{payments_url()}/{provider_payment_id}/refund"
    rsps.add(responses.POST, url, status=400, json=error(description)[1])
    return url


def mock_refund_fetch(rsps: responses.RequestsMock) -> None:
    """GET /v1/refunds/{id}, answered from the refunds Razorpay made."""
    _simulate(rsps, responses.GET, r"/v1/refunds/[^/]+")


def refund_webhook_body(event: str, refund: dict) -> bytes:
    return event_body(event, {"refund": {"entity": refund}, "payment": {"entity": {}}})


# ---------------------------------------------------------------- Payment Links
def mock_payment_links(rsps: responses.RequestsMock) -> list[dict]:
    """POST /v1/payment_links, GET /v1/payment_links/{id}, POST …/{id}/cancel, like
    Razorpay (a second link with one reference_id is refused); returns the bodies of the
    links made."""
    sent: list[dict] = []

    def create(request):
        answer = _simulated(request)
        if answer[0] == 200:
            sent.append(json.loads(request.body))
        return answer

    rsps.add_callback(responses.POST, links_url(), callback=create)
    _simulate(rsps, responses.GET, r"/v1/payment_links/[^/]+")
    _simulate(rsps, responses.POST, r"/v1/payment_links/[^/]+/cancel")
    return sent


def pay_link_at_razorpay(link_id: str, *, amount: int | None = None) -> dict:
    """The customer pays the link: Razorpay captures a payment on the order behind it."""
    return RAZORPAY.pay_link(link_id, amount=amount)


def link_webhook_body(event: str, link_id: str, payment: dict | None = None) -> bytes:
    return event_body(event, RAZORPAY.link_payload(link_id, event, payment))


def link_callback_query(link_id: str, payment_id: str, *, status="paid", secret=None) -> dict:
    """What Razorpay puts on the callback URL when the customer's browser comes back."""
    RAZORPAY.key_secret = secret or settings.RAZORPAY_KEY_SECRET
    return RAZORPAY.link_callback_query(link_id, payment_id, status=status)


# ---------------------------------------------------------------- disputes
def dispute_entity(payment_id: str, **fields) -> dict:
    """A dispute the bank raised (Razorpay keeps it: its API answers it)."""
    dispute = simulated_dispute(payment_id, **fields)
    DISPUTES[dispute["id"]] = dispute
    return dispute


def dispute_webhook_body(event: str, dispute: dict) -> bytes:
    payload = {
        "payment": {"entity": {"id": dispute["payment_id"], "entity": "payment"}},
        "dispute": {"entity": dispute},
    }
    return event_body(event, payload)


def mock_disputes(rsps: responses.RequestsMock) -> None:
    """GET /v1/disputes/{id}, POST …/accept, PATCH …/contest and POST /v1/documents, as
    Razorpay answers them."""
    _simulate(rsps, responses.GET, r"/v1/disputes/disp_[^/]+")
    _simulate(rsps, responses.POST, r"/v1/disputes/disp_[^/]+/accept")
    _simulate(rsps, responses.PATCH, r"/v1/disputes/disp_[^/]+/contest")
    _simulate(rsps, responses.POST, r"/v1/documents")


# ---------------------------------------------------------------- settlements
def settle_at_razorpay(
    lines: list[dict], *, day: str, status="processed", settlement_id=None, amount=None
) -> dict:
    """A settlement of `lines` on `day` (YYYY-MM-DD, India): what reached the bank is their
    credits less their debits unless `amount` says otherwise."""
    return RAZORPAY.settle(
        lines, day=day, status=status, settlement_id=settlement_id, amount=amount
    )


def settlement_webhook_body(entity: dict) -> bytes:
    return event_body("settlement.processed", {"settlement": {"entity": entity}})


def mock_settlements(rsps: responses.RequestsMock) -> list[dict]:
    """GET /v1/settlements/{id} and the recon of a day (count ≤ 1000, skip); each recon
    request's query is kept in the list returned."""
    asked: list[dict] = []

    def recon(request):
        asked.append(dict(parse_qsl(urlsplit(request.url).query)))
        return _simulated(request)

    base = re.escape(f"{settings.RAZORPAY_BASE_URL}/v1/settlements")
    rsps.add_callback(responses.GET, re.compile(rf"{base}/recon/combined"), recon)
    _simulate(rsps, responses.GET, r"/v1/settlements/setl_\w+")
    return asked


def _reset() -> None:
    RAZORPAY.store.clear()
    RAZORPAY.refund_status = "processed"


def _delivery(order_id: str, secret: str) -> tuple[bytes, dict]:
    body = webhook_body("payment.captured", payment_entity(order_id, 100))
    return body, {"X-Razorpay-Signature": hex_hmac(secret, body)}


CONTRACT = GatewayFakes(
    secrets=lambda current, previous: {
        "webhook_secret": current,
        "previous_webhook_secret": previous,
    },
    delivery=_delivery,
    refund_endpoint=lambda: ("POST", f"{payments_url()}/{PAYMENT_ID}/refund"),
    # What the simulated Razorpay answers to a refund of the contract's payment.
    refund_answer=lambda reference: RAZORPAY.refund(
        PAYMENT_ID, {"amount": 100, "notes": {"refund_id": reference}}
    )[1],
    reference_sent=lambda request: request.headers["X-Refund-Idempotency"],
    webhook_path="/api/payments/webhook/razorpay/",
    secret_setting="RAZORPAY_WEBHOOK_SECRET",
    previous_secret_settings=lambda secret: {"RAZORPAY_WEBHOOK_SECRET_PREVIOUS": secret},
    refusal=lambda status: {
        "error": {"code": "BAD_REQUEST_ERROR", "description": f"Refused ({status})"}
    },
    reset=_reset,
)
