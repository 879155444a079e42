"""Razorpay sandbox: Orders API (create, fetch, payments), Payment Links (create, fetch,
cancel, and a pay page at the short URL), refunds, and hosted pay pages that sign the
checkout result, the link's callback and the webhooks exactly as Razorpay does."""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..common import (
    basic_auth,
    deliver_webhook,
    error,
    guarded,
    json_body,
    order_or_404,
    random_id,
    render_pay_page,
)
from ..models import SandboxOrder

PROVIDER = "razorpay"
PAYABLE = ("created", "attempted")


def _bad_request(description: str, status: int = 400) -> JsonResponse:
    return error(status, {"error": {"code": "BAD_REQUEST_ERROR", "description": description}})


def _authorized(request) -> bool:
    return basic_auth(request) == (settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET)


key_auth = guarded(_authorized, lambda: _bad_request("Authentication failed", 401))


def _entity(order: SandboxOrder) -> dict:
    paid = order.amount if order.status == "paid" else 0
    return {
        "id": order.external_id,
        "entity": "order",
        "amount": order.amount,
        "amount_paid": paid,
        "amount_due": order.amount - paid,
        "currency": order.currency,
        "receipt": order.data.get("receipt"),
        "offer_id": None,
        "status": order.status,
        "attempts": len(order.data.get("payments", [])),
        "notes": order.data.get("notes") or [],
        "created_at": int(order.created_at.timestamp()),
    }


@csrf_exempt
@require_POST
@key_auth
def orders(request):
    body = json_body(request)
    if body is None:
        return _bad_request("The request body is not valid JSON")
    amount = body.get("amount")
    if not isinstance(amount, int) or amount < 100:
        return _bad_request("The amount must be at least INR 1.00.")
    if body.get("currency") != "INR":
        return _bad_request("The currency field is invalid.")
    order = SandboxOrder.objects.create(
        provider=PROVIDER,
        external_id=random_id("order_"),
        amount=amount,
        currency="INR",
        status="created",
        data={"receipt": body.get("receipt"), "notes": body.get("notes") or {}, "payments": []},
    )
    return JsonResponse(_entity(order))


@require_GET
@key_auth
def order_detail(request, order_id: str):
    order = SandboxOrder.objects.filter(provider=PROVIDER, external_id=order_id).first()
    if order is None:
        return _bad_request("The id provided does not exist")
    return JsonResponse(_entity(order))


@require_GET
@key_auth
def order_payments(request, order_id: str):
    order = SandboxOrder.objects.filter(provider=PROVIDER, external_id=order_id).first()
    if order is None:
        return _bad_request("The id provided does not exist")
    items = order.data.get("payments", [])
    return JsonResponse({"entity": "collection", "count": len(items), "items": items})


# Each payment also gets an index row (provider PAYMENT_INDEX, its id), so a payment is
# found by two indexed lookups however many orders the sandbox holds.
PAYMENT_INDEX = "razorpay:payment"
REFUNDS = "razorpay:refund"


def sandbox_payment_add(order: SandboxOrder, *, succeeded: bool) -> dict:
    """A shopper's attempt on an order, as Razorpay records it."""
    payment: dict[str, Any] = {
        "id": random_id("pay_"),
        "entity": "payment",
        "amount": order.amount,
        "currency": order.currency,
        "status": "captured" if succeeded else "failed",
        "order_id": order.external_id,
        "method": "upi",
        "captured": succeeded,
        "email": "shopper@example.com",
        "contact": "+919999999999",
        "notes": order.data.get("notes") or [],
        "error_code": None if succeeded else "BAD_REQUEST_ERROR",
        "error_description": None if succeeded else "Payment declined by the sandbox",
        "created_at": int(time.time()),
    }
    order.data["payments"].append(payment)
    order.status = "paid" if succeeded else "attempted"
    order.save()
    SandboxOrder.objects.create(
        provider=PAYMENT_INDEX,
        external_id=payment["id"],
        amount=order.amount,
        currency=order.currency,
        status=payment["status"],
        data={"order_id": order.external_id},
    )
    return payment


def _find_payment(payment_id: str) -> tuple[SandboxOrder, dict] | tuple[None, None]:
    index = SandboxOrder.objects.filter(provider=PAYMENT_INDEX, external_id=payment_id).first()
    order = (
        index
        and SandboxOrder.objects.filter(
            provider=PROVIDER, external_id=index.data["order_id"]
        ).first()
    )
    if order is None:
        return None, None
    return order, next(p for p in order.data["payments"] if p["id"] == payment_id)


@require_GET
@key_auth
def payment_detail(request, payment_id: str):
    _, payment = _find_payment(payment_id)
    if payment is None:
        return _bad_request("The id provided does not exist")
    return JsonResponse(payment)


