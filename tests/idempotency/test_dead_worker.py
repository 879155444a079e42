"""A creating request whose worker died is taken over within seconds: the gunicorn master
releases the dead worker's Idempotency-Key claims when it reaps it, so the shopper's retry
with the same key runs at once, and the dead request's payment is expired so the shopper
is left with exactly one open payment. Real processes: gunicorn on the test PostgreSQL,
a Razorpay stand-in that keeps the first order request hanging, SIGKILL on the worker."""

import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from payments.models import Payment, PaymentStatus
from tests.conftest import free_port
from tests.factories import UserFactory, VariantFactory, shop_cart_of
from tests.servers import stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = {"full_name": "Asha Rao", "address_line_1": "1 Road", "city": "Pune", "postal_code": "411001"}  # fmt: skip


class HangingRazorpay(ThreadingHTTPServer):
    """POST /v1/orders: the first request hangs (its worker is killed meanwhile); the
    others are answered at once."""

    def __init__(self):
        self.first_arrived, self.release = threading.Event(), threading.Event()
        self.orders: list[str] = []
        super().__init__(("127.0.0.1", free_port()), OrdersHandler)


class OrdersHandler(BaseHTTPRequestHandler):
    server: HangingRazorpay

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not self.server.first_arrived.is_set():
            self.server.first_arrived.set()
            self.server.release.wait(30)
            return
        order_id = f"order_RETRY{len(self.server.orders):05d}"
        self.server.orders.append(order_id)
        answer = {"id": order_id, "entity": "order", "amount": body["amount"],
                  "currency": body["currency"], "receipt": body.get("receipt"), "status": "created"}  # fmt: skip
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def razorpay():
    server = HangingRazorpay()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()


@pytest.fixture
def gunicorn(razorpay, transactional_db, tmp_path, request):
    database = connection.settings_dict
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env |= {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,  # the shopper's token is signed in this process
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLING": "0",
        "RAZORPAY_KEY_ID": "rzp_test_deadworker",
        "RAZORPAY_KEY_SECRET": "dead-worker-secret",
        "RAZORPAY_WEBHOOK_SECRET": "dead-worker-webhook-secret",
        "RAZORPAY_BASE_URL": f"http://127.0.0.1:{razorpay.server_address[1]}",
        "PAYMENT_PROVIDERS": "razorpay",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_TIMEOUT": "120",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    master = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    request.addfinalizer(lambda: stop(master))  # registered before waiting: stopped whatever
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(
        f"{base}/api/health/live/",
        alive=lambda: master.poll() is None,
        why=lambda: (tmp_path / "gunicorn.log").read_text(),
    )
    yield base, master, tmp_path / "gunicorn.log"


def workers_of(master) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_a_retry_after_the_worker_died_runs_within_seconds_and_leaves_one_open_payment(
    razorpay, gunicorn
):
    base, master, log = gunicorn
    user = UserFactory()
    shop_cart_of(user, variant=VariantFactory(price="100.00", stock=5), quantity=1)
    headers = {
        "Authorization": f"Bearer {RefreshToken.for_user(user).access_token}",
        "Idempotency-Key": "checkout-1",
    }
    body = {"shipping_address": ADDRESS, "billing_address": ADDRESS, "payment_method": "razorpay"}

    def checkout(timeout=30):
        return requests.post(
            f"{base}/api/payments/create-from-cart/", json=body, headers=headers, timeout=timeout
        )

    died: list = []

    def first_request():  # answered by nobody: its worker is killed mid-request
        try:
            checkout()
        except requests.RequestException as exc:
            died.append(exc)

    first = threading.Thread(target=first_request)
    first.start()
    assert razorpay.first_arrived.wait(20), log.read_text()
    # While the first request runs, a retry is told to come back, and when.
    running = checkout()
    assert running.status_code == 409 and running.headers["Retry-After"] == "2"
    (worker,) = workers_of(master)
    os.kill(worker, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:
        answer = checkout()
        if answer.status_code != 409:
            break
        assert time.monotonic() - killed_at < 10, "the dead request still blocks its key"
        time.sleep(int(answer.headers["Retry-After"]) / 4)
    waited = time.monotonic() - killed_at
    assert answer.status_code == 201, answer.text
    assert waited < 5, f"the retry ran {waited:.1f} s after the worker died"
    first.join(timeout=30)
    assert died, "the first request was answered although its worker was killed"
    # The shopper has exactly one open payment: the retry's, on the stand-in's one order.
    payments = Payment.objects.filter(user=user)
    open_ones = payments.filter(status__in=[PaymentStatus.INITIATED, PaymentStatus.PENDING])
    assert [str(p.pk) for p in open_ones] == [answer.json()["payment_id"]]
    assert open_ones.get().provider_order_id == razorpay.orders[0] and len(razorpay.orders) == 1
    dead = payments.exclude(pk=open_ones.get().pk).get()
    assert dead.status == PaymentStatus.EXPIRED and not dead.provider_order_id
    assert "Released 1 idempotency claim(s) of dead worker" in log.read_text()
    # And the same key now answers the retry's answer again.
    assert checkout().json() == answer.json()
