"""Holds under concurrency, on PostgreSQL: shoppers racing on real threads, and through two
separate server processes, never hold more than there is (no oversell, no slot over its
capacity) and never deadlock."""

import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.db.models import Sum
from rest_framework_simplejwt.tokens import RefreshToken

from catalog.models import ProductVariant
from holds.models import Hold
from payments.models import Payment
from tests.conftest import client_for, free_port, run_concurrently
from tests.factories import PujaPackageFactory, UserFactory, VariantFactory
from tests.flows import add_to_cart, booking_cart, create_payment
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_token
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create
from tests.servers import stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def held(variant) -> int:
    return Hold.objects.filter(variant=variant).aggregate(n=Sum("quantity"))["n"] or 0


def test_twelve_shoppers_racing_for_five_units_hold_exactly_five(rsps):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    shoppers = [client_for(UserFactory()) for _ in range(12)]
    for shopper in shoppers:
        add_to_cart(shopper, variant, 1)
    results = run_concurrently(*[lambda s=s: create_payment(s) for s in shoppers])
    codes = Counter(getattr(r, "status_code", type(r).__name__) for r in results)
    assert codes == {201: 5, 409: 7}
    assert held(variant) == 5 and Payment.objects.count() == 5


def test_carts_locking_two_variants_in_either_order_never_deadlock(rsps):
    mock_order_create(rsps)
    first, second = VariantFactory(stock=4), VariantFactory(stock=4)
    shoppers = [client_for(UserFactory()) for _ in range(8)]
    for number, shopper in enumerate(shoppers):
        for variant in (first, second) if number % 2 else (second, first):
            add_to_cart(shopper, variant, 1)
    results = run_concurrently(*[lambda s=s: create_payment(s) for s in shoppers])
    assert sorted(r.status_code for r in results) == [201] * 4 + [409] * 4
    assert held(first) == held(second) == 4


def test_two_payments_of_one_cart_at_once_never_refuse_each_other(rsps):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=2)
    user = UserFactory()
    add_to_cart(client_for(user), variant, 2)
    results = run_concurrently(*[lambda: create_payment(client_for(user))] * 2)
    assert [r.status_code for r in results] == [201, 201]
    stranger = client_for(UserFactory())
    add_to_cart(stranger, variant, 1)
    assert create_payment(stranger).status_code == 409  # the cart's holds are one cart's


def test_six_devotees_racing_for_a_slot_of_two_places_hold_exactly_two(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    package = PujaPackageFactory(price="999.00", service__slot_capacity=2)
    devotees = [client_for(UserFactory()) for _ in range(6)]
    carts = [booking_cart(devotee, package) for devotee in devotees]  # all free so far
    results = run_concurrently(
        *[
            lambda d=d, c=c: d.post("/api/payments/cart/", {"cart_id": c["cart_id"]}, format="json")
            for d, c in zip(devotees, carts, strict=True)
        ]
    )
    assert sorted(r.status_code for r in results) == [201, 201, 409, 409, 409, 409]
    assert Hold.objects.filter(slot__isnull=False).count() == 2


# ---------------------------------------------------------------- two server processes
def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


@pytest.fixture
def two_servers(tmp_path, request):
    """Two gunicorn app servers on the test database, and a third process whose sandbox
    answers for Razorpay, so both make real provider calls over HTTP."""
    sandbox_port, *ports = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_PROVIDER_ORIGIN": f"http://127.0.0.1:{sandbox_port}",
        "GUNICORN_THREADS": "8",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "ERROR",
    }
    bases = []
    for port in [sandbox_port, *ports]:
        process = start_server(port, env, tmp_path / f"{port}.log")
        request.addfinalizer(lambda process=process: stop(process))  # even if waiting fails
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        wait_until_answering(f"{base}/api/health/live/", ok=lambda answer: answer.ok)
    yield bases[1:]


def test_shoppers_racing_through_two_server_processes_never_hold_more_than_the_stock(two_servers):
    variant = VariantFactory(price="100.00", stock=8)
    sessions = []
    for number in range(20):
        session = requests.Session()
        token = RefreshToken.for_user(UserFactory()).access_token
        session.headers["Authorization"] = f"Bearer {token}"
        base = two_servers[number % 2]
        added = session.post(
            f"{base}/api/cart/items/",
            json={"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1},
            timeout=30,
        )
        assert added.status_code == 201, added.text
        sessions.append((session, base))

    def checkout(session_and_base):
        session, base = session_and_base
        body = {"shipping_address": ADDRESS, "billing_address": ADDRESS}
        return session.post(f"{base}/api/payments/create-from-cart/", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = Counter(answer.status_code for answer in pool.map(checkout, sessions))
    assert codes == {201: 8, 409: 12}
    assert held(variant) == 8 and ProductVariant.objects.get().stock == 8
    assert Payment.objects.filter(provider_order_id__isnull=False).count() == 8
