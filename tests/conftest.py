import contextlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from .documented import DocumentedClient
from .factories import UserFactory

DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """No process a test started outlives the suite: every server a fixture starts is
    stopped by it. One still running here is named, killed, and fails the run."""
    import os
    import signal

    from .servers import children_of

    left = children_of(os.getpid())
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if left:
        print("\nProcesses the suite started and left running:", *left, sep="\n  ")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every test that used the database ends with the money ledger holding: whatever a
    test did, captured money is fulfilled, refunded or on its way back. A test that leaves
    a breach on purpose says which kinds with @pytest.mark.ledger_breach(...)."""
    result = yield
    uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
        item.fixturenames
    )
    if uses_database and not _transaction_aborted():
        assert_ledger_holds(expected=_expected_breaches(item))
    return result


def _transaction_aborted() -> bool:
    """A test that made the database refuse a statement (a constraint test) leaves its
    transaction unusable: there is nothing more to read in it."""
    from django.db import DatabaseError

    if connection.needs_rollback:
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return "current transaction is aborted" in str(exc)
    return False


def _expected_breaches(item) -> set[str]:
    marker = item.get_closest_marker("ledger_breach")
    return set(marker.args) if marker else set()


def assert_ledger_holds(*, expected: set[str] = frozenset()) -> None:
    from payments.ledger import payments_audit

    _, breaches = payments_audit()
    found = {breach.kind for breach in breaches}
    unexpected = [
        f"{b.kind}: {b.payment.pk}: {b.description}" for b in breaches if b.kind not in expected
    ]
    assert not unexpected, "the money ledger does not hold:\n" + "\n".join(unexpected)
    assert expected <= found, f"expected ledger breaches {sorted(expected - found)} not found"


def client_for(user) -> DocumentedClient:
    """An API client carrying a real JWT access token for `user`."""
    client = DocumentedClient()
    token = RefreshToken.for_user(user).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def anon_client() -> DocumentedClient:
    return DocumentedClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api(user) -> DocumentedClient:
    return client_for(user)


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff(client):
    """A logged-in superuser in Django's test client (admin)."""
    from accounts.models import User

    client.force_login(User.objects.create_superuser("ops@example.com", "ops-pass-12345"))
    return client


def run_concurrently(*calls):
    """Run the callables on real threads released together; each thread closes its own
    database connection. Returns their results (or raised exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def runner(index, call):
        try:
            # Connect first: PostgreSQL forks a backend per connection, which would
            # otherwise stagger the threads so much that they rarely collide.
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # surfaced to the test through the results list
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def rsps():
    """The providers' HTTP boundary: every outgoing request must be answered by a mock."""
    import responses

    from payments.gateways.registry import gateways
    from tests.payments.gateways.contract import fakes_of

    for name in gateways():
        fakes_of(name).reset()  # each fake provider starts empty with each test
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sandbox_site(live_server, settings):
    """Every provider pointed at the sandbox on a live test server, so the real SDK code
    runs against it over HTTP; demo data loaded."""
    site = live_server.url
    settings.RAZORPAY_BASE_URL = f"{site}/sandbox/razorpay"
    settings.PHONEPE_BASE_URL = f"{site}/sandbox/phonepe"
    settings.STRIPE_API_BASE = settings.STRIPE_FILES_BASE = f"{site}/sandbox/stripe"
    settings.FRONTEND_BASE_URL = f"{site}/demo"
    settings.SANDBOX_ORIGIN = site
    call_command("seed_demo", allow_demo_staff=True)
    return site


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A throwaway Redis from Debian's redis-server, on loopback, for this test session."""
    import subprocess
    import time

    import redis

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def queue(redis_url):
    """Tasks go to a real Redis instead of running eagerly; the queue as a redis client."""
    import redis

    from config.celery import app

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    _point_celery_at(app, broker_url=redis_url, eager=False)
    yield client
    _point_celery_at(app, broker_url="", eager=True)
    client.flushdb()


def _point_celery_at(app, *, broker_url: str, eager: bool) -> None:
    app.conf.update(task_always_eager=eager, broker_url=broker_url)
    # Eager calls already opened producers for the default broker; Celery caches them, so
    # drop the cache (as Celery itself does after a fork).
    app._pool = None
    app.amqp._producer_pool = None
