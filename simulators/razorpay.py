"""Razorpay, simulated: the Orders, Payments, Refunds, Payment Links, Disputes, Documents
and Settlements APIs the adapter calls, answered from a Store in the shapes Razorpay
documents, and what happens on Razorpay's side (a shopper pays, a bank disputes, a
settlement is made) with the signed webhook bodies it sends. Every method of the API
answers (HTTP status, JSON body); `handle` routes a request to it by method and path."""

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from .common import fee_of, new_id
from .store import MemoryStore, Store

Answer = tuple[int, dict]
INDIA = ZoneInfo("Asia/Kolkata")  # Razorpay's settlement days
RECON_PAGE_MAX = 1000


def hex_hmac(secret: str, message: bytes | str) -> str:
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def error(description: str, status: int = 400, code: str = "BAD_REQUEST_ERROR") -> Answer:
    return status, {"error": {"code": code, "description": description}}


def payment_entity(
    order_id: str, amount: int, *, status="captured", currency="INR", payment_id=None, **more
) -> dict:
    """A payment as Razorpay answers it (failed ones with Razorpay's error fields)."""
    failed = status == "failed"
    return {
        "id": payment_id or new_id("pay_"),
        "entity": "payment",
        "amount": amount,
        "currency": currency,
        "status": status,
        "order_id": order_id,
        "method": "upi",
        "captured": status == "captured",
        "email": "shopper@example.com",
        "contact": "+919999999999",
        "notes": [],
        "error_code": "BAD_REQUEST_ERROR" if failed else None,
        "error_description": "Payment declined" if failed else None,
        "created_at": int(time.time()),
    } | more


def dispute_entity(
    payment_id: str, *, status="open", amount=20000, dispute_id=None, currency="INR", **more
) -> dict:
    return {
        "id": dispute_id or new_id("disp_"),
        "entity": "dispute",
        "payment_id": payment_id,
        "amount": amount,
        "amount_deducted": amount if status == "lost" else 0,
        "currency": currency,
        "reason_code": "chargeback_fraud",
        "respond_by": int(time.time()) + 5 * 86400,
        "status": status,
        "phase": "chargeback",
        "created_at": int(time.time()),
    } | more


def recon_line(entity_id: str, kind: str, amount: int, **more) -> dict:
    """One recon item: a payment is credited net of its fee (GST included), a refund or a
    dispute debited whole."""
    fee = more.pop("fee", 0)
    return {
        "entity_id": entity_id, "type": kind, "amount": amount, "currency": "INR",
        "credit": amount - fee if kind == "payment" else 0,
        "debit": amount if kind in ("refund", "dispute") else 0,
        "fee": fee, "tax": more.pop("tax", 0), "on_hold": False, "settled": True,
        "payment_id": None, "order_id": None, "dispute_id": None, "method": None,
    } | more  # fmt: skip


def event_body(event: str, payload: dict, *, account_id: str = "acc_simulated") -> bytes:
    """A webhook event as Razorpay posts it (sign it with `hex_hmac(webhook_secret, body)`
    in X-Razorpay-Signature)."""
    envelope = {
        "entity": "event", "account_id": account_id, "event": event,
        "contains": list(payload), "payload": payload, "created_at": int(time.time()),
    }  # fmt: skip
    return json.dumps(envelope).encode()


def _public(entity: dict) -> dict:
    """What Razorpay shows of an entity: not the simulator's own bookkeeping (_keys)."""
    return {key: value for key, value in entity.items() if not key.startswith("_")}


