"""Razorpay sandbox disputes: a shopper's bank raising one on a captured payment (a
sandbox-only route, what `manage.py sandbox_dispute` calls), and the Disputes and Documents
APIs the adapter uses to read, accept and contest it. Each step sends the signed
`payment.dispute.*` events Razorpay would."""

import json
import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..common import random_id
from ..models import SandboxOrder
from .views import _bad_request, _deliver_event, _find_payment, key_auth

DISPUTES = "razorpay:dispute"
OUTCOMES = {"won", "lost"}


def _dispute(dispute_id: str) -> SandboxOrder | None:
    return SandboxOrder.objects.filter(provider=DISPUTES, external_id=dispute_id).first()


def _moved(request, row: SandboxOrder, status: str, payment: dict) -> None:
    row.status = row.data["status"] = status
    if status == "lost":
        row.data["amount_deducted"] = row.amount
    row.save()
    event = "under_review" if status == "under_review" else status
    _deliver_event(
        request,
        f"payment.dispute.{event}",
        {"payment": {"entity": payment}, "dispute": {"entity": row.data}},
    )


@csrf_exempt
@require_POST
def raise_dispute(request, payment_id: str):
    """Sandbox only: the shopper's bank disputes a captured payment; `outcome` (won or
    lost) plays the rest of its life at once."""
    _, payment = _find_payment(payment_id)
    if payment is None or payment["status"] != "captured":
        return _bad_request("Only a captured payment can be disputed")
    entity = {
        "id": random_id("disp_"),
        "entity": "dispute",
        "payment_id": payment_id,
        "amount": payment["amount"],
        "amount_deducted": 0,
        "currency": payment["currency"],
        "reason_code": "chargeback_not_received",
        "reason_description": "The customer says the goods never arrived",
        "respond_by": int(time.time()) + 7 * 86400,
        "status": "open",
        "phase": "chargeback",
        "created_at": int(time.time()),
    }
    row = SandboxOrder.objects.create(
        provider=DISPUTES,
        external_id=entity["id"],
        amount=payment["amount"],
        currency=payment["currency"],
        status="open",
        data=entity,
    )
    _deliver_event(
        request,
        "payment.dispute.created",
        {"payment": {"entity": payment}, "dispute": {"entity": entity}},
    )
    outcome = request.POST.get("outcome", "")
    if outcome in OUTCOMES:
        _moved(request, row, "under_review", payment)
        _moved(request, row, outcome, payment)
    return JsonResponse(row.data)


@require_GET
@key_auth
def dispute_detail(request, dispute_id: str):
    row = _dispute(dispute_id)
    return JsonResponse(row.data) if row else _bad_request("The id provided does not exist")


@csrf_exempt
@require_POST
@key_auth
def dispute_accept(request, dispute_id: str):
    row = _dispute(dispute_id)
    if row is None or row.status != "open":
        return _bad_request("Only an open dispute can be accepted")
    row.status = row.data["status"] = "lost"
    row.data["amount_deducted"] = row.amount
    row.save()
    return JsonResponse(row.data)


@csrf_exempt
@require_http_methods(["PATCH"])
@key_auth
def dispute_contest(request, dispute_id: str):
    row = _dispute(dispute_id)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _bad_request("The request body is not JSON")
    if row is None or row.status != "open":
        return _bad_request("Only an open dispute can be contested")
    row.data["evidence"] = body | {"submitted_at": int(time.time())}
    if body.get("action") == "submit":
        row.status = row.data["status"] = "under_review"
    row.save()
    return JsonResponse(row.data)


@csrf_exempt
@require_POST
@key_auth
def documents(request):
    upload = request.FILES.get("file")
    if upload is None or request.POST.get("purpose") != "dispute_evidence":
        return _bad_request("file and purpose=dispute_evidence are required")
    return JsonResponse(
        {
            "id": random_id("doc_"),
            "entity": "document",
            "purpose": "dispute_evidence",
            "name": upload.name,
            "mime_type": upload.content_type,
            "size": upload.size,
            "created_at": int(time.time()),
        }
    )


urlpatterns = [
    path("v1/payments/<str:payment_id>/dispute", raise_dispute, name="sandbox-razorpay-dispute"),
    path("v1/disputes/<str:dispute_id>", dispute_detail),
    path("v1/disputes/<str:dispute_id>/accept", dispute_accept),
    path("v1/disputes/<str:dispute_id>/contest", dispute_contest),
    path("v1/documents", documents),
]
