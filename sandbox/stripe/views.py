"""Stripe sandbox: the Stripe simulator (simulators/stripe.py, the one the test fakes run)
behind Django views, its state in the database. The API under /v1/ answers as Stripe does
(Bearer auth with the secret key); the hosted pay page and the sandbox-only steps — a bank
disputes a paid payment intent, the day's payout — send the events Stripe would, signed
with the Stripe-Signature scheme."""

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from simulators.stripe import Stripe, error, event_body, missing, signature_header

from ..common import answer, deliver_webhook, render_pay_page
from ..store import DatabaseStore

OUTCOMES = {"won", "lost"}


def _stripe() -> Stripe:
    return Stripe(DatabaseStore("stripe"))


def _deliver(request, event_type: str, obj: dict) -> None:
    body = event_body(event_type, obj)
    signature = signature_header(body, settings.STRIPE_WEBHOOK_SECRET)
    deliver_webhook(request, "webhook-stripe", body, {"Stripe-Signature": signature})


def _params(request) -> dict:
    """A request's form (with an upload's file name and size) or its query."""
    if request.method == "GET":
        return request.GET.dict()
    params = request.POST.dict()
    if upload := request.FILES.get("file"):
        params |= {"filename": upload.name, "size": upload.size}
    return params


@csrf_exempt
def api(request, rest: str):
    """Any call of Stripe's API (and of its files host, which the sandbox serves too)."""
    stripe, route = _stripe(), f"/v1/{rest}"
    if (found := stripe.route(request.method, route)) != 200:
        return answer(error("Method not allowed" if found == 405 else "Not found", found))
    if request.headers.get("Authorization", "") != f"Bearer {settings.STRIPE_SECRET_KEY}":
        return answer(error("Invalid API Key provided.", 401))
    return answer(stripe.handle(request.method, route, _params(request)))


@require_http_methods(["GET", "POST"])
def pay_page(request, session_id: str):
    stripe = _stripe()
    session = stripe.store.get("session", session_id)
    if session is None:
        return answer(missing("checkout.session", session_id))
    if request.method == "GET" or session["status"] != "open":
        return render_pay_page(
            request, "Stripe", external_id=session_id, amount=session["amount_total"],
            currency=session["currency"], status=session["status"], payable=("open",),
        )  # fmt: skip
    paid = request.POST.get("outcome") == "pay"
    session = stripe.pay(session_id, succeeded=paid)
    _deliver(request, f"checkout.session.{'completed' if paid else 'expired'}", session)
    return HttpResponseRedirect(session["return_url"])


@csrf_exempt
@require_POST
def raise_dispute(request, payment_intent: str):
    """Sandbox only (`manage.py sandbox_dispute`): the shopper's bank disputes a paid
    payment intent; `outcome` (won or lost) plays the rest of its life at once."""
    stripe = _stripe()
    if stripe.paid_session(payment_intent) is None:
        return answer(missing("payment_intent", payment_intent))
    dispute = stripe.dispute_open(payment_intent, reason="product_not_received")
    _deliver(request, "charge.dispute.created", dispute)
    if (outcome := request.POST.get("outcome", "")) in OUTCOMES:
        _deliver(
            request, "charge.dispute.updated", stripe.dispute_move(dispute["id"], "under_review")
        )
        _deliver(request, "charge.dispute.closed", stripe.dispute_move(dispute["id"], outcome))
    return JsonResponse(stripe.store.get("dispute", dispute["id"]))


@csrf_exempt
@require_POST
def settle(request):
    """Sandbox only (`manage.py sandbox_settle`): pay out what is due now, arriving today,
    and say so with Stripe's payout.paid event."""
    stripe = _stripe()
    due = stripe.transactions_due()
    if not due or sum(txn["net"] for txn in due) <= 0:
        return answer(error("Nothing to pay out: no paid session outweighs what is due back"))
    payout = stripe.pay_out(due)
    _deliver(request, "payout.paid", payout)
    return JsonResponse(payout)


# Mounted under /sandbox/stripe/ (sandbox/urls.py): the provider's own paths, so
# pointing its base URL at <site>/sandbox/stripe is all a client changes.
urlpatterns = [
    path(
        "v1/payment_intents/<str:payment_intent>/dispute",
        raise_dispute,
        name="sandbox-stripe-dispute",
    ),
    path("v1/payouts/settle", settle, name="sandbox-stripe-settle"),
    path("v1/<path:rest>", api),
    path("pay/<str:session_id>/", pay_page, name="sandbox-stripe-pay-page"),
]
