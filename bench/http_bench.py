"""Checkout over HTTP, measured against the framework's own floor in the same run.

The service runs under gunicorn with the production configuration (DEBUG off, persistent
connections, Redis as the job broker) against the throwaway PostgreSQL that bench/run.sh
starts; Razorpay is answered by a lean emulator in its own process (razorpay_emulator.py),
so the provider's side costs next to nothing on the shared cores. An asyncio/httpx client
with 8 concurrent requests loads, in order:

  (a) GET /api/accounts/me/               the floor: JWT + one user read
  (b) POST /api/cart/items/               add to cart
  (c) POST /api/payments/create-from-cart/ (the emulator creates the Razorpay order)
  (d) POST /api/payments/verify/           that fulfils (the emulator confirms the capture)
  (e) POST /api/payments/webhook/razorpay/ that fulfils
  (f) 200 concurrent duplicate webhooks for one payment: exactly one order, no 5xx

(b) to (e) each have the floor measured again right before and after them, and their
ratios are taken against that floor. Then (a) and (b) again for 1, 2 and 4 gunicorn
workers. Everything stays on loopback and every phase is bounded in requests and time.
Results go to bench/results/ (ignored by git) as JSON and Markdown; the targets are checked
here, and the exit status says whether they held."""

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
USERS = int(os.environ.get("BENCH_USERS", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
FLOOR_REQUESTS = int(os.environ.get("BENCH_FLOOR_REQUESTS", "1000"))
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "30"))
GUNICORN_WORKERS, GUNICORN_THREADS = 3, 8
TARGETS = {
    "create-from-cart throughput ≥ 0.40 × floor": lambda r: r["c"]["ratio"] >= 0.40,
    "verify throughput ≥ 0.40 × floor": lambda r: r["d"]["ratio"] >= 0.40,
    "webhook throughput ≥ 0.40 × floor": lambda r: r["e"]["ratio"] >= 0.40,
    "verify p99 ≤ 5 × floor p99": lambda r: r["d"]["p99_ms"] <= 5 * r["d"]["floor_p99_ms"],
    "webhook storm: one order, no 5xx": lambda r: r["f"]["orders"] == 1 and r["f"]["5xx"] == 0,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hex_hmac(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


class Processes:
    """Background processes started by the benchmark, stopped however it ends."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict, log: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=open(RESULTS / log, "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def gunicorn(port: int, workers: int, threads: int) -> list[str]:
    return [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
        "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "/dev/null",
    ]  # fmt: skip


def worker_memory_mb(master: subprocess.Popen) -> float:
    """Resident memory of each gunicorn worker (the master's children), averaged."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return round(statistics.mean(sizes), 1)


# ---------------------------------------------------------------- load
async def load(base: str, requests: list[dict], *, concurrency: int) -> dict:
    """Send every request (bounded by PHASE_SECONDS); latency percentiles and req/s."""
    latencies, statuses, answers, timings = [], [], [], []
    gate = asyncio.Semaphore(concurrency)
    deadline = time.perf_counter() + PHASE_SECONDS
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(spec: dict) -> None:
            async with gate:
                if time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                response = await client.request(**spec)
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)
                answers.append(response)
                timings.append((response.status_code, latencies[-1]))

        started = time.perf_counter()
        await asyncio.gather(*(one(spec) for spec in requests))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "5xx": sum(status >= 500 for status in statuses),
        "statuses": sorted(set(statuses)),
        "answers": answers,
        "timings": timings,
    }


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict:
    """CPU time used so far by the whole machine, the app's gunicorn processes, PostgreSQL
    and this load generator: where a request's cost goes, and how busy the machine was."""
    used = {"machine": 0.0, "app": 0.0, "database": 0.0, "load generator": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command = (stat.parent / "cmdline").read_bytes()
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        program = command.split(b"\0", 1)[0]
        group = "app" if b"gunicorn" in command else "database" if b"postgres" in program else ""
        if group:
            used[group] += (int(fields[11]) + int(fields[12])) / TICKS
    busy = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    used["machine"] = (sum(busy) - busy[3] - busy[4]) / TICKS  # all but idle and iowait
    own = os.times()
    used["load generator"] = own.user + own.system
    return used


def phase(base: str, requests: list[dict], *, concurrency: int = CLIENTS) -> dict:
    before = cpu_seconds()
    result = asyncio.run(load(base, requests, concurrency=concurrency))
    after = cpu_seconds()
    result["cpu_ms_per_request"] = {
        group: round((after[group] - before[group]) * 1000 / max(result["requests"], 1), 2)
        for group in after
    }
    return result


# ---------------------------------------------------------------- the scenario
def prepare(env: dict) -> tuple[list[str], int]:
    """Database, catalog and shoppers with tokens (not measured)."""
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "config.settings.base"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from catalog.models import ProductVariant

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    variant = ProductVariant.objects.get(sku="INC-100")
    ProductVariant.objects.filter(pk=variant.pk).update(stock=10**7)
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", first_name="Bench", last_name=str(i))
        for i in range(USERS)
    )
    return [str(AccessToken.for_user(user)) for user in users], variant.pk


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def add_to_cart(token: str, variant_id: int) -> dict:
    body = {"product_id": 2, "variant_id": variant_id, "quantity": 1}
    return {"method": "POST", "url": "/api/cart/items/", "json": body, "headers": auth(token)}


ADDRESS = {
    "full_name": "Bench Shopper",
    "address_line_1": "1 Road",
    "city": "Pune",
    "postal_code": "411001",
}
CHECKOUT = {"shipping_address": ADDRESS, "billing_address": ADDRESS, "payment_method": "razorpay"}


def create_from_cart(token: str) -> dict:
    return {
        "method": "POST",
        "url": "/api/payments/create-from-cart/",
        "json": CHECKOUT,
        "headers": auth(token),
    }


def pay_at_provider(provider: str, razorpay_order_id: str) -> str:
    """The shopper pays in Razorpay's checkout (the emulator records a capture)."""
    return httpx.post(f"{provider}/bench/pay", json={"order_id": razorpay_order_id}).json()["id"]


def captured_webhook(env: dict, razorpay_order_id: str, amount: int, event_id: str) -> dict:
    entity = {"id": f"pay_{secrets.token_hex(7)}", "entity": "payment", "amount": amount,
              "currency": "INR", "status": "captured", "order_id": razorpay_order_id}  # fmt: skip
    body = json.dumps({"entity": "event", "event": "payment.captured",
                       "payload": {"payment": {"entity": entity}}})  # fmt: skip
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": hex_hmac(env["RAZORPAY_WEBHOOK_SECRET"], body),
        "X-Razorpay-Event-Id": event_id,
    }
    return {
        "method": "POST",
        "url": "/api/payments/webhook/razorpay/",
        "content": body,
        "headers": headers,
    }


