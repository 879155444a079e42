"""The sandbox's event receiver: what a shop's own system (its ERP, courier, priest app)
would be, for the demo. It verifies each delivery's Standard Webhooks signature with the
reference library and the secrets of the endpoints that point here, keeps it, and lists what
it received (GET), newest first, with how often each event id arrived."""

import json
import time
from collections import Counter

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from outbound.models import Endpoint
from simulators.common import new_id

from .models import SandboxOrder

RECEIVED = "receiver"
SHOWN = 100


def _verified(body: bytes, headers: dict, path: str) -> bool:
    keys = [
        key
        for endpoint in Endpoint.objects.filter(url__endswith=path)
        for key in (endpoint.secret, endpoint.previous_secret)
        if key
    ]
    for key in keys:
        try:
            Webhook(key).verify(body, headers)
            return True
        except WebhookVerificationError:
            continue
    return False


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receiver(request):
    if request.method == "POST":
        headers = {name: request.headers.get(name, "") for name in
                   ("webhook-id", "webhook-timestamp", "webhook-signature")}  # fmt: skip
        try:
            event = json.loads(request.body)
            kind = str(event.get("type", ""))
        except (ValueError, AttributeError):
            kind = ""
        SandboxOrder.objects.create(
            provider=RECEIVED, external_id=new_id("rcv_"), amount=0, currency="INR",
            status="verified" if _verified(request.body, headers, request.path) else "unverified",
            data={"event_id": headers["webhook-id"], "type": kind, "at": int(time.time()),
                  "body": request.body.decode("utf-8", "replace")[:4000]},
        )  # fmt: skip
        return HttpResponse(status=204)
    received = list(SandboxOrder.objects.filter(provider=RECEIVED).order_by("-pk")[:SHOWN])
    times = Counter(row.data["event_id"] for row in received)
    rows = [
        {"at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.data["at"])),
         "id": row.data["event_id"], "type": row.data["type"], "status": row.status,
         "times": times[row.data["event_id"]], "body": row.data["body"]}
        for row in received
    ]  # fmt: skip
    return render(request, "sandbox/receiver.html", {"rows": rows})
