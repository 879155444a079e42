"""Checkout benchmark: our request path and PostgreSQL, with the providers answered
in-process at their HTTP boundary by `responses` (their own latency is not ours to measure).

Measures, for the payment-first Razorpay flow:
- latency of create-from-cart and verify, one shopper after another (p50, p95);
- fulfilment throughput when verify and the webhook race for every payment on 8 threads,
  and that each payment still gives exactly one order and one stock decrement;
- peak Python memory allocated while serving the sequential checkouts.
Exits 1 when a target is missed. Run it with bench/run.sh."""

import os
import statistics
import sys
import threading
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import responses  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from orders.models import Order, ProductVariant  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from tests.factories import VariantFactory  # noqa: E402
from tests.payments.razorpay_fakes import (  # noqa: E402
    ADDRESS,
    checkout_signature,
    mock_order_create,
    payment_entity,
    post_webhook,
    webhook_body,
)

SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", "200"))
RACED = int(os.environ.get("BENCH_RACED", "200"))
MEMORY_CHECKOUTS = 100
THREADS = 8
# Regression guards for one 2-core machine (see bench/README.md for why these numbers).
TARGETS = {
    "create_p95_ms": 50.0,  # at most
    "verify_p95_ms": 50.0,  # at most
    "fulfilled_per_second": 25.0,  # at least
    "peak_memory_mb": 32.0,  # at most, for MEMORY_CHECKOUTS checkouts
}


def add_to_cart(api, variant) -> None:
    api.post(
        "/api/cart/items/",
        {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1},
        format="json",
    )


def create_payment(api) -> str:
    answer = api.post(
        "/api/payments/create-from-cart/",
        {"shipping_address": ADDRESS, "billing_address": ADDRESS},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["razorpay_order_id"]


def verify(api, order_id: str, payment_id: str):
    answer = api.post(
        "/api/payments/verify/",
        {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": checkout_signature(order_id, payment_id),
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    return answer


def checkout(api, variant) -> str:
    add_to_cart(api, variant)
    return create_payment(api)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def shopper(name: str):
    return client_for(User.objects.create_user(f"{name}@bench.example", "bench-pass-123"))


def sequential(variant) -> dict:
    creates, verifies = [], []
    for i in range(SEQUENTIAL):
        api = shopper(f"seq{i}")
        add_to_cart(api, variant)
        start = time.perf_counter()
        order_id = create_payment(api)
        created = time.perf_counter()
        verify(api, order_id, f"pay_seq{i}")
        creates.append((created - start) * 1000)
        verifies.append((time.perf_counter() - created) * 1000)
    return {
        "create_p50_ms": statistics.median(creates),
        "create_p95_ms": p95(creates),
        "verify_p50_ms": statistics.median(verifies),
        "verify_p95_ms": p95(verifies),
    }


def memory(variant) -> dict:
    """A separate pass: tracemalloc slows every request several times over."""
    tracemalloc.start()
    for i in range(MEMORY_CHECKOUTS):
        api = shopper(f"mem{i}")
        verify(api, checkout(api, variant), f"pay_mem{i}")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"peak_memory_mb": peak}


def raced(variant) -> dict:
    work = []
    for i in range(RACED):
        user = User.objects.create_user(f"race{i}@bench.example", "bench-pass-123")
        work.append((user, checkout(client_for(user), variant)))
    stock_before = ProductVariant.objects.get(pk=variant.pk).stock
    orders_before = Order.objects.count()
    jobs = []
    for user, order_id in work:
        body = webhook_body(
            "payment.captured", payment_entity(order_id, 10000, payment_id=f"pay_{order_id}")
        )
        jobs.append(lambda u=user, o=order_id: verify(client_for(u), o, f"pay_{o}"))
        jobs.append(lambda b=body: post_webhook(APIClient(), b))
    lock = threading.Lock()

    def worker():
        try:
            while True:
                with lock:
                    if not jobs:
                        return
                    job = jobs.pop()
                job()
        finally:
            connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    made = Order.objects.count() - orders_before
    taken = stock_before - ProductVariant.objects.get(pk=variant.pk).stock
    assert made == RACED and taken == RACED, f"{made} orders and {taken} units for {RACED} payments"
    return {"fulfilled_per_second": RACED / elapsed, "raced_seconds": elapsed}


def main() -> int:
    call_command("migrate", verbosity=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_order_create(rsps)
        variant = VariantFactory(price="100.00", stock=1_000_000, sku="BENCH-1")
        results = sequential(variant) | raced(variant) | memory(variant)

    missed = []
    lines = [
        f"## {date.today()} ({os.cpu_count()} cores, {SEQUENTIAL} sequential, {RACED} raced)",
        "",
    ]
    lines += ["| measure | result | target |", "|---|---|---|"]
    for name, value in results.items():
        target = TARGETS.get(name)
        bound = ""
        if target is not None:
            at_least = name == "fulfilled_per_second"
            bound = f"{'≥' if at_least else '≤'} {target:g}"
            if (value < target) if at_least else (value > target):
                missed.append(name)
        lines.append(f"| {name} | {value:.1f} | {bound} |")
    report = "\n".join(lines) + "\n"
    print(report)
    with open(ROOT / "bench" / "results.md", "a") as out:
        out.write(report + "\n")
    if missed:
        print("Missed targets:", ", ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
