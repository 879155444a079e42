"""What the providers' sandbox views share: reading a request, posting a signed event to
our own webhook as the provider would, and the hosted pay page."""

import base64
import json
import logging

import requests
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger(__name__)


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


def answer(simulated: tuple[int, dict]) -> JsonResponse:
    """A simulator's (status, body) as the provider sends it."""
    return JsonResponse(simulated[1], status=simulated[0])


def render_pay_page(
    request, provider_name: str, *, external_id: str, amount: int, currency: str, status: str,
    payable: tuple[str, ...],
):  # fmt: skip
    """The hosted pay page of a provider's order (`amount` in minor units), payable while
    its status is one of `payable`."""
    order = {"external_id": external_id, "currency": currency, "status": status}
    return render(
        request,
        "sandbox/pay.html",
        {
            "provider_name": provider_name,
            "order": order,
            "amount_display": f"{amount / 100:.2f}",
            "payable_statuses": payable,
        },
    )
