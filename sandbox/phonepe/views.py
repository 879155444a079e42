"""PhonePe Standard Checkout V2 sandbox: the PhonePe simulator (simulators/phonepe.py, the
one the test fakes run) behind Django views, its state in the database: the OAuth token,
the APIs that need it, and a hosted pay page that sends the webhook with the configured
Authorization hash."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from simulators.phonepe import PhonePe, fail, webhook_authorization, webhook_body

from ..common import answer, deliver_webhook, json_body, render_pay_page
from ..store import DatabaseStore


def _phonepe(request) -> PhonePe:
    return PhonePe(
        DatabaseStore("phonepe"),
        client_id=settings.PHONEPE_CLIENT_ID,
        client_secret=settings.PHONEPE_CLIENT_SECRET,
        pay_url=lambda moid: request.build_absolute_uri(
            reverse("sandbox-phonepe-pay-page", args=[moid])
        ),
    )


@csrf_exempt
@require_POST
def oauth_token(request):
    return answer(_phonepe(request).token(request.POST.dict()))


@csrf_exempt
def api(request, rest: str):
    """Any call of PhonePe's API but the token's (an O-Bearer token it issued)."""
    phonepe, route = _phonepe(request), f"/{rest}"
    if (found := phonepe.route(request.method, route)) != 200:
        return answer(fail(found, "NOT_FOUND", "No such API"))
    if not phonepe.token_valid(request.headers.get("Authorization", "")):
        return answer(fail(401, "UNAUTHORIZED", "Invalid or expired access token"))
    if (body := json_body(request) if request.method == "POST" else {}) is None:
        return answer(fail(400, "BAD_REQUEST", "Body is not JSON"))
    return answer(phonepe.handle(request.method, route, body))


@require_http_methods(["GET", "POST"])
def pay_page(request, merchant_order_id: str):
    phonepe = _phonepe(request)
    order = phonepe.store.get("order", merchant_order_id)
    if order is None:
        return answer(fail(404, "ORDER_NOT_FOUND", "No order with this merchantOrderId"))
    if request.method == "GET" or order["state"] != "PENDING":
        return render_pay_page(
            request, "PhonePe", external_id=merchant_order_id, amount=order["amount"],
            currency="INR", status=order["state"], payable=("PENDING",),
        )  # fmt: skip
    succeeded = request.POST.get("outcome") == "pay"
    order = phonepe.paid(merchant_order_id, state="COMPLETED" if succeeded else "FAILED")
    event = "checkout.order.completed" if succeeded else "checkout.order.failed"
    body = webhook_body(event, merchant_order_id, order, "SANDBOXMERCHANT")
    authorization = webhook_authorization(
        settings.PHONEPE_WEBHOOK_USERNAME, settings.PHONEPE_WEBHOOK_PASSWORD
    )
    deliver_webhook(request, "webhook-phonepe", body, {"Authorization": authorization})
    return HttpResponseRedirect(order["redirectUrl"] or "/demo/")


# Mounted under /sandbox/phonepe/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/phonepe is all a client changes.
urlpatterns = [
    path("v1/oauth/token", oauth_token),
    path("pay/<str:merchant_order_id>/", pay_page, name="sandbox-phonepe-pay-page"),
    path("<path:rest>", api),
]
