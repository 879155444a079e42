"""A lean stand-in for Razorpay's API, for the benchmark only: the Razorpay simulator
(simulators/razorpay.py, the one the test fakes and the sandbox run) behind the standard
library's HTTP server.

The benchmark measures our service, not the provider: the demo sandbox is a whole Django
app with DEBUG on, and on a 2-core machine its CPU would be charged to create-from-cart
and verify. This answers the calls those requests make from memory, and lets the benchmark
pay an order (POST /bench/pay {"order_id"}) and settle lines (POST /bench/settle {"lines",
"day"}). Usage: razorpay_emulator.py PORT KEY_ID KEY_SECRET
"""

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from simulators.razorpay import Razorpay, error

RAZORPAY = Razorpay()
LOCK = threading.Lock()  # the simulator's memory is one account's: one request at a time


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

    def _simulated(self, method: str) -> None:
        url = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with LOCK:
            if url.path == "/bench/pay":
                return self._answer(200, RAZORPAY.pay(body["order_id"]))
            if url.path == "/bench/settle":
                return self._answer(200, RAZORPAY.settle(body["lines"], day=body["day"]))
            if self.headers.get("Authorization") != f"Basic {self.credentials}":
                return self._answer(*error("Authentication failed", 401))
            self._answer(*RAZORPAY.handle(method, url.path, dict(parse_qsl(url.query)), body))

    def do_POST(self) -> None:
        self._simulated("POST")

    def do_GET(self) -> None:
        self._simulated("GET")


if __name__ == "__main__":
    port, key_id, key_secret = sys.argv[1:4]
    Handler.credentials = base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()
    ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
