"""Outbound events delivered by two relay workers: 1,000 events to 5 endpoints — two
healthy, one slow (20 ms an answer), one failing (500) and one timing out — over real HTTP
to a receiver process, against PostgreSQL. Every event must reach each healthy endpoint (the
slow one included) exactly once per event id. Measured twice in one run: with only the
three answering endpoints, then with all five; the target is the rate with the bad two
≥ 0.8 × without them (a dead receiver never holds up the others). Timeouts are 2 s here
(OUTBOUND_TIMEOUT_SECONDS) so the run stays short. Results go to bench/results/."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench as hb

EVENTS = 1000
HEALTHY = ("/a", "/b", "/slow")
BAD = ("/fail", "/timeout")
RECEIVER = r"""
import json, sys, threading, time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
seen, lock = {}, threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _answer(self, code, body=b""):
        self.send_response(code); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        with lock: counts = {p: dict(c) for p, c in seen.items()}
        self._answer(200, json.dumps(counts).encode())
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/timeout": time.sleep(3)
        if self.path == "/slow": time.sleep(0.02)
        with lock: seen.setdefault(self.path, Counter())[self.headers["webhook-id"]] += 1
        self._answer(500 if self.path == "/fail" else 200)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
WORKER = r"""
import sys, time, django
django.setup()
from outbound.models import Delivery
from outbound.relay import outbound_relay
healthy = sys.argv[1].split(",")
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    outbound_relay(batch=20, seconds=5)
    if not Delivery.objects.filter(endpoint__url__in=healthy, status="pending").exists():
        break
"""


def run(paths: tuple[str, ...], receiver: str, env: dict) -> dict:
    import requests
    from django.db import transaction
    from django.utils import timezone

    from outbound.models import Attempt, Delivery, Endpoint, Event
    from outbound.services import event_record
    from outbound.signing import secret_new

    Event.objects.all().delete()
    Endpoint.objects.all().delete()
    later = timezone.now() + timedelta(hours=1)  # held until the workers start
    for path in paths:
        Endpoint.objects.create(url=f"{receiver}{path}", secret=secret_new(), paused_until=later)
    now = timezone.now()
    paid = {"order_number": "202612060001", "status": "payment_confirmed",
            "payment_status": "paid", "currency": "INR", "subtotal": Decimal("1180.00"),
            "discount_total": Decimal("0"), "total": Decimal("1180.00"), "coupon_code": "",
            "shipping_address": None, "billing_address": None, "items": [], "paid_at": now,
            "created_at": now, "updated_at": now, "dispute_status": None}  # fmt: skip
    started = time.perf_counter()
    for n in range(EVENTS):
        with transaction.atomic():
            event_record(type="order.paid", data=paid | {"id": n})
    written = time.perf_counter() - started
    ids = set(Event.objects.values_list("public_id", flat=True))
    before = requests.get(receiver, timeout=10).json()
    Endpoint.objects.update(paused_until=None)
    healthy = ",".join(f"{receiver}{p}" for p in HEALTHY)
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, healthy], env=env, cwd=hb.ROOT)
               for _ in range(2)]  # fmt: skip
    for worker in workers:
        worker.wait(timeout=600)
    seconds = time.perf_counter() - started
    after = requests.get(receiver, timeout=10).json()
    got = {p: {i: n - before.get(p, {}).get(i, 0) for i, n in after.get(p, {}).items()}
           for p in HEALTHY}  # fmt: skip
    problems = {
        p: {"missing": len(ids - {i for i, n in got[p].items() if n}),
            "twice_or_more": sum(1 for n in got[p].values() if n > 1)}
        for p in HEALTHY
    }  # fmt: skip
    exact = not any(v for problem in problems.values() for v in problem.values())
    return {
        "endpoints": len(paths), "events_written_per_second": round(EVENTS / written),
        "seconds": round(seconds, 2), "events_per_second": round(EVENTS / seconds),
        "deliveries_delivered": Delivery.objects.filter(status="delivered").count(),
        "attempts_at_bad": {p: sum(after.get(p, {}).values()) for p in BAD},
        "exactly_once_to_healthy": exact, "problems": problems,
        "healthy_attempts_not_delivered": list(
            Attempt.objects.filter(delivery__endpoint__url__in=healthy.split(","))
            .exclude(outcome="delivered").values_list("outcome", "error")[:20]
        ),
    }  # fmt: skip


def main() -> int:
    hb.RESULTS.mkdir(exist_ok=True)
    processes = hb.Processes()
    port = hb.free_port()
    receiver = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "OUTBOUND_ALLOW_PRIVATE_TARGETS": "1",
            "OUTBOUND_TIMEOUT_SECONDS": "2", "PYTHONPATH": str(hb.ROOT)}  # fmt: skip
    try:
        processes.start([sys.executable, "-c", RECEIVER, str(port)], env, "receiver.log")
        hb.wait_until_up(receiver)
        os.environ.update(env)
        sys.path.insert(0, str(hb.ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        clean = run(HEALTHY, receiver, env)
        troubled = run(HEALTHY + BAD, receiver, env)
    finally:
        processes.stop_all()
    ratio = round(troubled["events_per_second"] / clean["events_per_second"], 2)
    held = ratio >= 0.8 and clean["exactly_once_to_healthy"] and troubled["exactly_once_to_healthy"]
    lines = ["| endpoints | events/s delivered | seconds | exactly once to healthy | attempts at failing, timing out |",
             "|---|---|---|---|---|"]  # fmt: skip
    for result in (clean, troubled):
        lines.append(f"| {result['endpoints']} | {result['events_per_second']} | {result['seconds']} | {result['exactly_once_to_healthy']} | {result['attempts_at_bad']} |")  # fmt: skip
    lines += ["", f"events written (event + deliveries, one transaction each): {clean['events_written_per_second']}/s with 3 endpoints, {troubled['events_written_per_second']}/s with 5",
              f"with the failing and timing-out endpoints ÷ without: {ratio} (target ≥ 0.8): {'held' if held else 'MISSED'}"]  # fmt: skip
    report = "\n".join(lines)
    print(report)
    (hb.RESULTS / "outbound.md").write_text(report + "\n")
    (hb.RESULTS / "outbound.json").write_text(json.dumps([clean, troubled], indent=2))
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
