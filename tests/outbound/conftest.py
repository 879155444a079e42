"""A real HTTP receiver for outbound events (a thread on loopback): each path answers as
told — 200, an error code, a redirect, or only after a delay — and keeps every request."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook
from typing_extensions import TypedDict

from outbound import registry
from outbound.models import Endpoint, Subscription
from outbound.registry import EventType
from outbound.signing import secret_new


class NotedPayload(TypedDict, total=False):
    n: int
    id: int
    status: str


# Event types of the tests' own, for what the outbox does whatever an event says.
NOTED = EventType("test.noted", NotedPayload, "Something the tests noted.")
OTHER = EventType("test.other", NotedPayload, "Something else the tests noted.")


@pytest.fixture(autouse=True)
def test_event_types(monkeypatch):
    for kind in (NOTED, OTHER):
        monkeypatch.setitem(registry._types, kind.name, kind)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: dict = field(default_factory=dict)  # path → status code (default 200)
    delays: dict = field(default_factory=dict)  # path → seconds before answering
    received: list[Received] = field(default_factory=list)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def endpoint(self, path: str = "/ok", events: tuple[str, ...] = (), **fields) -> Endpoint:
        """An endpoint of ours pointing here (made directly: a loopback URL), subscribed to
        `events` (none: every event)."""
        endpoint = Endpoint.objects.create(url=f"{self.url}{path}", secret=secret_new(), **fields)
        for name in events:
            Subscription.objects.create(endpoint=endpoint, event_type=name)
        return endpoint


def verified(received: Received, secret: str) -> dict:
    """The event, once the reference library verified its signature (else it raises)."""
    return Webhook(secret).verify(received.body, received.headers)


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 1
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(self.path, dict(self.headers), body))
            time.sleep(state.delays.get(self.path, 0))
            code = state.answers.get(self.path, 200)
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", f"{state.url}/ok")
            answer = f"answered {code}".encode()
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
