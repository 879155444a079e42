"""docs/frontend.md's code, run: its `js` blocks as one module in Node against a live
paycart whose providers are the sandbox; only the providers' browser parts (Checkout.js,
Stripe.js, PhonePe's page) are stubbed, by pressing Pay on the sandbox's pages."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bookings.models import Booking
from orders.models import Order

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def snippets() -> str:
    guide = (ROOT / "docs" / "frontend.md").read_text()
    return "\n".join(re.findall(r"```js\n(.*?)```", guide, re.S))


def test_the_frontend_guide_runs_against_a_live_server(sandbox_site, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the frontend guide's test")
    (tmp_path / "snippets.mjs").write_text(snippets())
    harness = tmp_path / "harness.mjs"
    harness.write_text((Path(__file__).parent / "harness.mjs").read_text())
    ran = subprocess.run(
        [node, str(harness), sandbox_site, str(tmp_path / "snippets.mjs")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.strip().splitlines()[-1])

    razorpay = result["razorpay"]
    assert razorpay["order_created"] is True and razorpay["order_number"]
    assert result["refreshRotated"] is True and result["razorpayTimeout"] > 0
    assert Order.objects.get(order_number=razorpay["order_number"]).status == "payment_confirmed"

    assert result["stripeMountedOn"] == "#checkout"
    assert result["stripeOrder"]["status"] == "payment_confirmed"

    assert result["phonepeLanding"] == "/demo/confirmbooking"
    phonepe = result["phonepe"]
    assert phonepe["status"] == "SUCCESS" and phonepe["booking_ids"]
    assert Booking.objects.get(book_id=phonepe["booking_ids"][0]).status == "CONFIRMED"

    assert result["held"]["status"] == 409
    assert result["held"]["message"].startswith("Someone else is paying for this right now.")
