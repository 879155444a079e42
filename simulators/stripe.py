"""Stripe, simulated: the Checkout Sessions, Refunds, Disputes, Files, Payouts and Balance
Transactions APIs the adapter calls (form-encoded requests, Stripe's JSON objects and
error shapes), answered from a Store, and what happens on Stripe's side (the shopper pays
in Checkout, a bank disputes, a payout is made) with Stripe-Signature-signed events.
Every API method answers (HTTP status, JSON body); `handle` routes a request to it."""

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable

from .common import fee_of, new_id
from .store import MemoryStore, Store

Answer = tuple[int, dict]
API_VERSION = "2026-10-28.endive"
PAGE_MAX = 100
SHIPPING = {
    "name": "Asha Rao",
    "address": {"line1": "1 MG Road", "line2": None, "city": "Pune", "state": "MH",
                "postal_code": "411001", "country": "IN"},
}  # fmt: skip


def error(message: str, status: int = 400, code: str | None = None) -> Answer:
    return status, {"error": {"type": "invalid_request_error", "message": message, "code": code}}


def missing(what: str, object_id: str) -> Answer:
    return error(f"No such {what}: '{object_id}'", 404, "resource_missing")


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def event_body(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or new_id("evt_", 24), "object": "event", "type": event_type,
            "api_version": API_VERSION, "created": int(time.time()), "livemode": False,
            "pending_webhooks": 1, "data": {"object": obj},
        }
    ).encode()  # fmt: skip


def completed(session: dict, **overrides) -> dict:
    """The session once the shopper paid in Checkout (with the address Stripe collected)."""
    return session | {
        "status": "complete", "payment_status": "paid",
        "payment_intent": session.get("payment_intent") or new_id("pi_", 24),
        "collected_information": {"shipping_details": SHIPPING},
    } | overrides  # fmt: skip


def dispute_object(payment_intent: str, *, status="needs_response", amount=20000, **more) -> dict:
    return {
        "id": new_id("du_", 24), "object": "dispute", "amount": amount, "currency": "inr",
        "charge": new_id("ch_", 24), "payment_intent": payment_intent, "reason": "fraudulent",
        "status": status,
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False},
        "balance_transactions": [], "created": int(time.time()),
    } | more  # fmt: skip


def balance_txn(category: str, amount: int, source: dict, *, fee=0, tax=0) -> dict:
    """A balance transaction; `amount` signed as the money moves, fee with its GST."""
    details = [{"amount": fee - tax, "type": "stripe_fee", "description": "Stripe processing"},
               {"amount": tax, "type": "tax", "description": "GST"}] if fee else []  # fmt: skip
    return {
        "id": new_id("txn_", 24), "object": "balance_transaction", "type": category,
        "reporting_category": category, "amount": amount, "fee": fee, "fee_details": details,
        "net": amount - fee, "currency": "inr", "source": source, "created": int(time.time()),
        "available_on": int(time.time()), "status": "available",
    }  # fmt: skip


def charge_txn(payment_intent: str, amount: int, *, fee=0, tax=0) -> dict:
    source = {"id": new_id("ch_", 24), "object": "charge", "payment_intent": payment_intent}
    return balance_txn("charge", amount, source, fee=fee, tax=tax)


def _nested(form: dict, prefix: str) -> dict:
    """`metadata[order_id]=7` → {"order_id": "7"} (Stripe's form encoding)."""
    pattern = re.compile(rf"^{re.escape(prefix)}\[([^\]]+)\]$")
    return {m.group(1): form[key] for key in form if (m := pattern.match(key))}


def _line_items_total(form: dict) -> tuple[int, str] | None:
    total, currency, index = 0, None, 0
    while f"line_items[{index}][price_data][unit_amount]" in form:
        prefix = f"line_items[{index}]"
        try:
            unit = int(form[f"{prefix}[price_data][unit_amount]"])
            quantity = int(form.get(f"{prefix}[quantity]", "1"))
        except ValueError:
            return None
        total += unit * quantity
        currency = form.get(f"{prefix}[price_data][currency]")
        index += 1
    return (total, currency) if index and currency else None


