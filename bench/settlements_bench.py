"""Settlement reconciliation's speed: a day of 1,000 recon lines (one page) and one of
10,000 (ten pages) pulled from the Razorpay emulator over HTTP and matched against as many
captured payments of ours in PostgreSQL, then the same day pulled again (nothing changes).
Targets, as ratios of one run: lines per second at 10,000 lines ≥ 0.8 × at 1,000 (no cost
grows with the day), and each page beyond the first costing a constant handful of queries
(nothing per line): (queries at 10,000 − at 1,000) ÷ 9 pages ≤ 8. Results go to
bench/results/."""

import json
import os
import secrets
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench as hb

SIZES = (1_000, 10_000)
PAGE = 1000


def payments_of_ours(count: int) -> list[str]:
    """Captured payments (not measured): the lines will name them."""
    from accounts.models import User
    from payments.models import Payment

    user, _ = User.objects.get_or_create(email="settle-bench@example.com")
    ids = [f"pay_{secrets.token_hex(7)}" for _ in range(count)]
    Payment.objects.bulk_create(
        Payment(user=user, subtotal=Decimal("100.00"), amount=Decimal("100.00"),
                captured_amount=Decimal("100.00"), provider="razorpay", status="SUCCESS",
                provider_payment_id=pid, provider_order_id=f"order_{pid[4:]}")
        for pid in ids
    )  # fmt: skip
    return ids


def settle(emulator: str, day: date, payment_ids: list[str]) -> None:
    import requests

    from simulators.razorpay import recon_line

    lines = [recon_line(pid, "payment", 10000, fee=236, tax=36) for pid in payment_ids]
    body = {"lines": lines, "day": f"{day:%Y-%m-%d}"}
    requests.post(f"{emulator}/bench/settle", json=body, timeout=60).raise_for_status()


def pull(day: date) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from settlements.services import settlements_pull_day

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        lines, _ = settlements_pull_day(provider="razorpay", day=day)
    seconds = time.perf_counter() - started
    return {"lines": lines, "seconds": round(seconds, 3),
            "lines_per_second": round(lines / seconds), "queries": len(queries)}  # fmt: skip


def main() -> int:
    hb.RESULTS.mkdir(exist_ok=True)
    processes = hb.Processes()
    try:
        provider_port = hb.free_port()
        providers, app_env = hb.environments(provider_port=provider_port, redis_port=0)
        emulator = [sys.executable, "bench/razorpay_emulator.py", str(provider_port),
                    providers["RAZORPAY_KEY_ID"], providers["RAZORPAY_KEY_SECRET"]]  # fmt: skip
        processes.start(emulator, providers, "provider.log")
        hb.wait_until_up(f"http://127.0.0.1:{provider_port}")
        app_env = {k: v for k, v in app_env.items() if k != "CELERY_BROKER_URL"}
        os.environ.update(app_env | {"JOBS_IN_PROCESS": "1", "DJANGO_SETTINGS_MODULE": "config.settings.base"})  # fmt: skip
        sys.path.insert(0, str(hb.ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        runs = {}
        for n, size in enumerate(SIZES):
            day = date(2026, 11, n + 1)
            settle(f"http://127.0.0.1:{provider_port}", day, payments_of_ours(size))
            runs[size] = {"first": pull(day), "again": pull(day)}
    finally:
        processes.stop_all()
    small, large = (runs[size]["first"] for size in SIZES)
    ratio = round(large["lines_per_second"] / small["lines_per_second"], 2)
    pages_more = (large["lines"] - small["lines"]) // PAGE
    per_page = (large["queries"] - small["queries"]) / pages_more
    held = ratio >= 0.8 and per_page <= 8
    table = ["| lines | pull: lines/s | queries | pulled again: lines/s |", "|---|---|---|---|"]
    table += [f"| {size} | {r['first']['lines_per_second']} | {r['first']['queries']} | {r['again']['lines_per_second']} |" for size, r in runs.items()]  # fmt: skip
    table += ["", f"10,000 ÷ 1,000 lines/s: {ratio} (target ≥ 0.8); queries per further page: {per_page} (target ≤ 8): {'held' if held else 'MISSED'}"]  # fmt: skip
    report = "\n".join(table)
    print(report)
    (hb.RESULTS / "settlements.md").write_text(report + "\n")
    (hb.RESULTS / "settlements.json").write_text(json.dumps(runs, indent=2))
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