class Razorpay:
    """One Razorpay account. `known_payments_only` off (the fakes): a refund of a payment
    this Razorpay never saw is made anyway, for tests that make paid payments in our
    database only."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        key_secret: str = "",
        known_payments_only: bool = True,
        link_url: Callable[[str], str] = lambda link_id: f"https://rzp.io/i/{link_id[6:12]}",
    ) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.key_secret = key_secret
        self.known_payments_only = known_payments_only
        self.link_url = link_url
        self.refund_status = "processed"  # what the next refund is made as
        self.routes: list[tuple[str, re.Pattern, Callable[..., Answer]]] = [
            ("POST", re.compile(r"/v1/orders"), self.order_create),
            ("GET", re.compile(r"/v1/orders/(?P<order_id>[^/]+)"), self.order_fetch),
            ("GET", re.compile(r"/v1/orders/(?P<order_id>[^/]+)/payments"), self.order_payments),
            ("GET", re.compile(r"/v1/payments/(?P<payment_id>[^/]+)"), self.payment_fetch),
            ("POST", re.compile(r"/v1/payments/(?P<payment_id>[^/]+)/capture"), self.capture),
            ("POST", re.compile(r"/v1/payments/(?P<payment_id>[^/]+)/refund"), self.refund),
            ("GET", re.compile(r"/v1/payments/(?P<payment_id>[^/]+)/refunds"), self.refunds_of),
            ("GET", re.compile(r"/v1/refunds/(?P<refund_id>[^/]+)"), self.refund_fetch),
            ("POST", re.compile(r"/v1/payment_links"), self.link_create),
            ("GET", re.compile(r"/v1/payment_links/(?P<link_id>[^/]+)"), self.link_fetch),
            ("POST", re.compile(r"/v1/payment_links/(?P<link_id>[^/]+)/cancel"), self.link_cancel),
            ("GET", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)"), self.dispute_fetch),
            ("POST", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)/accept"), self.dispute_accept),
            ("PATCH", re.compile(r"/v1/disputes/(?P<dispute_id>[^/]+)/contest"), self.contest),
            ("POST", re.compile(r"/v1/documents"), self.document),
            ("GET", re.compile(r"/v1/settlements/recon/combined"), self.recon),
            ("GET", re.compile(r"/v1/settlements/(?P<settlement_id>setl_\w+)"), self.settlement),
        ]

    # ------------------------------------------------------------------ the wire
    def route(self, method: str, path: str) -> int:
        """What the API says of a request before reading it: 200 (it has the route), 405
        (the path, for another method) or 404."""
        found = [verb for verb, pattern, _ in self.routes if pattern.fullmatch(path)]
        return 200 if method in found else 405 if found else 404

    def handle(self, method: str, path: str, query: dict[str, str], body: dict) -> Answer:
        """Answer one API request (its path without the base URL's own path)."""
        for verb, pattern, answer in self.routes:
            if verb == method and (match := pattern.fullmatch(path)):
                if answer == self.recon:
                    return answer(query)
                arguments = match.groupdict()
                return answer(**arguments) if verb == "GET" else answer(**arguments, body=body)
        if self.route(method, path) == 405:
            return error("Method not allowed", 405)
        return error("The requested URL was not found on the server.", 404)

    def _get(self, kind: str, key: str) -> dict | None:
        return self.store.get(kind, key)

    def _save(self, kind: str, entity: dict) -> dict:
        self.store.put(kind, entity["id"], entity)
        return entity

    def order_create(self, body: dict) -> Answer:
        amount = body.get("amount")
        if not isinstance(amount, int) or amount < 100:
            return error("The amount must be at least INR 1.00.")
        if body.get("currency") != "INR":
            return error("The currency field is invalid.")
        order = {
            "id": new_id("order_"), "entity": "order", "amount": amount, "amount_paid": 0,
            "amount_due": amount, "currency": "INR", "receipt": body.get("receipt"),
            "offer_id": None, "status": "created", "attempts": 0,
            "notes": body.get("notes") or [], "created_at": int(time.time()),
        }  # fmt: skip
        return 200, _public(self._save("order", order))

    def order_fetch(self, order_id: str) -> Answer:
        order = self._get("order", order_id)
        return (200, _public(order)) if order else error("The id provided does not exist")

    def order_payments(self, order_id: str) -> Answer:
        order = self._get("order", order_id)
        if order is None:
            return error("The id provided does not exist")
        made = [self._get("payment", payment_id) for payment_id in order.get("_payments", [])]
        items = [_public(payment) for payment in made if payment is not None]
        return 200, {"entity": "collection", "count": len(items), "items": items}

    def payment_fetch(self, payment_id: str) -> Answer:
        payment = self._get("payment", payment_id)
        return (200, _public(payment)) if payment else error("The id provided does not exist")

    def capture(self, payment_id: str, body: dict) -> Answer:
        payment = self._get("payment", payment_id)
        if payment is None or payment["status"] != "authorized":
            return error("This payment is not authorized and cannot be captured")
        if body.get("amount") != payment["amount"] or body.get("currency") != payment["currency"]:
            return error("Capture amount must be equal to the amount authorized")
        payment.update(status="captured", captured=True)
        self._save("payment", payment)
        self._order_paid(payment["order_id"], payment["amount"])
        return 200, _public(payment)

    def refund(self, payment_id: str, body: dict) -> Answer:
        payment = self._get("payment", payment_id)
        if payment is None and self.known_payments_only:
            return error("The payment has not been captured or does not exist")
        if payment is not None and payment["status"] != "captured":
            return error("The payment has not been captured or does not exist")
        amount = body.get("amount", payment["amount"] if payment else None)
        if not isinstance(amount, int) or amount <= 0:
            return error("The refund amount is invalid.")
        if payment is not None and amount > payment["amount"] - self._refunded(payment_id):
            return error("The refund amount provided is greater than amount captured")
        refund = {
            "id": new_id("rfnd_"), "entity": "refund", "amount": amount, "currency": "INR",
            "payment_id": payment_id, "notes": body.get("notes") or {},
            "receipt": body.get("receipt"), "status": self.refund_status,
            "speed_requested": body.get("speed", "normal"), "created_at": int(time.time()),
        }  # fmt: skip
        return 200, _public(self._save("refund", refund))

    def _refunded(self, payment_id: str) -> int:
        return sum(
            refund["amount"]
            for refund in self.store.values("refund")
            if refund["payment_id"] == payment_id and refund["status"] != "failed"
        )

    def refunds_of(self, payment_id: str) -> Answer:
        items = [_public(r) for r in self.store.values("refund") if r["payment_id"] == payment_id]
        return 200, {"entity": "collection", "count": len(items), "items": items}

    def refund_fetch(self, refund_id: str) -> Answer:
        refund = self._get("refund", refund_id)
        return (200, _public(refund)) if refund else error("The id does not exist")

    def link_create(self, body: dict) -> Answer:
        amount, reference = body.get("amount"), body.get("reference_id")
        if not isinstance(amount, int) or amount < 100:
            return error("The amount must be at least INR 1.00.")
        if not isinstance(body.get("expire_by"), int) or body["expire_by"] < time.time() + 15 * 60:
            return error("expire_by must be at least 15 minutes in the future")
        if not reference or any(
            link["reference_id"] == reference for link in self.store.values("link")
        ):
            return error("Payment Link with this reference_id already exists")
        link_id = new_id("plink_")
        # Razorpay makes an order behind each link; the link's payment is made on it.
        _, order = self.order_create({"amount": amount, "currency": "INR",
                                           "receipt": reference, "notes": body.get("notes")})  # fmt: skip
        link = {
            "id": link_id, "entity": "payment_link", "short_url": self.link_url(link_id),
            "status": "created", "amount": amount, "amount_paid": 0,
            "currency": body.get("currency") or "INR", "accept_partial": False,
            "reference_id": reference, "description": body.get("description") or "",
            "customer": body.get("customer") or {}, "notify": body.get("notify") or {},
            "expire_by": body["expire_by"], "notes": body.get("notes") or {},
            "callback_url": body.get("callback_url") or "", "callback_method": "get",
            "payments": None, "created_at": int(time.time()), "_order_id": order["id"],
        }  # fmt: skip
        return 200, _public(self._save("link", link))

    def _link(self, link_id: str) -> dict | None:
        """The link, expired once its time is up (as Razorpay shows it)."""
        link = self._get("link", link_id)
        if link is not None and link["status"] == "created" and link["expire_by"] < time.time():
            link["status"] = "expired"
            self._save("link", link)
        return link

    def link_fetch(self, link_id: str) -> Answer:
        link = self._link(link_id)
        return (200, _public(link)) if link else error("The id provided does not exist")

    def link_cancel(self, link_id: str, body: dict) -> Answer:
        link = self._link(link_id)
        if link is None or link["status"] != "created":
            return error("Payment link can not be cancelled")
        link["status"] = "cancelled"
        return 200, _public(self._save("link", link))

    def dispute_fetch(self, dispute_id: str) -> Answer:
        dispute = self._get("dispute", dispute_id)
        return (200, _public(dispute)) if dispute else error("The id provided does not exist")

    def dispute_accept(self, dispute_id: str, body: dict) -> Answer:
        dispute = self._get("dispute", dispute_id)
        if dispute is None or dispute["status"] != "open":
            return error("Only an open dispute can be accepted")
        dispute.update(status="lost", amount_deducted=dispute["amount"])
        return 200, _public(self._save("dispute", dispute))

    def contest(self, dispute_id: str, body: dict) -> Answer:
        dispute = self._get("dispute", dispute_id)
        if dispute is None or dispute["status"] != "open":
            return error("Only an open dispute can be contested")
        dispute["evidence"] = body | {"submitted_at": int(time.time())}
        if body.get("action") == "submit":
            dispute["status"] = "under_review"
        return 200, _public(self._save("dispute", dispute))

    def document(self, body: dict) -> Answer:
        """POST /v1/documents (multipart): `body` holds its form fields and the file's name,
        content type and size."""
        if body.get("purpose") != "dispute_evidence" or not body.get("name"):
            return error("file and purpose=dispute_evidence are required")
        document = {
            "id": new_id("doc_"), "entity": "document", "purpose": "dispute_evidence",
            "name": body["name"], "mime_type": body.get("mime_type"), "size": body.get("size"),
            "created_at": int(time.time()),
        }  # fmt: skip
        return 200, self._save("document", document)

    def settlement(self, settlement_id: str) -> Answer:
        found = self._get("settlement", settlement_id)
        return (200, found) if found else error("The id provided does not exist")

    def recon(self, query: dict[str, str]) -> Answer:
        """A page (count ≤ 1000, skip) of one day's recon lines."""
        try:
            day = f"{int(query['year']):04d}-{int(query['month']):02d}-{int(query['day']):02d}"
            count, skip = int(query.get("count", 100)), int(query.get("skip", 0))
        except (KeyError, ValueError):
            return error("year, month and day are required; count and skip are numbers")
        if not 1 <= count <= RECON_PAGE_MAX:
            return error(f"count must be between 1 and {RECON_PAGE_MAX}")
        lines = [
            line
            for recon in self.store.values("recon")
            if recon["day"] == day
            for line in recon["lines"]
        ][skip : skip + count]
        return 200, {"entity": "collection", "count": len(lines), "items": lines}

    # ------------------------------------------------------------------ Razorpay's side
    def _order_paid(self, order_id: str, amount: int) -> None:
        order = self._get("order", order_id)
        if order is not None:
            order.update(status="paid", amount_paid=amount, amount_due=order["amount"] - amount)
            self._save("order", order)

    def pay(self, order_id: str, *, status="captured", payment_id=None, **more) -> dict:
        """The shopper pays the order at Razorpay's checkout (a failed attempt with
        status="failed"); a payment id paid before is answered as it is."""
        if payment_id and (known := self._get("payment", payment_id)) is not None:
            return known
        order = self._get("order", order_id)
        amount = order["amount"] if order else 100
        payment = payment_entity(order_id, amount, status=status, payment_id=payment_id)
        payment["notes"] = order["notes"] if order else []
        self._save("payment", payment | more)
        if order is not None:
            order["attempts"] += 1
            order["status"] = "attempted"
            order["_payments"] = [*order.get("_payments", []), payment["id"]]
            self._save("order", order)
            if status == "captured":
                self._order_paid(order_id, amount)
        return self._get("payment", payment["id"]) or payment

    def checkout_signature(self, order_id: str, payment_id: str) -> str:
        """What Razorpay's checkout hands the shopper's browser to prove the payment."""
        return hex_hmac(self.key_secret, f"{order_id}|{payment_id}")

    def pay_link(self, link_id: str, *, amount: int | None = None) -> dict:
        """The customer pays the link: a captured payment on the order behind it."""
        link = self._get("link", link_id)
        assert link is not None, f"no payment link {link_id}"
        payment = self.pay(link["_order_id"])
        if amount is not None:
            payment["amount"] = amount
            self._save("payment", payment)
        link.update(status="paid", amount_paid=payment["amount"])
        link["payments"] = [
            {"payment_id": payment["id"], "amount": payment["amount"], "status": "captured",
             "plink_id": link_id, "method": "upi", "created_at": payment["created_at"]}
        ]  # fmt: skip
        self._save("link", link)
        return payment

    def link_payload(self, link_id: str, event: str, payment: dict | None = None) -> dict:
        """The payload of a payment_link.* event (with the payment and its order once paid)."""
        link = _public(self._get("link", link_id) or {})
        payload: dict = {"payment_link": {"entity": link | {"status": event.split(".")[-1]}}}
        if payment is not None:
            order = self._get("order", payment["order_id"]) or {"id": payment["order_id"]}
            payload |= {"order": {"entity": _public(order)}, "payment": {"entity": payment}}
        return payload

    def link_callback_query(self, link_id: str, payment_id: str, *, status="paid") -> dict:
        """What Razorpay puts on the link's callback URL when the customer comes back."""
        reference = (self._get("link", link_id) or {})["reference_id"]
        message = f"{link_id}|{reference}|{status}|{payment_id}"
        return {
            "razorpay_payment_id": payment_id,
            "razorpay_payment_link_id": link_id,
            "razorpay_payment_link_reference_id": reference,
            "razorpay_payment_link_status": status,
            "razorpay_signature": hex_hmac(self.key_secret, message),
        }

    def dispute_open(self, payment_id: str, **fields) -> dict:
        """The shopper's bank disputes the payment (of all of it unless `amount` says)."""
        payment = self._get("payment", payment_id) or {"amount": 20000, "currency": "INR"}
        fields.setdefault("amount", payment["amount"])
        dispute = dispute_entity(payment_id, currency=payment["currency"], **fields)
        return self._save("dispute", dispute)

    def dispute_move(self, dispute_id: str, status: str) -> dict:
        """The bank moves the dispute on (under_review, won, lost)."""
        dispute = self._get("dispute", dispute_id)
        assert dispute is not None, f"no dispute {dispute_id}"
        dispute["status"] = status
        if status == "lost":
            dispute["amount_deducted"] = dispute["amount"]
        return self._save("dispute", dispute)

    def lines_due(self) -> list[dict]:
        """What the next settlement pays out: every captured payment, refund and lost
        dispute no settlement took yet, each payment net of its fee."""
        lines = []
        for payment in self.store.values("payment"):
            if payment["status"] == "captured" and not payment.get("_settled_by"):
                fee, tax = fee_of(payment["amount"])
                lines.append(recon_line(payment["id"], "payment", payment["amount"], fee=fee,
                                        tax=tax, order_id=payment["order_id"], method="upi"))  # fmt: skip
        for refund in self.store.values("refund"):
            if refund["status"] == "processed" and not refund.get("_settled_by"):
                lines.append(recon_line(refund["id"], "refund", refund["amount"],
                                        payment_id=refund["payment_id"]))  # fmt: skip
        for dispute in self.store.values("dispute"):
            if dispute["status"] == "lost" and not dispute.get("_settled_by"):
                lines.append(recon_line(dispute["id"], "dispute", dispute["amount"],
                                        payment_id=dispute["payment_id"], dispute_id=dispute["id"]))  # fmt: skip
        return lines

    def settle(
        self,
        lines: list[dict] | None = None,
        *,
        day: str | None = None,
        status: str = "processed",
        settlement_id: str | None = None,
        amount: int | None = None,
    ) -> dict:
        """A settlement of `lines` (what is due when none are given) on `day` (YYYY-MM-DD,
        India; today when none): what reached the bank is their credits less their debits
        unless `amount` says otherwise."""
        lines = self.lines_due() if lines is None else lines
        day = day or f"{datetime.now(INDIA):%Y-%m-%d}"
        settled_at = int(datetime.fromisoformat(f"{day}T09:30:00+05:30").timestamp())
        entity = {
            "id": settlement_id or new_id("setl_"), "entity": "settlement", "status": status,
            "amount": sum(x["credit"] - x["debit"] for x in lines) if amount is None else amount,
            "fees": sum(x["fee"] for x in lines), "tax": sum(x["tax"] for x in lines),
            "utr": f"SBIN{secrets.randbelow(10**12):012d}", "created_at": settled_at,
        }  # fmt: skip
        for line in lines:
            line |= {"settlement_id": entity["id"], "settlement_utr": entity["utr"],
                     "settled_at": settled_at, "created_at": settled_at,
                     "posted_at": settled_at}  # fmt: skip
            for kind in ("payment", "refund", "dispute"):
                if (settled := self._get(kind, line["entity_id"])) is not None:
                    self._save(kind, settled | {"_settled_by": entity["id"]})
        self._save("recon", {"id": entity["id"], "day": day, "lines": lines})
        return self._save("settlement", entity)
