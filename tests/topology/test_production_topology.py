"""The production topology for real (scripts/serve.sh, DEBUG off): nginx in front of two
gunicorn app servers, a Celery worker and beat, PostgreSQL, Redis, and the sandbox
providers as their own process. Checkouts go through the load balancer; an app server and
the worker are killed mid-run; at the end every payment made exactly one order, booking or
refund."""

import json
import os
import re
import signal
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import psycopg2
import pytest
import requests

from tests.conftest import free_port
from tests.sandbox_checkout import pay_razorpay_without_webhook

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = {
    "full_name": "Asha Rao",
    "address_line_1": "1 Road",
    "city": "Pune",
    "postal_code": "411001",
}


class Topology:
    def __init__(self, directory: Path):
        self.dir = directory
        self.base = f"http://127.0.0.1:{free_port()}"
        # Nothing of this test process's settings leaks into the topology.
        self.clean_env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
        self.process = subprocess.Popen(
            ["./scripts/serve.sh"],
            cwd=ROOT,
            env=self.clean_env
            | {
                "SERVE_PORT": self.base.rsplit(":", 1)[1],
                "SERVE_DIR": str(directory),
                "RECONCILE_EVERY_SECONDS": "2",
                "RECONCILE_OLDER_THAN_SECONDS": "1",
            },
            stdout=open(directory / "serve.out", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while "is up" not in (directory / "serve.out").read_text():
            assert self.process.poll() is None, (directory / "serve.out").read_text()
            assert time.monotonic() < deadline, "serve.sh did not come up"
            time.sleep(0.5)
        self.env = self._read_env()

    def _read_env(self) -> dict:
        text = (self.dir / "providers.env").read_text() + (self.dir / "app.env").read_text()
        return dict(re.findall(r"(\w+)=(\S+)", text))

    def stop(self) -> None:
        """Ctrl-C, as an operator would. serve.sh bounds its own stop (40 s for the
        processes, 20 s for PostgreSQL) and names whatever it had to kill."""
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            left = subprocess.run(
                ["ps", "-o", "pid,stat,etimes,args", "--sid", str(self.process.pid)],
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            os.killpg(self.process.pid, signal.SIGKILL)
            log = (self.dir / "serve.out").read_text()[-3000:]
            raise AssertionError(
                f"serve.sh did not stop in 90 s; still running:\n{left}\n{log}"
            ) from None
        log = (self.dir / "serve.out").read_text()
        assert self.process.returncode == 0, log[-3000:]
        # Within the bound but not graceful: say which, so a slow stop is seen in CI's log.
        for line in re.findall(r".* did not stop within .*", log):
            warnings.warn(f"serve.sh: {line}", stacklevel=1)

    def kill(self, name: str) -> None:
        """SIGKILL a process of the topology and its children: no goodbye. Stopped first, so
        a gunicorn master forks no replacement worker that would outlive it."""
        pid = int((self.dir / f"{name}.pid").read_text())
        os.kill(pid, signal.SIGSTOP)
        subprocess.run(["pkill", "-KILL", "-P", str(pid)], check=False)
        os.kill(pid, signal.SIGKILL)

    def database(self):
        return psycopg2.connect(self.env["DATABASE_URL"])

    def manage(self, *command: str) -> subprocess.CompletedProcess:
        """A management command run as an operator would, with the app servers' settings."""
        return subprocess.run(
            ["bash", "-c", f'source "{self.dir}/app.env" && exec .venv/bin/python manage.py "$@"',
             "manage", *command],
            cwd=ROOT, env=self.clean_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def upstreams(self, method: str, path: str, *, at_least: int = 0) -> list[str]:
        """The app server (host:port) that answered each such request, in order. nginx
        writes a line just after answering, so wait for `at_least` of them."""
        deadline = time.monotonic() + 10
        while True:
            lines = (self.dir / "nginx-access.log").read_text().splitlines()
            found = [line.split()[3] for line in lines if line.startswith(f"{method} {path} ")]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    running = Topology(tmp_path_factory.mktemp("topology"))
    yield running
    running.stop()


class Shopper:
    def __init__(self, base: str, email: str = "demo@example.com", password: str = "demo-pass-123"):
        self.base = base
        tokens = requests.post(
            f"{base}/api/accounts/token/", json={"email": email, "password": password}, timeout=10
        )
        tokens.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {tokens.json()['access']}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, f"{self.base}{path}", timeout=30, **kwargs)

    def razorpay_checkout(self, *, drop_webhook: bool = False) -> tuple[str, dict]:
        added = self.call(
            "POST", "/api/cart/items/", json={"product_id": 1, "variant_id": 1, "quantity": 1}
        )
        assert added.status_code == 201, added.text
        body = {"shipping_address": ADDRESS, "billing_address": ADDRESS}
        order_id = self.call("POST", "/api/payments/create-from-cart/", json=body).json()[
            "razorpay_order_id"
        ]
        return order_id, self.pay(order_id, drop_webhook=drop_webhook)

    def pay(self, order_id: str, *, drop_webhook: bool) -> dict:
        if drop_webhook:
            return pay_razorpay_without_webhook(self.base, order_id)
        return press_pay(
            self.base, f"/sandbox/razorpay/pay/{order_id}/?callback=/demo/razorpay-return"
        )

    def verify(self, checkout: dict) -> requests.Response:
        return self.call("POST", "/api/payments/verify/", json=checkout)


def press_pay(base: str, path: str) -> dict:
    """Press Pay on a sandbox page (its webhook delivered); where the browser goes next."""
    browser = requests.Session()
    page = browser.get(f"{base}{path}", timeout=10).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    back = browser.post(
        f"{base}{path}",
        data={"csrfmiddlewaretoken": csrf, "outcome": "pay"},
        headers={"Referer": f"{base}{path}"},
        allow_redirects=False,
        timeout=30,
    )
    return dict(parse_qsl(urlsplit(back.headers["Location"]).query)) | {
        "_location": back.headers["Location"]
    }


def count(topology, sql: str, *params) -> int:
    with topology.database() as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_checkouts_through_the_load_balancer_land_on_both_app_servers(topology):
    shopper = Shopper(topology.base)
    for _ in range(3):
        _, checkout = shopper.razorpay_checkout()
        checkout.pop("_location")
        answer = shopper.verify(checkout)
        assert answer.status_code == 200 and answer.json()["order_created"] is True
    webhooks = topology.upstreams("POST", "/api/payments/webhook/razorpay/", at_least=3)
    returns = topology.upstreams("POST", "/api/payments/verify/", at_least=3)
    assert len(webhooks) == len(returns) == 3
    # The webhook and the browser's return of one payment landed on different servers.
    assert any(hook != back for hook, back in zip(webhooks, returns, strict=True))
    assert len(set(webhooks + returns)) == 2

    # PhonePe: booking cart, pay, webhook (confirmed with the status API), browser return.
    slot = {
        "service_type": "PUJA",
        "puja_service": 1,
        "package": 1,
        "selected_date": "2031-01-01",
        "selected_time": "6:30 PM",
    }
    cart = shopper.call("POST", "/api/cart/carts/", json=slot).json()
    order = shopper.call("POST", "/api/payments/cart/", json={"cart_id": cart["cart_id"]}).json()
    pay_url = order["data"]["payment_order"]["phonepe_payment_url"]
    assert pay_url.startswith(topology.base)
    back = press_pay(topology.base, pay_url.removeprefix(topology.base))["_location"]
    landing = requests.get(back, allow_redirects=False, timeout=30)
    assert landing.status_code == 302 and "/demo/confirmbooking?" in landing.headers["Location"]
    status = shopper.call("GET", f"/api/payments/cart/status/{cart['cart_id']}/").json()["data"]
    assert status["booking_created"] is True and status["payment_status"] == "SUCCESS"


def test_a_payment_link_made_by_staff_is_paid_through_the_load_balancer(topology):
    desk = Shopper(topology.base, "admin@example.com", "admin-pass-123")
    booking = {
        "puja_service": 1,
        "package": 1,
        "selected_date": "2031-03-03",
        "selected_time": "07:00",
    }
    made = desk.call(
        "POST",
        "/api/payments/links/",
        json={"customer": {"email": "lb.devotee@example.com", "name": "Uma"}, "booking": booking},
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["short_url"].startswith(topology.base)
    # The sandbox sends the browser back to the callback on this site (a path).
    back = press_pay(topology.base, link["short_url"].removeprefix(topology.base))["_location"]
    landing = requests.get(f"{topology.base}{back}", allow_redirects=False, timeout=30)
    assert landing.status_code == 302
    assert landing.headers["Location"].endswith(f"/confirmbooking?payment_id={link['payment_id']}")
    booked = "SELECT count(*) FROM bookings_booking WHERE payment_id = %s AND status = 'CONFIRMED'"
    assert count(topology, booked, link["payment_id"]) == 1
    listed = desk.call("GET", "/api/payments/links/").json()
    assert [row["status"] for row in listed if row["payment_id"] == link["payment_id"]] == ["paid"]


def test_metrics_sum_every_process_and_log_lines_carry_the_load_balancers_request_id(topology):
    """After the checkouts above: a scrape answered by either app server counts every
    payment made on both, and the worker's jobs; nginx's request id is in the JSON logs."""
    assert requests.get(f"{topology.base}/metrics", timeout=10).status_code == 403
    token = {"Authorization": f"Bearer {topology.env['METRICS_TOKEN']}"}
    created = count(topology, "SELECT count(*) FROM payments_payment")
    deadline = time.monotonic() + 30
    while True:  # the worker sends the receipts a moment after the checkouts
        scrapes = [
            requests.get(f"{topology.base}/metrics", headers=token, timeout=10) for _ in "ab"
        ]
        texts = [scrape.text for scrape in scrapes]
        if (
            all('task="orders.tasks.send_receipt"' in t for t in texts)
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.5)
    assert len(set(topology.upstreams("GET", "/metrics", at_least=3)[-2:])) == 2
    for text in texts:
        initiated = re.findall(
            r'paycart_payments_total\{provider="\w+",status="INITIATED"\} (\S+)', text
        )
        assert sum(float(n) for n in initiated) == created
        assert re.search(
            r'paycart_task_runs_total\{outcome="succeeded",task="orders.tasks.send_receipt"\} [1-9]',
            text,
        )

    request_id = scrapes[0].headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # made by nginx, kept by the app
    logged = [
        json.loads(line)
        for name in ("app1.log", "app2.log")
        for line in (topology.dir / name).read_text().splitlines()
        if line.startswith("{")
    ]
    assert any(
        line["event"] == "request_finished" and line["request_id"] == request_id for line in logged
    )
    assert {"payment_status_changed", "webhook_delivery", "provider_call"} <= {
        line["event"] for line in logged
    }


def test_a_manage_links_token_is_in_no_log_of_nginx_or_either_app_server(topology):
    """A manage link is a bearer secret: nginx's access log, gunicorn's and the request log
    show its path masked."""
    token = "0123456789abcdef0123456789abcdef.NotARealSignature_x"
    for _ in "ab":  # both app servers
        answer = requests.get(f"{topology.base}/api/manage/{token}/invoice/", timeout=10)
        assert answer.status_code == 404
    assert len(topology.upstreams("GET", "/api/manage/[redacted]/invoice/", at_least=2)) == 2
    logs = ["nginx-access.log", "app1.log", "app2.log"]
    deadline = time.monotonic() + 10
    masked = "/api/manage/[redacted]/invoice/"
    while sum((topology.dir / name).read_text().count(masked) for name in logs[1:]) < 2:
        assert time.monotonic() < deadline, "the app servers logged no such request"
        time.sleep(0.2)
    for name in logs:
        assert token not in (topology.dir / name).read_text(), name


def test_the_login_rate_limit_holds_across_both_app_servers(topology):
    email = "limited@example.com"
    register = {"email": email, "password": "a-long-secret-42", "first_name": "L", "last_name": "R"}
    assert requests.post(f"{topology.base}/api/accounts/register/", json=register, timeout=10).ok
    codes = [
        requests.post(
            f"{topology.base}/api/accounts/token/",
            json={"email": email, "password": "wrong-password"},
            timeout=10,
        ).status_code
        for _ in range(12)
    ]
    assert codes == [401] * 10 + [429] * 2
    assert len(set(topology.upstreams("POST", "/api/accounts/token/", at_least=12))) == 2


def test_an_app_server_killed_mid_run_loses_nothing(topology):
    shopper = Shopper(topology.base)

    def read(_):
        return shopper.call("GET", "/api/accounts/me/").status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        before = list(pool.map(read, range(20)))
        topology.kill("app1")
        after = list(pool.map(read, range(40)))
    assert before == after[:20] == [200] * 20 and set(after) == {200}
    orders_before = count(topology, "SELECT count(*) FROM orders_order")
    for _ in range(2):
        _, checkout = shopper.razorpay_checkout()
        checkout.pop("_location")
        assert shopper.verify(checkout).status_code == 200
    assert count(topology, "SELECT count(*) FROM orders_order") == orders_before + 2


def test_a_killed_worker_runs_the_queued_refund_and_receipt_once_after_its_restart(topology):
    shopper = Shopper(topology.base)
    topology.kill("worker")
    time.sleep(1)
    # A paid order whose receipt waits in the queue...
    _, checkout = shopper.razorpay_checkout()
    checkout.pop("_location")
    paid = shopper.verify(checkout).json()
    # ...and a payment whose stock sold out before it was paid: its refund waits too.
    order_id, checkout = shopper.razorpay_checkout(drop_webhook=True)
    with topology.database() as connection, connection.cursor() as cursor:
        cursor.execute("UPDATE orders_productvariant SET stock = 0 WHERE id = 1")
    flagged = shopper.verify(checkout)
    assert flagged.status_code == 409 and flagged.json()["refunded"] is True
    refund_sql = (
        "SELECT count(*) FROM payments_refund r JOIN payments_payment p ON p.id = r.payment_id "
        "WHERE p.provider_order_id = %s AND r.status = %s"
    )
    time.sleep(2)
    assert count(topology, refund_sql, order_id, "REQUESTED") == 1
    mails = lambda: sum(  # noqa: E731
        paid["order_number"] in path.read_text() for path in (topology.dir / "mail").iterdir()
    )
    assert mails() == 0

    command = (
        f'source "{topology.dir}/app.env" && exec .venv/bin/celery -A config worker --loglevel=INFO'
    )
    worker = subprocess.Popen(
        ["bash", "-c", command], cwd=ROOT, env=topology.clean_env,
        stdout=open(topology.dir / "worker2.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while count(topology, refund_sql, order_id, "PROCESSED") == 0 or mails() == 0:
            if time.monotonic() > deadline:
                import redis

                queue = redis.Redis.from_url(topology.env["CELERY_BROKER_URL"])
                raise AssertionError(
                    f"the restarted worker did not run the jobs: {queue.llen('celery')} queued, "
                    f"unacked {queue.hlen('unacked')}, refund processed "
                    f"{count(topology, refund_sql, order_id, 'PROCESSED')}, mails {mails()}"
                )
            time.sleep(0.5)
        time.sleep(2)  # anything that would run twice has had its chance
        assert count(topology, refund_sql, order_id, "PROCESSED") == 1
        assert (
            count(
                topology,
                "SELECT count(*) FROM payments_refund r JOIN payments_payment p ON p.id = r.payment_id "
                "WHERE p.provider_order_id = %s AND r.attempts = 1",
                order_id,
            )
            == 1
        )
        assert mails() == 1

        # Beat's reconciliation completes a payment whose webhook was dropped and which the
        # browser never verified.
        with topology.database() as connection, connection.cursor() as cursor:
            cursor.execute("UPDATE orders_productvariant SET stock = 50 WHERE id = 1")
        lost_order_id, _ = shopper.razorpay_checkout(drop_webhook=True)
        order_sql = (
            "SELECT count(*) FROM payments_payment WHERE provider_order_id = %s "
            "AND status = 'SUCCESS' AND order_id IS NOT NULL"
        )
        deadline = time.monotonic() + 60
        while count(topology, order_sql, lost_order_id) == 0:
            assert time.monotonic() < deadline, "beat's reconciliation did not complete it"
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    # Every payment made exactly one thing: an order (or booking), or a refund.
    assert (
        count(
            topology,
            "SELECT count(*) FROM payments_payment WHERE status = 'SUCCESS' AND order_id IS NULL AND NOT needs_attention AND NOT EXISTS (SELECT 1 FROM bookings_booking b WHERE b.payment_id = payments_payment.id)",
        )
        == 0
    )
    assert (
        count(
            topology,
            "SELECT count(*) FROM (SELECT order_id FROM payments_payment WHERE order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1) t",
        )
        == 0
    )
    assert (
        count(
            topology,
            "SELECT count(*) FROM (SELECT payment_id FROM payments_refund GROUP BY payment_id HAVING count(*) > 1) t",
        )
        == 0
    )
    assert (
        count(
            topology,
            "SELECT count(*) FROM payments_payment WHERE needs_attention AND NOT EXISTS (SELECT 1 FROM payments_refund r WHERE r.payment_id = payments_payment.id)",
        )
        == 0
    )


def test_admin_renders_with_debug_off_its_static_files_hashed_and_every_header_hardened(topology):
    page = requests.get(f"{topology.base}/admin/login/", timeout=10)
    assert page.status_code == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text).group(1)
    sheet = requests.get(f"{topology.base}{css}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert sheet.status_code == 200 and "text/css" in sheet.headers["Content-Type"]
    assert sheet.headers.get("Content-Encoding") == "gzip"  # compressed by whitenoise
    headers = page.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    missing = requests.get(f"{topology.base}/api/nothing-here/", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"].lower() == "not found."


def test_after_everything_above_the_ledger_holds(topology):
    """Checkouts, a killed app server, a killed worker, a dropped webhook: every rupee that
    arrived is fulfilled, refunded or on its way back (the last test of this module)."""
    audited = topology.manage("audit_payments")
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "Ledger holds" in audited.stdout
    checked = int(re.search(r"Ledger holds: (\d+) payments", audited.stdout).group(1))
    assert checked >= 5  # the payments the tests above made
