import base64
import functools
import json
import logging
import secrets
import string

import requests
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .models import SandboxOrder

logger = logging.getLogger(__name__)
ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str, length: int = 14) -> str:
    return prefix + "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def json_body(request) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def basic_auth(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def order_or_404(provider: str, external_id: str) -> SandboxOrder:
    order = SandboxOrder.objects.filter(provider=provider, external_id=external_id).first()
    if order is None:
        raise Http404
    return order


def deliver_webhook(request, url_name: str, body: bytes, headers: dict) -> None:
    """POST a signed event to our own webhook endpoint, as the provider would. A pay form
    posted with webhook=drop loses it, as a real delivery may be lost (reconciliation and
    the client's verify must then finish the payment)."""
    url = request.build_absolute_uri(reverse(url_name))
    if request.POST.get("webhook") == "drop":
        logger.info("Sandbox webhook to %s dropped on request", url)
        return
    try:
        response = requests.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=10
        )
        logger.info("Sandbox webhook to %s answered %s", url, response.status_code)
    except requests.RequestException as exc:  # the real providers retry; the demo just logs
        logger.warning("Sandbox webhook to %s failed: %s", url, exc)


def error(status: int, body: dict) -> JsonResponse:
    return JsonResponse(body, status=status)


def guarded(is_allowed, refusal):
    """View decorator: answer `refusal()` unless the request carries the provider's auth."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_allowed(request):
                return refusal()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def render_pay_page(request, provider_name: str, order: SandboxOrder, payable: tuple[str, ...]):
    return render(
        request,
        "sandbox/pay.html",
        {
            "provider_name": provider_name,
            "order": order,
            "amount_display": f"{order.amount / 100:.2f}",
            "payable_statuses": payable,
        },
    )


# What the sandbox providers charge on each payment they settle: 2% of it, and the 18% GST
# on that fee (India's rate on a payment provider's service), in minor units.
SANDBOX_FEE_PERCENT, SANDBOX_FEE_GST_PERCENT = 2, 18


def sandbox_unsettled(provider: str, status: str) -> list[SandboxOrder]:
    """The sandbox's rows of a kind (payments, refunds, lost disputes) no settlement took."""
    rows = SandboxOrder.objects.filter(provider=provider, status=status).order_by("pk")
    return [row for row in rows if not row.data.get("settled_by")]


def sandbox_mark_settled(rows: list[SandboxOrder], settlement_id: str) -> None:
    for row in rows:
        row.data["settled_by"] = settlement_id
        row.save(update_fields=["data"])


def sandbox_fee(amount: int) -> tuple[int, int]:
    """(fee with its GST, the GST) on a payment of `amount`, rounded half up to paise."""
    fee = (amount * SANDBOX_FEE_PERCENT + 50) // 100
    tax = (fee * SANDBOX_FEE_GST_PERCENT + 50) // 100
    return fee + tax, tax