class Stripe:
    """One Stripe account (test mode)."""

    def __init__(self, store: Store | None = None) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.routes: list[tuple[str, re.Pattern, Callable[..., Answer]]] = [
            ("POST", re.compile(r"/v1/checkout/sessions"), self.session_create),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<session_id>[^/]+)"), self.session),
            (
                "POST",
                re.compile(r"/v1/checkout/sessions/(?P<session_id>[^/]+)/expire"),
                self.session_expire,
            ),
            ("POST", re.compile(r"/v1/refunds"), self.refund),
            ("GET", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)"), self.dispute),
            ("POST", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)"), self.dispute_update),
            ("POST", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)/close"), self.dispute_close),
            ("POST", re.compile(r"/v1/files"), self.file),
            ("GET", re.compile(r"/v1/payouts"), self.payouts),
            ("GET", re.compile(r"/v1/payouts/(?P<payout_id>po_\w+)"), self.payout),
            ("GET", re.compile(r"/v1/balance_transactions"), self.balance_transactions),
        ]

    def route(self, method: str, path: str) -> int:
        """200 (the API has the route), 405 (the path, for another method) or 404."""
        found = [verb for verb, pattern, _ in self.routes if pattern.fullmatch(path)]
        return 200 if method in found else 405 if found else 404

    def handle(self, method: str, path: str, params: dict[str, str]) -> Answer:
        """Answer one request: `params` is its form (POST) or its query (GET)."""
        for verb, pattern, answer in self.routes:
            if verb == method and (match := pattern.fullmatch(path)):
                return answer(params, **match.groupdict())
        if self.route(method, path) == 405:
            return error("Method not allowed", 405)
        return error(f"Unrecognized request URL ({method}: {path}).", 404)

    def _save(self, kind: str, entity: dict) -> dict:
        self.store.put(kind, entity["id"], entity)
        return entity

    # ------------------------------------------------------------------ Checkout
    def session_create(self, form: dict) -> Answer:
        totals = _line_items_total(form)
        if totals is None:
            return error("line_items with price_data are required.", code="parameter_missing")
        if form.get("ui_mode") != "embedded_page" or not form.get("return_url"):
            return error("This simulator supports ui_mode=embedded_page with a return_url.")
        session_id = new_id("cs_test_", 48)
        session = {
            "id": session_id, "object": "checkout.session", "amount_subtotal": totals[0],
            "amount_total": totals[0], "currency": totals[1].lower(), "status": "open",
            "created": int(time.time()), "livemode": False, "ui_mode": "embedded_page",
            "mode": form.get("mode", "payment"), "payment_status": "unpaid",
            "client_secret": f"{session_id}_secret_{secrets.token_hex(12)}",
            "client_reference_id": form.get("client_reference_id"),
            "metadata": _nested(form, "metadata"), "return_url": form["return_url"],
            "payment_intent": None, "collected_information": None, "url": None,
        }  # fmt: skip
        return 200, self._save("session", session)

    def session(self, query: dict, session_id: str) -> Answer:
        found = self.store.get("session", session_id)
        return (200, found) if found else missing("checkout.session", session_id)

    def session_expire(self, form: dict, session_id: str) -> Answer:
        session = self.store.get("session", session_id)
        if session is None:
            return missing("checkout.session", session_id)
        if session["status"] != "open":
            return error('Only Checkout Sessions with a status in ["open"] can be expired.')
        session["status"] = "expired"
        return 200, self._save("session", session)

    def paid_session(self, payment_intent: str | None) -> dict | None:
        return next(
            (s for s in self.store.values("session")
             if s["status"] == "complete" and s["payment_intent"] == payment_intent),
            None,
        )  # fmt: skip

    def refund(self, form: dict) -> Answer:
        intent = form.get("payment_intent")
        session = self.paid_session(intent)
        if session is None:
            return missing("payment_intent", str(intent))
        refund = {
            "id": new_id("re_", 24), "object": "refund",
            "amount": int(form.get("amount", session["amount_total"])),
            "currency": session["currency"], "payment_intent": intent, "status": "succeeded",
            "metadata": _nested(form, "metadata"), "created": int(time.time()),
        }  # fmt: skip
        return 200, self._save("refund", refund)

    # ------------------------------------------------------------------ disputes
    def dispute(self, query: dict, dispute_id: str) -> Answer:
        found = self.store.get("dispute", dispute_id)
        return (200, found) if found else missing("dispute", dispute_id)

    def dispute_update(self, form: dict, dispute_id: str) -> Answer:
        """The shop's evidence, submitted (submit=true) or kept as a draft."""
        dispute = self.store.get("dispute", dispute_id)
        if dispute is None:
            return missing("dispute", dispute_id)
        if dispute["status"] != "needs_response":
            return error("This dispute can no longer be answered.")
        dispute["evidence"] = _nested(form, "evidence")
        if form.get("submit") == "true":
            dispute["status"] = "under_review"
        return 200, self._save("dispute", dispute)

    def dispute_close(self, form: dict, dispute_id: str) -> Answer:
        dispute = self.store.get("dispute", dispute_id)
        if dispute is None or dispute["status"] != "needs_response":
            return error("Only a dispute awaiting a response can be closed.")
        dispute["status"] = "lost"
        return 200, self._save("dispute", dispute)

    def file(self, form: dict) -> Answer:
        """POST /v1/files (multipart): `form` holds its fields and the file's name and size."""
        if form.get("purpose") != "dispute_evidence" or not form.get("filename"):
            return error("file and purpose=dispute_evidence are required.")
        upload = {
            "id": new_id("file_", 24), "object": "file", "purpose": "dispute_evidence",
            "filename": form["filename"], "size": form.get("size"), "created": int(time.time()),
        }  # fmt: skip
        return 200, self._save("file", upload)

    # ------------------------------------------------------------------ payouts
    def _page(self, query: dict, items: list[dict], url: str) -> Answer:
        """A Stripe list: `limit` items after `starting_after`, and whether more follow."""
        limit = int(query["limit"]) if query.get("limit", "10").isdigit() else 0
        limit = 10 if "limit" not in query else limit
        if not 1 <= limit <= PAGE_MAX:
            return error(f"limit must be between 1 and {PAGE_MAX}")
        if after := query.get("starting_after"):
            ids = [item["id"] for item in items]
            if after not in ids:
                return missing("object", after)
            items = items[ids.index(after) + 1 :]
        page = {"object": "list", "url": url, "data": items[:limit], "has_more": len(items) > limit}
        return 200, page

    def payouts(self, query: dict) -> Answer:
        def bound(name: str) -> int | None:
            value = query.get(f"arrival_date[{name}]")
            return int(value) if value and value.isdigit() else None

        low, high = bound("gte"), bound("lt")
        items = [
            payout
            for payout in self.store.values("payout")
            if (low is None or payout["arrival_date"] >= low)
            and (high is None or payout["arrival_date"] < high)
        ]
        return self._page(query, items, "/v1/payouts")

    def payout(self, query: dict, payout_id: str) -> Answer:
        found = self.store.get("payout", payout_id)
        return (200, found) if found else missing("payout", payout_id)

    def balance_transactions(self, query: dict) -> Answer:
        held = self.store.get("payout_txns", query.get("payout", ""))
        if held is None:
            return error("A payout is required: this simulator lists a payout's transactions")
        expanded = "data.source" in [v for k, v in query.items() if k.startswith("expand")]
        items = [t if expanded else t | {"source": t["source"]["id"]} for t in held["txns"]]
        return self._page(query, items, "/v1/balance_transactions")

    # ------------------------------------------------------------------ Stripe's side
    def pay(self, session_id: str, *, succeeded: bool = True, **completion) -> dict:
        """The shopper pays in Checkout (or lets the session lapse): the session after."""
        session = self.store.get("session", session_id)
        assert session is not None, f"no checkout session {session_id}"
        lapsed = session | {"status": "expired"}
        session = completed(session, **completion) if succeeded else lapsed
        return self._save("session", session)

    def dispute_open(self, payment_intent: str, **fields) -> dict:
        """The shopper's bank disputes a paid payment intent (all of it unless `amount`)."""
        session = self.paid_session(payment_intent)
        fields.setdefault("amount", session["amount_total"] if session else 20000)
        return self._save("dispute", dispute_object(payment_intent, **fields))

    def dispute_move(self, dispute_id: str, status: str) -> dict:
        dispute = self.store.get("dispute", dispute_id)
        assert dispute is not None, f"no dispute {dispute_id}"
        return self._save("dispute", dispute | {"status": status})

    def transactions_due(self) -> list[dict]:
        """What the next payout pays: every paid session, refund and lost dispute not paid
        out yet, each charge with its fee (GST included)."""
        due = []
        for session in self.store.values("session"):
            if session["status"] == "complete" and not session.get("paid_out_by"):
                fee, tax = fee_of(session["amount_total"])
                due.append(charge_txn(session["payment_intent"], session["amount_total"],
                                      fee=fee, tax=tax) | {"_of": ("session", session["id"])})  # fmt: skip
        for kind, status in (("refund", "succeeded"), ("dispute", "lost")):
            for entity in self.store.values(kind):
                if entity["status"] == status and not entity.get("paid_out_by"):
                    source = {"id": entity["id"], "object": kind}
                    due.append(balance_txn(kind, -entity["amount"], source) | {"_of": (kind, entity["id"])})  # fmt: skip
        return due

    def pay_out(
        self, txns: list[dict] | None = None, *, arrival: int | None = None, status="paid",
        payout_id: str | None = None,
    ) -> dict:  # fmt: skip
        """A payout of `txns` (what is due when none are given) arriving at `arrival` (unix
        time, now when none): their net, with the payout's own transaction (not a line)
        last."""
        txns = self.transactions_due() if txns is None else txns
        arrival = int(time.time()) if arrival is None else arrival
        payout = {
            "id": payout_id or new_id("po_", 24), "object": "payout",
            "amount": sum(t["net"] for t in txns), "currency": "inr", "arrival_date": arrival,
            "created": arrival, "status": status, "automatic": True,
            "trace_id": {"status": "supported", "value": f"HDFC{secrets.randbelow(10**12):012d}"},
        }  # fmt: skip
        for txn in txns:
            if of := txn.pop("_of", None):
                settled = self.store.get(*of)
                self._save(of[0], (settled or {}) | {"paid_out_by": payout["id"]})
        own = balance_txn("payout", -payout["amount"], {"id": payout["id"], "object": "payout"})
        self.store.put("payout_txns", payout["id"], {"txns": [*txns, own]})
        return self._save("payout", payout)
