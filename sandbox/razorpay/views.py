"""Razorpay sandbox: the Razorpay simulator (simulators/razorpay.py, the one the test fakes
and the benchmark run) behind Django views, its state in the database. The API under
/v1/ answers as Razorpay does (Basic auth with the key id and secret); the hosted pages
and the sandbox-only steps — the shopper pays an order or a link, a bank disputes a
payment, the morning's settlement — send the signed webhooks Razorpay would."""

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from simulators.razorpay import Razorpay, error, event_body, hex_hmac, new_id

from ..common import answer, basic_auth, deliver_webhook, json_body, render_pay_page
from ..store import DatabaseStore

PAYABLE = ("created", "attempted")
OUTCOMES = {"won", "lost"}


def _razorpay(request) -> Razorpay:
    return Razorpay(
        DatabaseStore("razorpay"),
        key_secret=settings.RAZORPAY_KEY_SECRET,
        link_url=lambda link_id: request.build_absolute_uri(
            reverse("sandbox-razorpay-link-page", args=[link_id])
        ),
    )


def _deliver(request, event: str, payload: dict) -> None:
    """A webhook event signed with the webhook secret, as Razorpay sends it."""
    body = event_body(event, payload, account_id="acc_sandbox")
    signature = hex_hmac(settings.RAZORPAY_WEBHOOK_SECRET, body)
    headers = {"X-Razorpay-Signature": signature, "X-Razorpay-Event-Id": new_id("evt_")}
    deliver_webhook(request, "webhook-razorpay", body, headers)


def _body(request) -> dict | None:
    """The request's JSON, or a document upload's form fields and its file's name."""
    if not request.content_type.startswith("multipart/"):
        return json_body(request)
    fields = {"purpose": request.POST.get("purpose")}
    if upload := request.FILES.get("file"):
        fields |= {"name": upload.name, "mime_type": upload.content_type, "size": upload.size}
    return fields


@csrf_exempt
def api(request, rest: str):
    """Any call of Razorpay's API."""
    razorpay, route = _razorpay(request), f"/v1/{rest}"
    if (found := razorpay.route(request.method, route)) != 200:
        return answer(error("Method not allowed" if found == 405 else "Not found", found))
    if basic_auth(request) != (settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET):
        return answer(error("Authentication failed", 401))
    if (body := _body(request)) is None:
        return answer(error("The request body is not valid JSON"))
    return answer(razorpay.handle(request.method, route, request.GET.dict(), body))


def _safe_callback(value: str) -> str:
    """Only a path on this site: the sandbox must not become an open redirect."""
    return value if value.startswith("/") and not value.startswith("//") else "/demo/"


def _pay_page(request, title: str, entity: dict, payable: tuple[str, ...]):
    return render_pay_page(
        request, title, external_id=entity["id"], amount=entity["amount"],
        currency=entity["currency"], status=entity["status"], payable=payable,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def pay_page(request, order_id: str):
    razorpay = _razorpay(request)
    order = razorpay.store.get("order", order_id)
    if order is None:
        return answer(error("The id provided does not exist", 404))
    callback = _safe_callback(request.GET.get("callback", "/demo/razorpay-return"))
    if request.method == "GET" or order["status"] not in PAYABLE:
        return _pay_page(request, "Razorpay", order, PAYABLE)
    succeeded = request.POST.get("outcome") == "pay"
    payment = razorpay.pay(order_id, status="captured" if succeeded else "failed")
    event = "payment.captured" if succeeded else "payment.failed"
    _deliver(request, event, {"payment": {"entity": payment}})
    if succeeded:
        signature = razorpay.checkout_signature(order_id, payment["id"])
        query = {"razorpay_order_id": order_id, "razorpay_payment_id": payment["id"],
                 "razorpay_signature": signature}  # fmt: skip
    else:
        query = {"razorpay_order_id": order_id, "error": "payment_failed"}
    return HttpResponseRedirect(f"{callback}?{urlencode(query)}")


def _link_callback(link: dict, request) -> str:
    """The link's callback when it is on this site (a path), else the demo storefront."""
    parts = urlsplit(link.get("callback_url") or "")
    return _safe_callback(parts.path) if parts.netloc == request.get_host() else "/demo/"


@require_http_methods(["GET", "POST"])
def link_page(request, link_id: str):
    """The short URL the customer opens from the text message."""
    razorpay = _razorpay(request)
    status, link = razorpay.link_fetch(link_id)
    if status != 200:
        return answer(error("The id provided does not exist", 404))
    if (
        request.method == "GET"
        or link["status"] != "created"
        or request.POST.get("outcome") != "pay"
    ):
        # A failed attempt leaves a link payable: the customer may try again.
        return _pay_page(request, "Razorpay Payment Link", link, ("created",))
    payment = razorpay.pay_link(link_id)
    _deliver(
        request, "payment_link.paid", razorpay.link_payload(link_id, "payment_link.paid", payment)
    )
    query = razorpay.link_callback_query(link_id, payment["id"])
    return HttpResponseRedirect(f"{_link_callback(link, request)}?{urlencode(query)}")


@csrf_exempt
@require_POST
def raise_dispute(request, payment_id: str):
    """Sandbox only (`manage.py sandbox_dispute`): the shopper's bank disputes a captured
    payment; `outcome` (won or lost) plays the rest of its life at once."""
    razorpay = _razorpay(request)
    payment = razorpay.store.get("payment", payment_id)
    if payment is None or payment["status"] != "captured":
        return answer(error("Only a captured payment can be disputed"))
    dispute = razorpay.dispute_open(
        payment_id, reason_code="chargeback_not_received",
        reason_description="The customer says the goods never arrived",
        respond_by=int(time.time()) + 7 * 86400,
    )  # fmt: skip
    _deliver(request, "payment.dispute.created", {"payment": {"entity": payment},
                                                 "dispute": {"entity": dispute}})  # fmt: skip
    if (outcome := request.POST.get("outcome", "")) in OUTCOMES:
        for status in ("under_review", outcome):
            moved = razorpay.dispute_move(dispute["id"], status)
            _deliver(request, f"payment.dispute.{status}",
                     {"payment": {"entity": payment}, "dispute": {"entity": moved}})  # fmt: skip
    return JsonResponse(razorpay.store.get("dispute", dispute["id"]))


@csrf_exempt
@require_POST
def settle(request):
    """Sandbox only (`manage.py sandbox_settle`): settle what is due now, as today's
    settlement, and say so with Razorpay's settlement.processed event."""
    razorpay = _razorpay(request)
    lines = razorpay.lines_due()
    if not lines or sum(line["credit"] - line["debit"] for line in lines) <= 0:
        return answer(error("Nothing to settle: no captured payment outweighs what is due back"))
    entity = razorpay.settle(lines)
    _deliver(request, "settlement.processed", {"settlement": {"entity": entity}})
    return JsonResponse(entity)


# Mounted under /sandbox/razorpay/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/razorpay is all a client changes.
urlpatterns = [
    path("v1/payments/<str:payment_id>/dispute", raise_dispute, name="sandbox-razorpay-dispute"),
    path("v1/settlements/settle", settle, name="sandbox-razorpay-settle"),
    path("v1/<path:rest>", api),
    path("pay/<str:order_id>/", pay_page, name="sandbox-razorpay-pay-page"),
    path("l/<str:link_id>/", link_page, name="sandbox-razorpay-link-page"),
]
