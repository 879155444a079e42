"""Razorpay sandbox settlements: the day's settlement of every captured payment not settled
yet, net of a 2% fee and the 18% GST on it, with the refunds and lost disputes since taken
off (a sandbox-only route, what `manage.py sandbox_settle` calls, as Razorpay does each
morning), then the signed `settlement.processed` event; and the Settlements API the adapter
reads: the settlement and the day's recon, paged by `count` and `skip`."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..common import random_id, sandbox_fee, sandbox_mark_settled, sandbox_unsettled
from ..models import SandboxOrder
from .disputes import DISPUTES
from .views import PAYMENT_INDEX, REFUNDS, _bad_request, _deliver_event, key_auth

SETTLEMENTS = "razorpay:setl"  # (the column holds 16 characters)
INDIA = ZoneInfo("Asia/Kolkata")  # Razorpay's settlement days
RECON_PAGE_MAX = 1000


def _line(kind: str, entity_id: str, amount: int, **fields) -> dict:
    return {
        "entity_id": entity_id, "type": kind, "amount": amount, "currency": "INR",
        "credit": 0, "debit": 0, "fee": 0, "tax": 0, "on_hold": False, "settled": True,
        "payment_id": None, "order_id": None, "dispute_id": None, "method": None,
    } | fields  # fmt: skip


def _lines_due() -> tuple[list[dict], list[SandboxOrder]]:
    """Every line the next settlement pays out, and the rows it settles."""
    lines, rows = [], []
    for row in sandbox_unsettled(PAYMENT_INDEX, "captured"):
        amount = row.amount
        fee, tax = sandbox_fee(amount)
        lines.append(
            _line("payment", row.external_id, amount, credit=amount - fee, fee=fee, tax=tax,
                  order_id=row.data["order_id"], method="upi")
        )  # fmt: skip
        rows.append(row)
    for row in sandbox_unsettled(REFUNDS, "processed"):
        lines.append(
            _line("refund", row.external_id, row.amount, debit=row.amount,
                  payment_id=row.data["payment_id"])
        )  # fmt: skip
        rows.append(row)
    for row in sandbox_unsettled(DISPUTES, "lost"):
        lines.append(
            _line("dispute", row.external_id, row.amount, debit=row.amount,
                  payment_id=row.data["payment_id"], dispute_id=row.external_id)
        )  # fmt: skip
        rows.append(row)
    return lines, rows


@csrf_exempt
@require_POST
def settle(request):
    """Sandbox only: settle what is due now, as today's settlement."""
    lines, rows = _lines_due()
    amount = sum(line["credit"] - line["debit"] for line in lines)
    if not lines or amount <= 0:
        return _bad_request("Nothing to settle: no captured payment outweighs what is due back")
    now = int(time.time())
    entity = {
        "id": random_id("setl_"), "entity": "settlement", "amount": amount, "status": "processed",
        "fees": sum(line["fee"] for line in lines), "tax": sum(line["tax"] for line in lines),
        "utr": f"SBIN{now}{random_id('')[:6].upper()}", "created_at": now,
    }  # fmt: skip
    for line in lines:
        line |= {"settlement_id": entity["id"], "settlement_utr": entity["utr"],
                 "settled_at": now, "created_at": now, "posted_at": now}  # fmt: skip
    SandboxOrder.objects.create(
        provider=SETTLEMENTS, external_id=entity["id"], amount=amount, currency="INR",
        status="processed",
        data={"entity": entity, "lines": lines, "day": f"{datetime.now(INDIA):%Y-%m-%d}"},
    )  # fmt: skip
    sandbox_mark_settled(rows, entity["id"])
    _deliver_event(request, "settlement.processed", {"settlement": {"entity": entity}})
    return JsonResponse(entity)


@require_GET
@key_auth
def settlement_detail(request, settlement_id: str):
    row = SandboxOrder.objects.filter(provider=SETTLEMENTS, external_id=settlement_id).first()
    if row is None:
        return _bad_request("The id provided does not exist")
    return JsonResponse(row.data["entity"])


def _number(request, name: str, default: int | None = None) -> int | None:
    value = request.GET.get(name)
    if value is None:
        return default
    return int(value) if value.isdigit() else None


@require_GET
@key_auth
def recon(request):
    year, month, day = (_number(request, name) for name in ("year", "month", "day"))
    count, skip = _number(request, "count", 100), _number(request, "skip", 0)
    if not (year and month and day) or count is None or skip is None:
        return _bad_request("year, month and day are required; count and skip are numbers")
    if not 1 <= count <= RECON_PAGE_MAX:
        return _bad_request(f"count must be between 1 and {RECON_PAGE_MAX}")
    wanted = f"{year:04d}-{month:02d}-{day:02d}"
    items = [
        line
        for row in SandboxOrder.objects.filter(provider=SETTLEMENTS).order_by("pk")
        if row.data["day"] == wanted
        for line in row.data["lines"]
    ][skip : skip + count]
    return JsonResponse({"entity": "collection", "count": len(items), "items": items})


urlpatterns = [
    path("v1/settlements/settle", settle, name="sandbox-razorpay-settle"),
    path("v1/settlements/recon/combined", recon),
    path("v1/settlements/<str:settlement_id>", settlement_detail),
]