def open_payments(base: str, tokens: list[str], variant_id: int) -> list[dict]:
    """One fresh payment per shopper (not measured)."""
    phase(base, [add_to_cart(token, variant_id) for token in tokens])
    answers = phase(base, [create_from_cart(token) for token in tokens])["answers"]
    return [answer.json() for answer in answers]


def floor(tokens: list[str], count: int) -> list[dict]:
    return [
        {"method": "GET", "url": "/api/accounts/me/", "headers": auth(tokens[i % USERS])}
        for i in range(count)
    ]


def beside_floor(base: str, tokens: list[str], requests: list[dict]) -> dict:
    """A phase with the floor measured right before and right after it. This machine's
    speed drifts within a run (other tenants, CPU frequency), so each ratio is taken
    against the floor of the same minute, not the one measured first."""
    before = phase(base, floor(tokens, FLOOR_REQUESTS // 2))
    result = phase(base, requests)
    after = phase(base, floor(tokens, FLOOR_REQUESTS // 2))
    result["floor_rps"] = round((before["rps"] + after["rps"]) / 2, 1)
    result["floor_p99_ms"] = round((before["p99_ms"] + after["p99_ms"]) / 2, 1)
    result["ratio"] = round(result["rps"] / result["floor_rps"], 2)
    return result


def checkout_run(base: str, env: dict, tokens: list[str], variant_id: int) -> dict:
    results = {}
    phase(base, floor(tokens, USERS))  # warm-up
    results["a"] = phase(base, floor(tokens, FLOOR_REQUESTS))
    results["b"] = beside_floor(
        base, tokens, [add_to_cart(tokens[i % USERS], variant_id) for i in range(2 * USERS)]
    )
    results["c"] = beside_floor(
        base, tokens, [create_from_cart(tokens[i % USERS]) for i in range(2 * USERS)]
    )
    # The later of each shopper's two payments is the one paid and verified.
    latest = {}
    for answer in results["c"]["answers"]:
        body = answer.json()
        latest[answer.request.headers["Authorization"]] = body["razorpay_order_id"]
    verifies = []
    for authorization, order_id in latest.items():
        payment_id = pay_at_provider(env["RAZORPAY_BASE_URL"], order_id)
        signature = hex_hmac(env["RAZORPAY_KEY_SECRET"], f"{order_id}|{payment_id}")
        body = {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}  # fmt: skip
        verifies.append({"method": "POST", "url": "/api/payments/verify/", "json": body, "headers": {"Authorization": authorization}})  # fmt: skip
    results["d"] = beside_floor(base, tokens, verifies)
    opened = open_payments(base, tokens, variant_id)
    webhooks = [captured_webhook(env, p["razorpay_order_id"], p["amount"], f"evt_{i}") for i, p in enumerate(opened)]  # fmt: skip
    results["e"] = beside_floor(base, tokens, webhooks)
    storm = open_payments(base, tokens[:1], variant_id)[0]
    duplicate = captured_webhook(env, storm["razorpay_order_id"], storm["amount"], "evt_storm")
    results["f"] = phase(base, [duplicate] * 200, concurrency=200)
    from orders.models import Order

    results["f"]["orders"] = Order.objects.filter(payments__pk=storm["payment_id"]).count()
    for key, expected in {"b": 201, "c": 201, "d": 200, "e": 200}.items():
        assert results[key]["statuses"] == [expected], (key, results[key]["statuses"])
    return results


def environments(*, provider_port: int, redis_port: int) -> tuple[dict, dict]:
    """The provider emulator's environment and the service's (production settings)."""
    providers = {
        "RAZORPAY_KEY_ID": "rzp_test_bench", "RAZORPAY_KEY_SECRET": "bench-razorpay-secret",
        "RAZORPAY_WEBHOOK_SECRET": "bench-razorpay-webhook-secret",
        "PHONEPE_CLIENT_ID": "BENCH", "PHONEPE_CLIENT_SECRET": "bench-phonepe-secret",
        "PHONEPE_CLIENT_VERSION": "1", "PHONEPE_ENV": "UAT",
        "PHONEPE_WEBHOOK_USERNAME": "benchhook", "PHONEPE_WEBHOOK_PASSWORD": "benchhook123",
        "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "DATABASE_URL": os.environ["DATABASE_URL"], "PATH": os.environ["PATH"],
    }  # fmt: skip
    provider = f"http://127.0.0.1:{provider_port}"
    app_env = providers | {
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "FRONTEND_BASE_URL": "http://127.0.0.1/shop", "EMAIL_HOST": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "API_THROTTLING": "0",
        # No worker recycling mid-run: a restart would land in whichever phase it hit.
        "GUNICORN_MAX_REQUESTS": "0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1",
        # Only Razorpay is called; the others point at the emulator so nothing leaves loopback.
        "RAZORPAY_BASE_URL": provider, "PHONEPE_BASE_URL": provider, "STRIPE_API_BASE": provider,
    }  # fmt: skip
    return providers, app_env


def start_backends(processes: Processes, *, provider_port: int, redis_port: int) -> tuple:
    """Redis and the Razorpay emulator, running; the environments to start the app with."""
    providers, app_env = environments(provider_port=provider_port, redis_port=redis_port)
    processes.start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""], app_env, "redis.log")  # fmt: skip
    emulator = [sys.executable, "bench/razorpay_emulator.py", str(provider_port),
                providers["RAZORPAY_KEY_ID"], providers["RAZORPAY_KEY_SECRET"]]  # fmt: skip
    processes.start(emulator, providers, "provider.log")
    wait_until_up(f"http://127.0.0.1:{provider_port}")
    return providers, app_env


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    processes = Processes()
    redis_port, provider_port, app_port = free_port(), free_port(), free_port()
    try:
        _, app_env = start_backends(processes, provider_port=provider_port, redis_port=redis_port)
        tokens, variant_id = prepare(app_env)
        base = f"http://127.0.0.1:{app_port}"
        app = processes.start(
            gunicorn(app_port, GUNICORN_WORKERS, GUNICORN_THREADS), app_env, "app.log"
        )
        wait_until_up(f"{base}/api/health/")
        results = checkout_run(base, app_env, tokens, variant_id)
        results["memory_mb_per_worker"] = worker_memory_mb(app)
        processes.stop(app)
        results["scaling"] = {}
        for workers in (1, 2, 4):
            app = processes.start(gunicorn(app_port, workers, GUNICORN_THREADS), app_env, "app.log")
            wait_until_up(f"{base}/api/health/")
            phase(
                base,
                [{"method": "GET", "url": "/api/accounts/me/", "headers": auth(t)} for t in tokens],
            )
            floor = phase(base, [{"method": "GET", "url": "/api/accounts/me/", "headers": auth(tokens[i % USERS])} for i in range(FLOOR_REQUESTS)])  # fmt: skip
            cart = phase(
                base, [add_to_cart(tokens[i % USERS], variant_id) for i in range(2 * USERS)]
            )
            results["scaling"][workers] = {
                "floor_rps": floor["rps"],
                "add_to_cart_rps": cart["rps"],
            }
            processes.stop(app)
    finally:
        processes.stop_all()
    return report(results)


NAMES = {
    "a": "GET /api/accounts/me/ (floor)",
    "b": "POST /api/cart/items/",
    "c": "POST /api/payments/create-from-cart/",
    "d": "POST /api/payments/verify/ (fulfils)",
    "e": "POST /api/payments/webhook/razorpay/ (fulfils)",
    "f": "200 concurrent duplicate webhooks",
}


def report(results: dict) -> int:
    for key in NAMES:
        results[key].pop("answers", None)
        results[key].pop("timings", None)
    checks = {name: bool(check(results)) for name, check in TARGETS.items()}
    machine = f"{os.cpu_count()} cores, {platform_line()}"
    lines = [
        f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine}; gunicorn {GUNICORN_WORKERS} workers × "
        f"{GUNICORN_THREADS} threads, {CLIENTS} concurrent clients, {USERS} users.",
        "",
        "| request | req/s | floor req/s beside it | share of the floor | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, name in NAMES.items():
        row = results[key]
        share = "1.00" if key == "a" else f"{row.get('ratio', ''):.2f}" if "ratio" in row else ""
        beside = row.get("floor_rps", "")
        lines.append(f"| ({key}) {name} | {row['rps']} | {beside} | {share} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |")  # fmt: skip
    lines += [
        "",
        "CPU per request in ms (on the two cores the load generator and PostgreSQL share):",
        "",
        "| request | machine | app (gunicorn) | PostgreSQL | load generator |",
        "|---|---|---|---|---|",
        *(
            f"| ({key}) | " + " | ".join(str(v) for v in results[key]["cpu_ms_per_request"].values()) + " |"
            for key in "abcde"
        ),
    ]  # fmt: skip
    storm = results["f"]
    lines += [
        "",
        f"Storm: {storm['orders']} order, {storm['5xx']} answers 5xx. Memory per gunicorn worker "
        f"after the run: {results['memory_mb_per_worker']} MB.",
        "",
        "| gunicorn workers (× 8 threads) | floor req/s | add-to-cart req/s |",
        "|---|---|---|",
        *(
            f"| {w} | {s['floor_rps']} | {s['add_to_cart_rps']} |"
            for w, s in results["scaling"].items()
        ),
        "",
        "| target | held |",
        "|---|---|",
        *(f"| {name} | {'yes' if held else 'NO'} |" for name, held in checks.items()),
    ]
    markdown = "\n".join(lines) + "\n"
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    (RESULTS / f"http-{stamp}.json").write_text(json.dumps(results | {"targets": checks}, indent=2))
    (RESULTS / f"http-{stamp}.md").write_text(markdown)
    print(markdown)
    print(f"Results: bench/results/http-{stamp}.json and .md")
    return 0 if all(checks.values()) else 1


def platform_line() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown CPU",
    )  # fmt: skip
    return f"{model}, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    sys.exit(main())
