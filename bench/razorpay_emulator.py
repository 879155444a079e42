"""A lean stand-in for Razorpay's API, for the benchmark only.

The benchmark measures our service, not the provider: the demo sandbox is a whole Django
app with DEBUG on, and on a 2-core machine its CPU would be charged to create-from-cart
and verify. This answers the calls those requests make (create an order, fetch a payment,
list an order's payments, read a settlement and a day's recon) from memory, in the shapes
Razorpay documents, and lets the benchmark pay an order (POST /bench/pay) and make a
settlement (POST /bench/settle). Usage: razorpay_emulator.py PORT KEY_ID KEY_SECRET
"""

import base64
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ORDERS: dict[str, dict] = {}
PAYMENTS: dict[str, dict] = {}
LOCK = threading.Lock()
PAYMENT_PATH = re.compile(r"^/v1/payments/(pay_\w+)$")
ORDER_PAYMENTS_PATH = re.compile(r"^/v1/orders/(order_\w+)/payments$")
SETTLEMENTS: dict[str, dict] = {}  # id → {"entity", "lines", "day"}
SETTLEMENT_PATH = re.compile(r"^/v1/settlements/(setl_\w+)$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Razorpay's API serves it
    # Headers and body leave in two writes: without this, Nagle's algorithm holds the body
    # until the client's delayed ACK (up to 40 ms) and the emulator's wait is charged to us.
    disable_nagle_algorithm = True
    credentials = ""

    def log_message(self, *args) -> None:
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self) -> None:
        error = {"code": "BAD_REQUEST_ERROR", "description": "The id provided does not exist"}
        self._answer(400, {"error": error})

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Basic {self.credentials}":
            return True
        error = {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}
        self._answer(401, {"error": error})
        return False

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/bench/pay":
            self._answer(200, pay(body["order_id"]))
        elif self.path == "/bench/settle":
            with LOCK:
                SETTLEMENTS[body["entity"]["id"]] = body
            self._answer(200, body["entity"])
        elif not self._authorized():
            return
        elif self.path == "/v1/orders":
            order = {
                "id": f"order_{secrets.token_hex(7)}",
                "entity": "order",
                "amount": body["amount"],
                "amount_paid": 0,
                "amount_due": body["amount"],
                "currency": body["currency"],
                "receipt": body.get("receipt"),
                "status": "created",
                "attempts": 0,
                "notes": body.get("notes") or [],
                "created_at": int(time.time()),
            }
            with LOCK:
                ORDERS[order["id"]] = order | {"payments": []}
            self._answer(200, order)
        else:
            self._not_found()

    def do_GET(self) -> None:
        if not self._authorized():
            return
        if match := PAYMENT_PATH.match(self.path):
            payment = PAYMENTS.get(match[1])
            self._answer(200, payment) if payment else self._not_found()
        elif match := ORDER_PAYMENTS_PATH.match(self.path):
            order = ORDERS.get(match[1])
            if order is None:
                return self._not_found()
            items = order["payments"]
            self._answer(200, {"entity": "collection", "count": len(items), "items": items})
        elif match := SETTLEMENT_PATH.match(self.path):
            found = SETTLEMENTS.get(match[1])
            self._answer(200, found["entity"]) if found else self._not_found()
        elif self.path.startswith("/v1/settlements/recon/combined?"):
            self._answer(200, recon(parse_qs(urlsplit(self.path).query)))
        else:
            self._not_found()


def recon(query: dict) -> dict:
    """A page (count, skip) of a day's recon lines."""
    day = "-".join(f"{int(query[k][0]):0{w}d}" for k, w in (("year", 4), ("month", 2), ("day", 2)))
    count, skip = int(query["count"][0]), int(query.get("skip", ["0"])[0])
    items = [x for s in SETTLEMENTS.values() if s["day"] == day for x in s["lines"]]
    page = items[skip : skip + count]
    return {"entity": "collection", "count": len(page), "items": page}


def pay(order_id: str) -> dict:
    """The shopper pays the order in checkout: a captured payment."""
    with LOCK:
        order = ORDERS[order_id]
        payment = {
            "id": f"pay_{secrets.token_hex(7)}",
            "entity": "payment",
            "amount": order["amount"],
            "currency": order["currency"],
            "status": "captured",
            "order_id": order_id,
            "method": "upi",
            "captured": True,
            "created_at": int(time.time()),
        }
        order["payments"].append(payment)
        order["status"] = "paid"
        PAYMENTS[payment["id"]] = payment
    return payment


if __name__ == "__main__":
    port, key_id, key_secret = sys.argv[1:4]
    Handler.credentials = base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()
    ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