@csrf_exempt
@require_POST
@key_auth
def payment_capture(request, payment_id: str):
    order, payment = _find_payment(payment_id)
    body = json_body(request) or {}
    if order is None or payment is None or payment["status"] != "authorized":
        return _bad_request("This payment is not authorized and cannot be captured")
    if body.get("amount") != payment["amount"] or body.get("currency") != payment["currency"]:
        return _bad_request("Capture amount must be equal to the amount authorized")
    payment.update(status="captured", captured=True)
    order.status = "paid"
    order.save()
    return JsonResponse(payment)


@csrf_exempt
@require_POST
@key_auth
def refund(request, payment_id: str):
    body = json_body(request) or {}
    _, payment = _find_payment(payment_id)
    if payment and payment["status"] == "captured":
        amount = body.get("amount", payment["amount"])
        if not isinstance(amount, int) or not 0 < amount <= payment["amount"]:
            return _bad_request("The refund amount is invalid.")
        entity = {
            "id": random_id("rfnd_"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment_id,
            "notes": body.get("notes") or [],
            "receipt": body.get("receipt"),
            "status": "processed",
            "speed_requested": body.get("speed", "normal"),
            "created_at": int(time.time()),
        }
        # Kept, so the next settlement takes it off what it pays out.
        SandboxOrder.objects.create(
            provider=REFUNDS, external_id=entity["id"], amount=amount,
            currency=payment["currency"], status="processed", data=entity,
        )  # fmt: skip
        return JsonResponse(entity)
    return _bad_request("The payment has not been captured or does not exist")


def _hex_hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _deliver_event(request, event: str, payload: dict) -> None:
    """A webhook event signed with the webhook secret, as Razorpay sends it."""
    body = json.dumps(
        {
            "entity": "event",
            "account_id": "acc_sandbox",
            "event": event,
            "contains": list(payload),
            "payload": payload,
            "created_at": int(time.time()),
        }
    ).encode()
    deliver_webhook(
        request,
        "webhook-razorpay",
        body,
        {
            "X-Razorpay-Signature": _hex_hmac(settings.RAZORPAY_WEBHOOK_SECRET, body.decode()),
            "X-Razorpay-Event-Id": random_id("evt_"),
        },
    )


def _safe_callback(value: str) -> str:
    """Only a path on this site: the sandbox must not become an open redirect."""
    return value if value.startswith("/") and not value.startswith("//") else "/demo/"


@require_http_methods(["GET", "POST"])
def pay_page(request, order_id: str):
    order = order_or_404(PROVIDER, order_id)
    callback = _safe_callback(request.GET.get("callback", "/demo/razorpay-return"))
    if request.method == "GET" or order.status not in PAYABLE:
        return render_pay_page(request, "Razorpay", order, PAYABLE)
    succeeded = request.POST.get("outcome") == "pay"
    payment = sandbox_payment_add(order, succeeded=succeeded)

    event = "payment.captured" if succeeded else "payment.failed"
    _deliver_event(request, event, {"payment": {"entity": payment}})
    if succeeded:
        query = {
            "razorpay_order_id": order.external_id,
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": _hex_hmac(
                settings.RAZORPAY_KEY_SECRET, f"{order.external_id}|{payment['id']}"
            ),
        }
    else:
        query = {"razorpay_order_id": order.external_id, "error": "payment_failed"}
    return HttpResponseRedirect(f"{callback}?{urlencode(query)}")


# ---------------------------------------------------------------- Payment Links
LINK = "razorpay:link"
# What a link keeps of its create call.
LINK_FIELDS = (
    "reference_id", "description", "customer", "notify", "expire_by", "notes", "callback_url",
)  # fmt: skip


def _link_entity(link: SandboxOrder) -> dict:
    return {
        "id": link.external_id,
        "entity": "payment_link",
        "short_url": link.data["short_url"],
        "status": link.status,
        "amount": link.amount,
        "amount_paid": link.amount if link.status == "paid" else 0,
        "currency": link.currency,
        "accept_partial": False,
        "reference_id": link.data["reference_id"],
        "description": link.data.get("description", ""),
        "customer": link.data.get("customer") or {},
        "notify": link.data.get("notify") or {},
        "expire_by": link.data["expire_by"],
        "notes": link.data.get("notes") or {},
        "callback_url": link.data.get("callback_url", ""),
        "callback_method": "get",
        "payments": link.data["payments"] or None,
        "created_at": int(link.created_at.timestamp()),
    }


def _link_or_error(link_id: str) -> SandboxOrder | None:
    link = SandboxOrder.objects.filter(provider=LINK, external_id=link_id).first()
    if link is not None and link.status == "created" and link.data["expire_by"] < time.time():
        link.status = "expired"
        link.save()
    return link


