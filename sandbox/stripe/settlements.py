"""Stripe sandbox payouts: today's payout of every paid session not paid out yet, net of a
2% fee and the 18% GST on it (its `fee_details`), with the refunds and lost disputes since
taken off (a sandbox-only route, what `manage.py sandbox_settle` calls), then the signed
`payout.paid` event; and the Payouts and Balance Transactions APIs the adapter reads, paged
with `starting_after` and `source` expandable."""

import json
import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..common import (
    deliver_webhook,
    random_id,
    sandbox_fee,
    sandbox_mark_settled,
    sandbox_unsettled,
)
from ..models import SandboxOrder
from .disputes import DISPUTES
from .views import PROVIDER, REFUNDS, _invalid, _signature_header, key_auth

PAYOUTS = "stripe:payout"
PAGE_MAX = 100


def _txn(category: str, amount: int, source: dict, fee: int = 0, tax: int = 0) -> dict:
    details = [{"amount": fee - tax, "type": "stripe_fee", "description": "Stripe processing"},
               {"amount": tax, "type": "tax", "description": "GST"}] if fee else []  # fmt: skip
    return {
        "id": random_id("txn_", 24), "object": "balance_transaction", "type": category,
        "reporting_category": category, "amount": amount, "fee": fee, "fee_details": details,
        "net": amount - fee, "currency": "inr", "source": source, "created": int(time.time()),
        "available_on": int(time.time()), "status": "available",
    }  # fmt: skip


def _due() -> tuple[list[dict], list[SandboxOrder]]:
    txns, rows = [], []
    for row in sandbox_unsettled(PROVIDER, "complete"):
        intent = row.data.get("payment_intent")
        fee, tax = sandbox_fee(row.amount)
        charge = {"id": random_id("ch_", 24), "object": "charge", "payment_intent": intent}
        txns.append(_txn("charge", row.amount, charge, fee, tax))
        rows.append(row)
    for row in sandbox_unsettled(REFUNDS, "succeeded"):
        txns.append(_txn("refund", -row.amount, {"id": row.external_id, "object": "refund"}))
        rows.append(row)
    for row in sandbox_unsettled(DISPUTES, "lost"):
        txns.append(_txn("dispute", -row.amount, {"id": row.external_id, "object": "dispute"}))
        rows.append(row)
    return txns, rows


@csrf_exempt
@require_POST
def settle(request):
    """Sandbox only: pay out what is due now, arriving today."""
    txns, rows = _due()
    amount = sum(txn["net"] for txn in txns)
    if not txns or amount <= 0:
        return _invalid("Nothing to pay out: no paid session outweighs what is due back")
    now = int(time.time())
    payout = {
        "id": random_id("po_", 24), "object": "payout", "amount": amount, "currency": "inr",
        "arrival_date": now, "created": now, "status": "paid", "automatic": True,
        "reconciliation_status": "completed",
        "trace_id": {"status": "supported", "value": f"HDFC{now}{random_id('')[:6].upper()}"},
    }  # fmt: skip
    txns.append(_txn("payout", -amount, {"id": payout["id"], "object": "payout"}))
    SandboxOrder.objects.create(
        provider=PAYOUTS, external_id=payout["id"], amount=amount, currency="INR",
        status="paid", data={"payout": payout, "transactions": txns},
    )  # fmt: skip
    sandbox_mark_settled(rows, payout["id"])
    body = json.dumps(
        {"id": random_id("evt_", 24), "object": "event", "type": "payout.paid",
         "api_version": "2026-10-28.endive", "created": now, "livemode": False,
         "data": {"object": payout}}
    ).encode()  # fmt: skip
    deliver_webhook(request, "webhook-stripe", body, {"Stripe-Signature": _signature_header(body)})
    return JsonResponse(payout)


def _page(request, items: list[dict], url: str) -> JsonResponse:
    """A Stripe list: `limit` items after `starting_after`, and whether more follow."""
    try:
        limit = int(request.GET.get("limit", 10))
    except ValueError:
        limit = 0
    if not 1 <= limit <= PAGE_MAX:
        return _invalid(f"limit must be between 1 and {PAGE_MAX}")
    after = request.GET.get("starting_after")
    if after:
        ids = [item["id"] for item in items]
        if after not in ids:
            return _invalid(f"No such object: '{after}'", 404, "resource_missing")
        items = items[ids.index(after) + 1 :]
    return JsonResponse(
        {"object": "list", "url": url, "data": items[:limit], "has_more": len(items) > limit}
    )


@require_GET
@key_auth
def payouts(request):
    def bound(name: str) -> int | None:
        value = request.GET.get(f"arrival_date[{name}]")
        return int(value) if value and value.isdigit() else None

    low, high = bound("gte"), bound("lt")
    items = [
        row.data["payout"]
        for row in SandboxOrder.objects.filter(provider=PAYOUTS).order_by("pk")
        if (low is None or row.data["payout"]["arrival_date"] >= low)
        and (high is None or row.data["payout"]["arrival_date"] < high)
    ]
    return _page(request, items, "/v1/payouts")


@require_GET
@key_auth
def payout_detail(request, payout_id: str):
    row = SandboxOrder.objects.filter(provider=PAYOUTS, external_id=payout_id).first()
    if row is None:
        return _invalid(f"No such payout: '{payout_id}'", 404, "resource_missing")
    return JsonResponse(row.data["payout"])


@require_GET
@key_auth
def balance_transactions(request):
    row = SandboxOrder.objects.filter(
        provider=PAYOUTS, external_id=request.GET.get("payout", "")
    ).first()
    if row is None:
        return _invalid("A payout is required: the sandbox lists a payout's transactions only")
    expanded = any(
        value == "data.source" for key, value in request.GET.items() if key.startswith("expand")
    )
    items = [
        txn if expanded else txn | {"source": txn["source"]["id"]}
        for txn in row.data["transactions"]
    ]
    return _page(request, items, "/v1/balance_transactions")


urlpatterns = [
    path("v1/payouts/settle", settle, name="sandbox-stripe-settle"),
    path("v1/payouts", payouts),
    path("v1/payouts/<str:payout_id>", payout_detail),
    path("v1/balance_transactions", balance_transactions),
]
