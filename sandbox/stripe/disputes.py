"""Stripe sandbox disputes: a shopper's bank raising one on a paid payment intent (a
sandbox-only route, what `manage.py sandbox_dispute` calls), and the Disputes and Files
APIs the adapter uses to read, concede and answer it, with the signed `charge.dispute.*`
events Stripe would send."""

import json
import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..common import deliver_webhook, random_id
from ..models import SandboxOrder
from .views import PROVIDER, _invalid, _signature_header, key_auth

DISPUTES = "stripe:dispute"
OUTCOMES = {"won", "lost"}


def _dispute(dispute_id: str) -> SandboxOrder | None:
    return SandboxOrder.objects.filter(provider=DISPUTES, external_id=dispute_id).first()


def _deliver(request, event_type: str, dispute: dict) -> None:
    body = json.dumps(
        {
            "id": random_id("evt_", 24),
            "object": "event",
            "type": event_type,
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": dispute},
        }
    ).encode()
    deliver_webhook(request, "webhook-stripe", body, {"Stripe-Signature": _signature_header(body)})


def _moved(row: SandboxOrder, status: str) -> dict:
    row.status = row.data["status"] = status
    row.save()
    return row.data


@csrf_exempt
@require_POST
def raise_dispute(request, payment_intent: str):
    """Sandbox only: the shopper's bank disputes a paid payment intent; `outcome` (won or
    lost) plays the rest of its life at once."""
    session = next(
        (o for o in SandboxOrder.objects.filter(provider=PROVIDER, status="complete")
         if o.data.get("payment_intent") == payment_intent),
        None,
    )  # fmt: skip
    if session is None:
        return _invalid(f"No such payment_intent: '{payment_intent}'", 404, "resource_missing")
    dispute_id = random_id("du_", 24)
    dispute = {
        "id": dispute_id,
        "object": "dispute",
        "amount": session.amount,
        "currency": session.currency.lower(),
        "charge": random_id("ch_", 24),
        "payment_intent": payment_intent,
        "reason": "product_not_received",
        "status": "needs_response",
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False},
        "balance_transactions": [],
        "created": int(time.time()),
    }
    row = SandboxOrder.objects.create(
        provider=DISPUTES,
        external_id=dispute_id,
        amount=session.amount,
        currency=session.currency,
        status="needs_response",
        data=dispute,
    )
    _deliver(request, "charge.dispute.created", dispute)
    outcome = request.POST.get("outcome", "")
    if outcome in OUTCOMES:
        _deliver(request, "charge.dispute.updated", _moved(row, "under_review"))
        _deliver(request, "charge.dispute.closed", _moved(row, outcome))
    return JsonResponse(row.data)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@key_auth
def dispute_detail(request, dispute_id: str):
    row = _dispute(dispute_id)
    if row is None:
        return _invalid(f"No such dispute: '{dispute_id}'", 404, "resource_missing")
    if request.method == "POST":  # the shop's evidence, submitted or kept as a draft
        if row.status != "needs_response":
            return _invalid("This dispute can no longer be answered.")
        row.data["evidence"] = {
            key[len("evidence[") : -1]: value
            for key, value in request.POST.items()
            if key.startswith("evidence[")
        }
        if request.POST.get("submit") == "true":
            row.status = row.data["status"] = "under_review"
        row.save()
    return JsonResponse(row.data)


@csrf_exempt
@require_POST
@key_auth
def dispute_close(request, dispute_id: str):
    row = _dispute(dispute_id)
    if row is None or row.status != "needs_response":
        return _invalid("Only a dispute awaiting a response can be closed.")
    return JsonResponse(_moved(row, "lost"))


@csrf_exempt
@require_POST
@key_auth
def files(request):
    upload = request.FILES.get("file")
    if upload is None or request.POST.get("purpose") != "dispute_evidence":
        return _invalid("file and purpose=dispute_evidence are required.")
    return JsonResponse(
        {
            "id": random_id("file_", 24),
            "object": "file",
            "purpose": "dispute_evidence",
            "filename": upload.name,
            "size": upload.size,
            "created": int(time.time()),
        }
    )


urlpatterns = [
    path(
        "v1/payment_intents/<str:payment_intent>/dispute",
        raise_dispute,
        name="sandbox-stripe-dispute",
    ),
    path("v1/disputes/<str:dispute_id>", dispute_detail),
    path("v1/disputes/<str:dispute_id>/close", dispute_close),
    path("v1/files", files),
]