@csrf_exempt
@require_POST
@key_auth
def payment_links(request):
    body = json_body(request)
    if body is None:
        return _bad_request("The request body is not valid JSON")
    amount, reference = body.get("amount"), body.get("reference_id")
    if not isinstance(amount, int) or amount < 100:
        return _bad_request("The amount must be at least INR 1.00.")
    if not isinstance(body.get("expire_by"), int) or body["expire_by"] < time.time() + 15 * 60:
        return _bad_request("expire_by must be at least 15 minutes in the future")
    if (
        not reference
        or SandboxOrder.objects.filter(provider=LINK, data__reference_id=reference).exists()
    ):
        return _bad_request("Payment Link with this reference_id already exists")
    link_id = random_id("plink_")
    # Razorpay makes an order behind each link; payments are made on it.
    hidden = SandboxOrder.objects.create(
        provider=PROVIDER,
        external_id=random_id("order_"),
        amount=amount,
        currency="INR",
        status="created",
        data={"receipt": reference, "notes": body.get("notes") or {}, "payments": []},
    )
    link = SandboxOrder.objects.create(
        provider=LINK,
        external_id=link_id,
        amount=amount,
        currency=body.get("currency") or "INR",
        status="created",
        data={
            "short_url": request.build_absolute_uri(
                reverse("sandbox-razorpay-link-page", args=[link_id])
            ),
            "order_id": hidden.external_id,
            "payments": [],
            **{key: body.get(key) for key in LINK_FIELDS},
        },
    )
    return JsonResponse(_link_entity(link))


@require_GET
@key_auth
def payment_link_detail(request, link_id: str):
    link = _link_or_error(link_id)
    if link is None:
        return _bad_request("The id provided does not exist")
    return JsonResponse(_link_entity(link))


@csrf_exempt
@require_POST
@key_auth
def payment_link_cancel(request, link_id: str):
    link = _link_or_error(link_id)
    if link is None or link.status != "created":
        return _bad_request("Payment link can not be cancelled")
    link.status = "cancelled"
    link.save()
    return JsonResponse(_link_entity(link))


def _link_callback(link: SandboxOrder, request) -> str:
    """The link's callback when it is on this site (a path), else the demo storefront."""
    parts = urlsplit(link.data.get("callback_url") or "")
    return _safe_callback(parts.path) if parts.netloc == request.get_host() else "/demo/"


@require_http_methods(["GET", "POST"])
def link_page(request, link_id: str):
    """The short URL the customer opens from the text message."""
    link = _link_or_error(link_id)
    if link is None:
        return _bad_request("The id provided does not exist", 404)
    if request.method == "GET" or link.status != "created" or request.POST.get("outcome") != "pay":
        # A failed attempt leaves a link payable: the customer may try again.
        return render_pay_page(request, "Razorpay Payment Link", link, ("created",))
    hidden = order_or_404(PROVIDER, link.data["order_id"])
    payment = sandbox_payment_add(hidden, succeeded=True)
    link.status = "paid"
    link.data["payments"] = [
        {"payment_id": payment["id"], "amount": payment["amount"], "status": "captured",
         "plink_id": link.external_id, "method": "upi", "created_at": payment["created_at"]}
    ]  # fmt: skip
    link.save()
    _deliver_event(
        request,
        "payment_link.paid",
        {
            "payment_link": {"entity": _link_entity(link)},
            "order": {"entity": _entity(hidden)},
            "payment": {"entity": payment},
        },
    )
    reference = link.data["reference_id"]
    query = {
        "razorpay_payment_id": payment["id"],
        "razorpay_payment_link_id": link.external_id,
        "razorpay_payment_link_reference_id": reference,
        "razorpay_payment_link_status": "paid",
        "razorpay_signature": _hex_hmac(
            settings.RAZORPAY_KEY_SECRET,
            f"{link.external_id}|{reference}|paid|{payment['id']}",
        ),
    }
    return HttpResponseRedirect(f"{_link_callback(link, request)}?{urlencode(query)}")


# Mounted under /sandbox/razorpay/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/razorpay is all a client changes.
urlpatterns = [
    path("v1/orders", orders),
    path("v1/orders/<str:order_id>", order_detail),
    path("v1/orders/<str:order_id>/payments", order_payments),
    path("v1/payments/<str:payment_id>", payment_detail),
    path("v1/payments/<str:payment_id>/capture", payment_capture),
    path("v1/payments/<str:payment_id>/refund", refund),
    path("v1/payment_links", payment_links),
    path("v1/payment_links/<str:link_id>", payment_link_detail),
    path("v1/payment_links/<str:link_id>/cancel", payment_link_cancel),
    path("pay/<str:order_id>/", pay_page, name="sandbox-razorpay-pay-page"),
    path("l/<str:link_id>/", link_page, name="sandbox-razorpay-link-page"),
]
