"""Stripe sandbox: Checkout Sessions (create, retrieve, expire), refunds, and a hosted pay
page that sends events signed with the Stripe-Signature scheme."""

import hashlib
import hmac
import json
import re
import secrets
import time

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..common import (
    deliver_webhook,
    error,
    guarded,
    order_or_404,
    random_id,
    render_pay_page,
)
from ..models import SandboxOrder

PROVIDER = "stripe"
REFUNDS = "stripe:refund"
SANDBOX_SHIPPING = {
    "name": "Sandbox Shopper",
    "address": {
        "line1": "1 MG Road",
        "line2": None,
        "city": "Pune",
        "state": "MH",
        "postal_code": "411001",
        "country": "IN",
    },
}


def _invalid(message: str, status: int = 400, code: str | None = None) -> JsonResponse:
    return error(
        status, {"error": {"type": "invalid_request_error", "message": message, "code": code}}
    )


def _authorized(request) -> bool:
    return request.headers.get("Authorization", "") == f"Bearer {settings.STRIPE_SECRET_KEY}"


key_auth = guarded(_authorized, lambda: _invalid("Invalid API Key provided.", 401))


def _nested(form, prefix: str) -> dict:
    """`metadata[order_id]=7` → {"order_id": "7"} (Stripe's form encoding)."""
    pattern = re.compile(rf"^{re.escape(prefix)}\[([^\]]+)\]$")
    return {m.group(1): form[key] for key in form if (m := pattern.match(key))}


def _line_items_total(form) -> tuple[int, str] | None:
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


def _session(order: SandboxOrder) -> dict:
    return {
        "id": order.external_id,
        "object": "checkout.session",
        "amount_subtotal": order.amount,
        "amount_total": order.amount,
        "currency": order.currency.lower(),
        "status": order.status,
        "created": int(order.created_at.timestamp()),
        "livemode": False,
    } | order.data


@csrf_exempt
@require_POST
@key_auth
def sessions(request):
    form = request.POST
    totals = _line_items_total(form)
    if totals is None:
        return _invalid("line_items with price_data are required.", code="parameter_missing")
    if form.get("ui_mode") != "embedded_page" or not form.get("return_url"):
        return _invalid("This sandbox supports ui_mode=embedded_page with a return_url.")
    session_id = f"cs_test_{secrets.token_hex(24)}"
    order = SandboxOrder.objects.create(
        provider=PROVIDER,
        external_id=session_id,
        amount=totals[0],
        currency=totals[1].upper(),
        status="open",
        data={
            "ui_mode": "embedded_page",
            "mode": form.get("mode", "payment"),
            "payment_status": "unpaid",
            "client_secret": f"{session_id}_secret_{secrets.token_hex(12)}",
            "client_reference_id": form.get("client_reference_id"),
            "metadata": _nested(form, "metadata"),
            "return_url": form["return_url"],
            "payment_intent": None,
            "collected_information": None,
            "url": None,
        },
    )
    return JsonResponse(_session(order))


@require_GET
@key_auth
def session_detail(request, session_id: str):
    order = SandboxOrder.objects.filter(provider=PROVIDER, external_id=session_id).first()
    if order is None:
        return _invalid(f"No such checkout.session: '{session_id}'", 404, "resource_missing")
    return JsonResponse(_session(order))


@csrf_exempt
@require_POST
@key_auth
def session_expire(request, session_id: str):
    order = SandboxOrder.objects.filter(provider=PROVIDER, external_id=session_id).first()
    if order is None:
        return _invalid(f"No such checkout.session: '{session_id}'", 404, "resource_missing")
    if order.status != "open":
        return _invalid('Only Checkout Sessions with a status in ["open"] can be expired.')
    order.status = "expired"
    order.save(update_fields=["status"])
    return JsonResponse(_session(order))


@csrf_exempt
@require_POST
@key_auth
def refunds(request):
    intent = request.POST.get("payment_intent")
    order = next(
        (o for o in SandboxOrder.objects.filter(provider=PROVIDER, status="complete")
         if o.data.get("payment_intent") == intent),
        None,
    )  # fmt: skip
    if order is None:
        return _invalid(f"No such payment_intent: '{intent}'", 404, "resource_missing")
    amount = int(request.POST.get("amount", order.amount))
    refund = {
        "id": random_id("re_", 24),
        "object": "refund",
        "amount": amount,
        "currency": order.currency.lower(),
        "payment_intent": intent,
        "status": "succeeded",
        "created": int(time.time()),
    }
    # Kept, so the next payout takes it off what it pays.
    SandboxOrder.objects.create(
        provider=REFUNDS, external_id=refund["id"], amount=amount, currency=order.currency,
        status="succeeded", data=refund,
    )  # fmt: skip
    return JsonResponse(refund)


def _signature_header(body: bytes) -> str:
    timestamp = int(time.time())
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(settings.STRIPE_WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@require_http_methods(["GET", "POST"])
def pay_page(request, session_id: str):
    order = order_or_404(PROVIDER, session_id)
    if request.method == "GET" or order.status != "open":
        return render_pay_page(request, "Stripe", order, ("open",))
    if request.POST.get("outcome") == "pay":
        order.status = "complete"
        order.data |= {
            "payment_status": "paid",
            "payment_intent": random_id("pi_", 24),
            "collected_information": {"shipping_details": SANDBOX_SHIPPING},
        }
        event_type = "checkout.session.completed"
    else:
        order.status = "expired"
        event_type = "checkout.session.expired"
    order.save()
    body = json.dumps(
        {
            "id": random_id("evt_", 24),
            "object": "event",
            "type": event_type,
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": _session(order)},
        }
    ).encode()
    deliver_webhook(request, "webhook-stripe", body, {"Stripe-Signature": _signature_header(body)})
    return HttpResponseRedirect(order.data["return_url"])


# Mounted under /sandbox/stripe/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/stripe is all a client changes.
urlpatterns = [
    path("v1/checkout/sessions", sessions),
    path("v1/checkout/sessions/<str:session_id>", session_detail),
    path("v1/checkout/sessions/<str:session_id>/expire", session_expire),
    path("v1/refunds", refunds),
    path("pay/<str:session_id>/", pay_page, name="sandbox-stripe-pay-page"),
]
