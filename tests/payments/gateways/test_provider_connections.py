"""Provider calls reuse their HTTP connection (each thread keeps its adapter and session),
and a changed setting still applies at once. Checked against real loopback servers, since
connections are what is counted."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from payments.gateways.base import ChargeState
from payments.gateways.registry import get_provider


class PaymentsApi(BaseHTTPRequestHandler):
    """Razorpay's payment fetch, noting which client connection each request came on."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.connections.append(self.client_address)
        payment_id = self.path.rsplit("/", 1)[-1]
        payment = {"id": payment_id, "entity": "payment", "amount": 100, "currency": "INR"}
        body = json.dumps(payment | {"status": "captured", "order_id": "order_KEPT"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def razorpay_api():
    """Start a loopback server; yields a function giving (base URL, connections seen)."""
    servers = []

    def start():
        server = ThreadingHTTPServer(("127.0.0.1", 0), PaymentsApi)
        server.connections = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", server.connections

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def fetch(payment_id: str):
    return get_provider("razorpay").fetch_payment(provider_payment_id=payment_id)


def test_calls_in_one_thread_share_one_connection(razorpay_api):
    base_url, connections = razorpay_api()
    with override_settings(RAZORPAY_BASE_URL=base_url):
        charges = [fetch(f"pay_KEPT{i:06d}") for i in range(3)]
    assert [charge.state for charge in charges] == [ChargeState.PAID] * 3
    assert len(connections) == 3
    assert len(set(connections)) == 1


def test_a_changed_base_url_is_used_at_once(razorpay_api):
    first_url, first = razorpay_api()
    second_url, second = razorpay_api()
    with override_settings(RAZORPAY_BASE_URL=first_url):
        fetch("pay_FIRST0000001")
    with override_settings(RAZORPAY_BASE_URL=second_url):
        fetch("pay_SECOND000001")
    assert len(first) == 1 and len(second) == 1


def test_each_thread_has_its_own_connection(razorpay_api):
    base_url, connections = razorpay_api()
    with override_settings(RAZORPAY_BASE_URL=base_url):
        fetch("pay_MAIN00000001")
        worker = threading.Thread(target=fetch, args=("pay_THREAD000001",))
        worker.start()
        worker.join()
        fetch("pay_MAIN00000002")
    main_first, other, main_again = connections
    assert main_first == main_again
    assert other != main_first
