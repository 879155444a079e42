"""A flash sale over HTTP: N shoppers (BENCH_SHOPPERS, default 400) race for the last M
units (BENCH_UNITS, default 50) of one variant, under gunicorn on PostgreSQL, with the
production configuration (bench/http_bench.py's setup: DEBUG off, Redis broker, the lean
Razorpay emulator). Run by `bash bench/run.sh flash-sale`.

With holds on (CHECKOUT_HOLD_SECONDS=900) exactly M payments are created and the rest are
refused with 409 before any provider order; the M verifies make M orders and no refund.
With holds off, for comparison, every shopper pays and N − M are refunded. Each race has
the floor (GET /api/accounts/me/) measured right before and after it.

Targets, as ratios measured in one run: the p99 of a refused create-from-cart is at most
3 × the floor's p99 (a refusal calls no provider), and a held create-from-cart's
throughput (a checkout with plenty of stock, holds on) is at least 0.8 × an unheld one's
(holds off). Held and unheld run on two servers side by side, in PAIRS pairs of
adjacent phases (BENCH_PAIRS, default 6; the order swapped from pair to pair), and the
median pair's throughput ratio counts; each share of the floor beside it is reported too,
but on this machine the floor itself moves by up to a quarter from one phase to the next,
so for two configurations of one request adjacent phases compare more steadily. Results go
to bench/results/."""

import json
import logging
import os
import statistics
import sys
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench as bench  # the harness: processes, load, floor, emulator

SHOPPERS = int(os.environ.get("BENCH_SHOPPERS", "400"))
UNITS = int(os.environ.get("BENCH_UNITS", "50"))
HOLD_SECONDS = 900
PAIRS = int(os.environ.get("BENCH_PAIRS", "6"))


def p99_ms(timings: list[tuple[int, float]], status: int) -> float:
    chosen = [seconds for code, seconds in timings if code == status]
    cuts = statistics.quantiles(chosen, n=100) if len(chosen) > 1 else chosen * 99
    return round(cuts[98] * 1000, 1)


def prepare(env: dict) -> list[str]:
    """The database, N shoppers with tokens (not measured)."""
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "config.settings.base"})
    sys.path.insert(0, str(bench.ROOT))
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    call_command("migrate", verbosity=0)
    users = User.objects.bulk_create(
        User(email=f"flash{i}@example.com", first_name="Flash", last_name=str(i))
        for i in range(SHOPPERS)
    )
    return [str(AccessToken.for_user(user)) for user in users]


def fresh_variant(stock: int):
    """A product on sale with `stock` units, and every shopper's cart emptied."""
    from cart.models import CartItem
    from catalog.models import Product, ProductVariant

    CartItem.objects.all().delete()
    product = Product.objects.create(name="Flash diya", price="100.00")
    return ProductVariant.objects.create(
        product=product, name="Last batch", sku=f"FLASH-{product.pk}", price="100.00", stock=stock
    )


def fill_carts(base: str, tokens: list[str], variant) -> None:
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}
    adds = [
        {"method": "POST", "url": "/api/cart/items/", "json": body, "headers": bench.auth(t)}
        for t in tokens
    ]
    assert bench.phase(base, adds)["statuses"] == [201]


def checkouts(tokens: list[str]) -> list[dict]:
    return [bench.create_from_cart(token) for token in tokens]


def verify_all(base: str, env: dict, answers) -> dict:
    """Each shopper who got a payment pays and verifies (not the measured part)."""
    verifies = []
    for answer in answers:
        if answer.status_code != 201:
            continue
        order_id = answer.json()["razorpay_order_id"]
        payment_id = bench.pay_at_provider(env["RAZORPAY_BASE_URL"], order_id)
        signature = bench.hex_hmac(env["RAZORPAY_KEY_SECRET"], f"{order_id}|{payment_id}")
        body = {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id,
                "razorpay_signature": signature}  # fmt: skip
        verifies.append({"method": "POST", "url": "/api/payments/verify/", "json": body,
                         "headers": {"Authorization": answer.request.headers["Authorization"]}})  # fmt: skip
    return bench.phase(base, verifies)


def race(base: str, env: dict, tokens: list[str]) -> dict:
    """N shoppers, M units: the race measured beside the floor, then the winners pay."""
    from orders.models import Order
    from payments.models import Refund

    variant = fresh_variant(UNITS)
    fill_carts(base, tokens, variant)
    orders_before, refunds_before = Order.objects.count(), Refund.objects.count()
    result = bench.beside_floor(base, tokens, checkouts(tokens))
    codes = Counter(answer.status_code for answer in result["answers"])
    paid = verify_all(base, env, result["answers"])
    variant.refresh_from_db()
    return {
        "create_rps": result["rps"],
        "floor_rps": result["floor_rps"],
        "ratio": result["ratio"],
        "p99_ms": result["p99_ms"],
        "floor_p99_ms": result["floor_p99_ms"],
        "refused_p99_ms": p99_ms(result["timings"], 409) if codes.get(409) else None,
        "payments_created": codes.get(201, 0),
        "refused_409": codes.get(409, 0),
        "create_5xx": result["5xx"],
        "verify_5xx": paid["5xx"],
        "orders": Order.objects.count() - orders_before,
        "refunds": Refund.objects.count() - refunds_before,
        "stock_left": variant.stock,
    }


def plain_checkout(base: str, tokens: list[str]) -> dict:
    """Create-from-cart with plenty of stock (no race), beside the floor."""
    fill_carts(base, tokens, fresh_variant(10**6))
    result = bench.beside_floor(base, tokens, checkouts(tokens))
    assert result["statuses"] == [201], result["statuses"]
    return {"rps": result["rps"], "floor_rps": result["floor_rps"], "ratio": result["ratio"]}


