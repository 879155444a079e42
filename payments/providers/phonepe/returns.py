"""Where PhonePe sends the shopper's browser back (it carries no signed result): the
smart return asks PhonePe first (at most once every few seconds per payment), the simple
one always confirms and lets the frontend poll. Both go only to a frontend of ours."""

import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from ...gateways.registry import provider_enabled
from ...models import Payment, PaymentStatus
from ...services.charges import payment_current
from ...services.frontend import origin_of
from . import GATEWAY

MERCHANT_ORDER_ID = re.compile(r"[A-Za-z0-9_-]{1,63}")


def payment_return_target(payment: Payment | None, merchant_order_id: str, *, check: bool) -> str:
    """Confirm while the payment succeeded or may still; with `check` off (the simple
    return) always confirm, and let the frontend poll the status."""
    failed = (
        payment is None
        or payment.needs_attention
        or payment.status
        not in (
            PaymentStatus.SUCCESS,
            PaymentStatus.INITIATED,
            PaymentStatus.PENDING,
        )
    )
    query = {"redirect_source": "phonepe"}
    if merchant_order_id:
        query["merchant_order_id"] = merchant_order_id
    chosen = payment.return_url if payment is not None else ""
    if check and failed:
        base = (
            f"{origin_of(chosen)}/failedbooking"
            if chosen
            else f"{settings.FRONTEND_BASE_URL}/failedbooking"
        )
    else:
        base = chosen or f"{settings.FRONTEND_BASE_URL}/confirmbooking"
    separator = "&" if urlsplit(base).query else "?"
    return f"{base}{separator}{urlencode(query)}"


def _returning_payment(request) -> tuple[Payment | None, str]:
    """The merchant order id from the query string (GET or POST) or a posted form."""
    if not provider_enabled(GATEWAY.name):
        raise Http404("The payment provider phonepe is switched off.")
    raw = (
        request.GET.get("merchant_order_id")
        or request.GET.get("merchantOrderId")
        or (request.POST.get("merchant_order_id") if request.method == "POST" else "")
        or (request.POST.get("merchantOrderId") if request.method == "POST" else "")
        or ""
    )
    if not MERCHANT_ORDER_ID.fullmatch(raw):
        return None, ""  # nothing we could have issued: no lookup, no echo
    return Payment.objects.filter(merchant_order_id=raw).first(), raw


@require_http_methods(["GET", "POST"])
def payment_redirect(request):
    """Checks the status first (throttled per payment), then sends the browser on."""
    payment, merchant_order_id = _returning_payment(request)
    payment = payment_current(payment) if payment else None
    return HttpResponseRedirect(payment_return_target(payment, merchant_order_id, check=True))


@require_http_methods(["GET", "POST"])
def payment_redirect_simple(request):
    """Always back to the confirmation page, which polls the status."""
    payment, merchant_order_id = _returning_payment(request)
    return HttpResponseRedirect(payment_return_target(payment, merchant_order_id, check=False))
