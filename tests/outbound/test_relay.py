"""The relay over real HTTP: signed as Standard Webhooks says (verified by its reference
library, during a rotation too), retried as the contract says, failing endpoints paused and
then disabled, private targets refused at every attempt, and on real PostgreSQL threads and
processes each delivery sent once at a time, and again after a relay died mid-send."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from outbound.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event
from outbound.relay import outbound_relay
from outbound.services import endpoint_rotate_secret, event_record
from tests.conftest import run_concurrently

from .conftest import verified

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def an_event(type: str = "test.noted", **data) -> Event:
    return event_record(type=type, data={"id": 7, "status": "payment_confirmed"} | data)


def test_a_delivery_is_signed_as_standard_webhooks_says_and_verifies(receiver):
    endpoint = receiver.endpoint()
    event = an_event()
    assert outbound_relay() == 1
    [got] = receiver.at("/ok")
    assert got.headers["webhook-id"] == event.public_id
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 5
    assert got.headers["Content-Type"] == "application/json"
    body = verified(got, endpoint.secret)
    assert body == {"id": event.public_id, "type": "test.noted", "version": 1,
                    "created_at": event.created_at.isoformat(),
                    "data": {"id": 7, "status": "payment_confirmed"}}  # fmt: skip
    with pytest.raises(WebhookVerificationError):
        verified(got, receiver.endpoint().secret)  # another endpoint's secret
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    attempt = Attempt.objects.get()
    assert (attempt.outcome, attempt.status_code, attempt.response_excerpt) == (
        "delivered", 200, "answered 200",
    )  # fmt: skip


def test_during_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new(receiver):
    endpoint = receiver.endpoint()
    old = endpoint.secret
    new = endpoint_rotate_secret(endpoint_id=endpoint.pk)
    an_event()
    outbound_relay()
    [during] = receiver.at("/ok")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(during, old) and verified(during, new)
    Endpoint.objects.update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    an_event()
    outbound_relay()
    after = receiver.at("/ok")[1]
    assert verified(after, new)
    with pytest.raises(WebhookVerificationError):
        verified(after, old)


def test_only_the_endpoints_that_want_an_event_get_it(receiver):
    receiver.endpoint("/noted", events=("test.noted", "order.cancelled"))
    receiver.endpoint("/other", events=("refund.processed", "test.other"))
    receiver.endpoint("/all")
    receiver.endpoint("/off", is_active=False)
    an_event("test.noted")
    an_event("test.other")
    outbound_relay()
    assert [json.loads(r.body)["type"] for r in receiver.at("/noted")] == ["test.noted"]
    assert [json.loads(r.body)["type"] for r in receiver.at("/other")] == ["test.other"]
    assert len(receiver.at("/all")) == 2 and not receiver.at("/off")


@pytest.mark.parametrize("answer", [500, 503, 429, 408, "timeout", "refused"])
def test_trouble_is_retried_later_with_growing_jittered_waits(receiver, answer):
    if answer == "timeout":
        receiver.delays["/ok"] = 2  # beyond the 1-second timeout of these tests
    elif answer != "refused":
        receiver.answers["/ok"] = answer
    endpoint = receiver.endpoint()
    if answer == "refused":  # nothing listens there
        Endpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/ok")
    an_event()
    waits = []
    for _ in range(4):
        Endpoint.objects.update(paused_until=None)
        Delivery.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        outbound_relay()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        waits.append((delivery.next_attempt_at - before).total_seconds())
    assert Attempt.objects.filter(outcome="retry").count() == 4
    assert all(15 <= wait <= 30 * 2**n + 1 for n, wait in enumerate(waits))
    assert waits[3] > waits[0]  # exponential, give or take the jitter
    assert Endpoint.objects.get().paused_until is not None  # until its next retry


@pytest.mark.parametrize("answer", [400, 401, 404, 410, 302])
def test_any_other_answer_fails_at_once_and_a_redirect_is_not_followed(receiver, answer):
    receiver.answers["/ok"] = answer
    receiver.endpoint()
    an_event()
    outbound_relay()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", answer)
    assert len(receiver.received) == 1  # the redirect's target was never asked


def test_a_delivery_is_given_up_once_retried_for_the_whole_window(receiver, settings):
    receiver.answers["/ok"] = 503
    receiver.endpoint()
    an_event()
    Delivery.objects.update(retry_until=timezone.now())  # three days went by
    outbound_relay()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "Given up" in delivery.last_error


def test_a_dead_endpoint_costs_one_attempt_per_round_and_others_are_not_held_up(receiver):
    receiver.delays["/dead"] = 2
    receiver.endpoint("/dead")
    receiver.endpoint("/ok")
    for _ in range(5):
        an_event()
    started = time.monotonic()
    outbound_relay()
    assert time.monotonic() - started < 4  # one timeout, not five
    assert len(receiver.at("/dead")) == 1 and len(receiver.at("/ok")) == 5


def test_an_endpoint_failing_every_attempt_for_72_hours_is_disabled_and_staff_emailed(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    receiver.answers["/ok"] = 500
    endpoint = receiver.endpoint()
    an_event()
    outbound_relay()
    assert Endpoint.objects.get().failing_since is not None
    Endpoint.objects.update(
        failing_since=timezone.now() - timedelta(hours=72, minutes=1), paused_until=None
    )
    Delivery.objects.update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        outbound_relay()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "72 hours" in endpoint.disabled_reason
    assert len(mail.outbox) == 1 and endpoint.url in mail.outbox[0].body
    an_event()
    assert outbound_relay() == 0  # a disabled endpoint gets nothing; its events wait
    receiver.answers["/ok"] = 200
    from outbound.services import endpoint_enable

    endpoint_enable(endpoint_id=endpoint.pk)  # what waited goes out now
    outbound_relay()
    statuses = list(Delivery.objects.values_list("status", flat=True))
    assert statuses == ["delivered", "delivered"]
    assert Endpoint.objects.get().failing_since is None


def test_a_target_that_now_resolves_to_a_private_address_is_refused_at_the_attempt(
    receiver, settings
):
    endpoint = receiver.endpoint()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        url=endpoint.url.replace("127.0.0.1", "localhost")  # its DNS now says loopback
    )
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    an_event()
    outbound_relay()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "not on the internet" in delivery.last_error
    assert not receiver.received


@pytest.mark.django_db(transaction=True)
def test_relays_racing_on_several_threads_send_each_delivery_once(receiver):
    receiver.delays["/ok"] = 0.05
    later = timezone.now() + timedelta(hours=1)
    receiver.endpoint("/ok", paused_until=later)  # (the in-process relay after each commit
    receiver.endpoint("/also", paused_until=later)  # leaves them to the racing ones)
    events = [an_event() for _ in range(40)]
    Endpoint.objects.update(paused_until=None)
    results = run_concurrently(*(lambda: outbound_relay(batch=5) for _ in range(4)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 80
    for path in ("/ok", "/also"):
        ids = [r.headers["webhook-id"] for r in receiver.at(path)]
        assert sorted(ids) == sorted(e.public_id for e in events)  # each once


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_relay_killed_mid_send_leaves_the_delivery_to_the_next_which_sends_it(receiver):
    receiver.delays["/ok"] = 30  # the first relay is killed while it waits for the answer
    receiver.endpoint(paused_until=timezone.now() + timedelta(hours=1))
    event = an_event()
    Endpoint.objects.update(paused_until=None)
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url(),
        "OUTBOUND_ALLOW_PRIVATE_TARGETS": "1", "OUTBOUND_TIMEOUT_SECONDS": "30",
    }  # fmt: skip
    relay = subprocess.Popen(
        [sys.executable, "-c", "import django; django.setup(); "
         "from outbound.relay import outbound_relay; outbound_relay()"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not receiver.at("/ok"):
        assert time.monotonic() < deadline and relay.poll() is None
        time.sleep(0.1)
    relay.send_signal(signal.SIGKILL)
    relay.wait()
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.claimed_until > timezone.now()
    assert outbound_relay() == 0  # claimed: nobody else sends it while the lease lasts
    Delivery.objects.update(claimed_until=timezone.now())  # the lease ran out
    receiver.delays["/ok"] = 0
    assert outbound_relay() == 1
    ids = [r.headers["webhook-id"] for r in receiver.at("/ok")]
    assert ids == [event.public_id, event.public_id]  # sent again, never lost
    assert Delivery.objects.get().status == "delivered"


def test_the_attempt_connects_to_the_address_that_was_checked_whatever_dns_says_next(
    receiver, monkeypatch
):
    """DNS rebinding: hooks.test resolves to the receiver's address for the check, then to
    another loopback address where a second server listens on the same port. The event
    reaches the checked address, with the name in its Host header (a stubbed resolver: no
    traffic leaves the machine)."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    port = int(receiver.url.rsplit(":", 1)[1])
    rebound: list[str] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            rebound.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    other = ThreadingHTTPServer(("127.0.0.2", port), Elsewhere)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    real, answers = socket.getaddrinfo, iter(["127.0.0.1"])

    def resolver(host, *args, **kwargs):
        if host == "hooks.test":  # first the checked address, then another one
            address = next(answers, "127.0.0.2")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    try:
        receiver.endpoint("/ok").__class__.objects.update(url=f"http://hooks.test:{port}/ok")
        an_event()
        outbound_relay()
    finally:
        other.shutdown()
        other.server_close()
    assert Delivery.objects.get().status == "delivered"
    (arrived,) = receiver.at("/ok")
    assert arrived.headers["Host"] == f"hooks.test:{port}" and rebound == []


@pytest.mark.parametrize(("certified", "delivered"), [("hooks.test", True), ("other.test", False)])
def test_over_https_the_pinned_address_is_asked_for_the_urls_name_and_its_certificate_checked(
    receiver, monkeypatch, tmp_path, certified, delivered
):
    """TLS to the checked address still sends SNI for, and verifies the certificate against,
    the URL's host: a certificate for another name is refused (a local server with a
    certificate made here; the stubbed resolver keeps everything on loopback)."""
    import socket
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={certified}", "-addext", f"subjectAltName=DNS:{certified}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    names: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            names.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    seen_sni: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "hooks.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # trust this certificate alone
    try:
        endpoint = receiver.endpoint("/ok")
        Endpoint.objects.filter(pk=endpoint.pk).update(url=f"https://hooks.test:{port}/ok")
        an_event()
        outbound_relay()
    finally:
        server.shutdown()
        server.server_close()
    delivery = Delivery.objects.get()
    assert seen_sni[:1] == ["hooks.test"]
    if delivered:
        assert delivery.status == "delivered" and names == [f"hooks.test:{port}"]
    else:
        assert delivery.status == "pending" and names == []  # refused: retried later