@contextmanager
def serving(processes, port: int, env: dict, hold_seconds: int, tokens: list[str]):
    """The service under gunicorn with CHECKOUT_HOLD_SECONDS=hold_seconds, warmed up."""
    app = processes.start(
        bench.gunicorn(port, bench.GUNICORN_WORKERS, bench.GUNICORN_THREADS),
        env | {"CHECKOUT_HOLD_SECONDS": str(hold_seconds)},
        f"flash-app-{hold_seconds}.log",
    )
    base = f"http://127.0.0.1:{port}"
    bench.wait_until_up(f"{base}/api/health/")
    try:
        bench.phase(base, bench.floor(tokens, len(tokens)))  # warm-up
        yield base
    finally:
        processes.stop(app)


CONFIGURATIONS = (("holds on", HOLD_SECONDS), ("holds off", 0))


def side_by_side(processes, env: dict, tokens: list[str]) -> list[dict]:
    """Create-from-cart with plenty of stock, held and unheld, on two servers running side
    by side (one with holds on, one off) in adjacent phases, the order swapped from pair
    to pair (on, off; off, on; …): this machine's speed drifts by up to a quarter within
    a minute, and adjacent phases on servers already warm compare more steadily than
    servers started minutes apart."""
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(serving(processes, bench.free_port(), env, seconds, tokens))
            for name, seconds in CONFIGURATIONS
        }
        pairs = []
        for number in range(PAIRS):
            order = [name for name, _ in CONFIGURATIONS][:: 1 if number % 2 == 0 else -1]
            pairs.append({name: plain_checkout(servers[name], tokens) for name in order})
        return pairs


def main() -> int:
    bench.RESULTS.mkdir(exist_ok=True)
    bench.USERS = SHOPPERS  # the floor cycles through every shopper's token
    processes = bench.Processes()
    redis_port, provider_port, app_port = bench.free_port(), bench.free_port(), bench.free_port()
    try:
        _, env = bench.start_backends(processes, provider_port=provider_port, redis_port=redis_port)
        tokens = prepare(env)
        races = {}
        for name, seconds in CONFIGURATIONS:
            with serving(processes, app_port, env, seconds, tokens) as base:
                races[name] = race(base, env, tokens)
        pairs = side_by_side(processes, env, tokens)
    finally:
        processes.stop_all()
    return report(races, pairs)


def report(races: dict, pairs: list[dict]) -> int:
    race = races["holds on"]
    shares = [pair["holds on"]["rps"] / pair["holds off"]["rps"] for pair in pairs]
    held_share = statistics.median(shares)
    checks = {
        f"holds on: exactly {UNITS} payments, {SHOPPERS - UNITS} refused (409), no 5xx": (
            race["payments_created"] == UNITS
            and race["refused_409"] == SHOPPERS - UNITS
            and race["create_5xx"] == race["verify_5xx"] == 0
        ),
        f"holds on: {UNITS} orders, 0 refunds": race["orders"] == UNITS and race["refunds"] == 0,
        "refused create-from-cart p99 ≤ 3 × floor p99": (
            race["refused_p99_ms"] <= 3 * race["floor_p99_ms"]
        ),
        "held checkout throughput ≥ 0.8 × unheld (median of adjacent pairs)": held_share >= 0.8,
    }
    lines = [
        f"Run {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, {bench.platform_line()}; "
        f"{SHOPPERS} shoppers for {UNITS} units, {bench.CLIENTS} concurrent clients, gunicorn "
        f"{bench.GUNICORN_WORKERS} × {bench.GUNICORN_THREADS}.",
        "",
        "| the race | payments | refused 409 | orders | refunds | 5xx | create req/s | floor req/s | share | p99 ms | refused p99 ms | floor p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for name, r in races.items():
        lines.append(
            f"| {name} | {r['payments_created']} | {r['refused_409']} | {r['orders']} | "
            f"{r['refunds']} | {r['create_5xx'] + r['verify_5xx']} | {r['create_rps']} | "
            f"{r['floor_rps']} | {r['ratio']:.2f} | {r['p99_ms']} | {r['refused_p99_ms'] or '-'} | "
            f"{r['floor_p99_ms']} |"
        )
    lines += [
        "",
        "| create-from-cart, plenty of stock | held req/s (floor beside) | share | unheld req/s (floor beside) | share | held ÷ unheld req/s |",
        "|---|---|---|---|---|---|",
        *(
            f"| pair {number} | {p['holds on']['rps']} ({p['holds on']['floor_rps']}) | "
            f"{p['holds on']['ratio']:.2f} | {p['holds off']['rps']} ({p['holds off']['floor_rps']}) | "
            f"{p['holds off']['ratio']:.2f} | {share:.2f} |"
            for number, (p, share) in enumerate(zip(pairs, shares, strict=True), start=1)
        ),
        f"| median | | | | | {held_share:.2f} |",
        "",
        "| target | held |",
        "|---|---|",
        *(f"| {name} | {'yes' if ok else 'NO'} |" for name, ok in checks.items()),
    ]  # fmt: skip
    markdown = "\n".join(lines) + "\n"
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    results = {"races": races, "pairs": pairs, "held_share": held_share, "targets": checks}
    (bench.RESULTS / f"flash-{stamp}.json").write_text(json.dumps(results, indent=2))
    (bench.RESULTS / f"flash-{stamp}.md").write_text(markdown)
    print(markdown)
    print(f"Results: bench/results/flash-{stamp}.json and .md")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
