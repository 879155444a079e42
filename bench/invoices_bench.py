"""Verify's throughput with tax documents on and off, side by side: the service under
gunicorn (production settings) started alternately with GST_SELLER_GSTIN set and unset,
each start measuring verify for a fresh payment per shopper. A tax document adds three
statements (its number, itself, its lines) at the very end of fulfilment's transaction;
the target is on ≥ 0.9 × off (median of adjacent pairs). Results go to bench/results/."""

import json
import statistics
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench as hb

PAIRS = 4
GST = {
    "GST_SELLER_GSTIN": "27AAPFU0939F1ZV",
    "GST_SELLER_NAME": "Bench Shop",
    "GST_SELLER_ADDRESS": "1 Road, Pune 411001",
}


def verify_rps(processes, app_env: dict, tokens: list[str], variant_id: int, *, gst: bool) -> float:
    port = hb.free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env | (GST if gst else {})
    app = processes.start(
        hb.gunicorn(port, hb.GUNICORN_WORKERS, hb.GUNICORN_THREADS), env, "app.log"
    )
    try:
        hb.wait_until_up(f"{base}/api/health/")
        hb.phase(base, hb.floor(tokens, hb.USERS))  # warm-up
        hb.phase(base, [hb.add_to_cart(token, variant_id) for token in tokens])
        answers = hb.phase(base, [hb.create_from_cart(token) for token in tokens])["answers"]
        verifies = []
        for answer in answers:  # answered in any order: each names its shopper
            order_id = answer.json()["razorpay_order_id"]
            payment_id = hb.pay_at_provider(app_env["RAZORPAY_BASE_URL"], order_id)
            signature = hb.hex_hmac(app_env["RAZORPAY_KEY_SECRET"], f"{order_id}|{payment_id}")
            body = {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}  # fmt: skip
            headers = {"Authorization": answer.request.headers["Authorization"]}
            verifies.append({"method": "POST", "url": "/api/payments/verify/", "json": body, "headers": headers})  # fmt: skip
        result = hb.phase(base, verifies)
        refused = [a for a in result["answers"] if a.status_code != 200]
        assert not refused, (len(refused), refused[0].text[:300] if refused else "")
        return result["rps"]
    finally:
        processes.stop(app)


def main() -> int:
    hb.RESULTS.mkdir(exist_ok=True)
    processes = hb.Processes()
    try:
        _, app_env = hb.start_backends(
            processes, provider_port=hb.free_port(), redis_port=hb.free_port()
        )
        tokens, variant_id = hb.prepare(app_env)
        pairs = []
        for n in range(PAIRS):  # alternate which goes first: the machine drifts
            order = (True, False) if n % 2 else (False, True)
            measured = {
                gst: verify_rps(processes, app_env, tokens, variant_id, gst=gst) for gst in order
            }
            pairs.append({"on": measured[True], "off": measured[False]})
    finally:
        processes.stop_all()
    from invoices.models import TaxDocument

    issued = TaxDocument.objects.count()
    ratios = [round(pair["on"] / pair["off"], 2) for pair in pairs]
    median = statistics.median(ratios)
    lines = ["| pair | verify req/s, GST on | GST off | on / off |", "|---|---|---|---|"]
    lines += [f"| {n + 1} | {p['on']} | {p['off']} | {r} |" for n, (p, r) in enumerate(zip(pairs, ratios, strict=True))]  # fmt: skip
    held = median >= 0.9 and issued == PAIRS * hb.USERS
    lines += [
        f"| median | | | {median} |",
        "",
        f"Documents issued: {issued} (one per verified payment with GST on).",
        f"on ≥ 0.9 × off: {'yes' if held else 'NO'}",
    ]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (hb.RESULTS / f"invoices-{stamp}.json").write_text(
        json.dumps({"pairs": pairs, "ratios": ratios})
    )
    (hb.RESULTS / f"invoices-{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
