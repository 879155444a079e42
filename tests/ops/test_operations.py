import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from bookings.models import Booking
from cart.models import Coupon
from catalog.models import ProductVariant, PujaService
from orders.models import Order, OrderStatus
from tests.factories import PujaPackageFactory, UserFactory, future_slot

pytestmark = pytest.mark.django_db


def test_health_answers_200_when_the_database_answers(anon_client):
    response = anon_client.get("/api/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_openapi_schema_and_docs_are_served(anon_client):
    schema = anon_client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/cart/items/" in paths
    create = paths["/api/payments/create-from-cart/"]["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema.json()["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert {"shipping_address", "billing_address"} <= set(component["required"])
    assert "409" in paths["/api/payments/verify/"]["post"]["responses"]
    assert anon_client.get("/api/docs/").status_code == 200


def test_unknown_api_path_answers_json_404(anon_client):
    response = anon_client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


def test_cors_allows_the_frontend_origin(anon_client):
    # (The health probes answer before CORS and the rest: they are for probers, not pages.)
    response = anon_client.get("/api/products/", HTTP_ORIGIN="https://shop.example.com")
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    other = anon_client.get("/api/products/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


def test_seed_demo_is_idempotent_and_loads_what_the_contract_names():
    call_command("seed_demo", allow_demo_staff=True)
    counts = (ProductVariant.objects.count(), PujaService.objects.count(), User.objects.count())
    call_command("seed_demo", allow_demo_staff=True)
    assert (
        ProductVariant.objects.count(),
        PujaService.objects.count(),
        User.objects.count(),
    ) == counts
    assert PujaService.objects.count() == 2
    assert Coupon.objects.get(code="DISCOUNT10").value == 10
    assert User.objects.get(email="admin@example.com").is_staff
    assert Client().login(email="demo@example.com", password="demo-pass-123")


def test_seed_demo_runs_on_a_database_with_real_users_and_changes_none_of_them():
    shopper = UserFactory(first_name="Real")
    taken = User.objects.create_user("DEMO@example.com", "their-own-pass-1", first_name="Kept")
    call_command("seed_demo", allow_demo_staff=True)
    call_command("seed_demo", allow_demo_staff=True)
    assert User.objects.get(pk=shopper.pk).first_name == "Real"
    assert User.objects.get(pk=taken.pk).check_password("their-own-pass-1")
    assert User.objects.filter(email__iexact="demo@example.com").count() == 1
    assert User.objects.get(email="admin@example.com").is_superuser


def test_seed_demo_with_debug_off_creates_the_catalog_but_no_demo_accounts(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert ProductVariant.objects.exists() and Coupon.objects.filter(code="DISCOUNT10").exists()
    assert not User.objects.filter(email__in=["demo@example.com", "admin@example.com"]).exists()
    call_command("seed_demo", allow_demo_staff=True)
    assert User.objects.filter(email__in=["demo@example.com", "admin@example.com"]).count() == 2


ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/catalog/product/",
    "/admin/catalog/productvariant/",
    "/admin/orders/order/",
    "/admin/catalog/pujaservice/",
    "/admin/catalog/pujapackage/",
    "/admin/bookings/booking/",
    "/admin/cart/cart/",
    "/admin/cart/coupon/",
    "/admin/payments/payment/",
    "/admin/payments/webhookevent/",
    "/admin/accounts/user/add/",
    "/admin/catalog/product/add/",
]


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(User.objects.create_superuser("staff@example.com", "staff-pass-123"))
    return client


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_load_for_staff(staff_client, path):
    assert staff_client.get(path).status_code == 200


def test_admin_finds_an_order_by_number_and_a_user_by_email(staff_client):
    shopper = UserFactory(email="findme@example.com")
    order = Order.objects.create_numbered(
        user=shopper, status=OrderStatus.PENDING_PAYMENT, subtotal=5, total=5
    )
    found = staff_client.get("/admin/orders/order/", {"q": order.order_number})
    assert order.order_number in found.content.decode()
    assert staff_client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    users = staff_client.get("/admin/accounts/user/", {"q": "FINDME@example.com"})
    assert "findme@example.com" in users.content.decode()
    package = PujaPackageFactory()
    booking = Booking.objects.create(
        user=shopper, puja_service=package.service, package=package, total_amount=1, **future_slot()
    )
    found = staff_client.get("/admin/bookings/booking/", {"q": booking.book_id}).content.decode()
    assert booking.book_id in found


def test_admin_is_closed_to_shoppers():
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/admin/orders/order/").status_code == 302


def answers_without_a_database(*paths: str) -> str:
    """Status code (and what it says of the database) of GET `paths`, in a fresh process
    whose database cannot be reached."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"answers = [Client().get(path) for path in {paths!r}]\n"
        "print(*(f\"{a.status_code} {a.json().get('database', '-')}\" for a in answers))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere",  # nothing listens on 9
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-1500:]
    return result.stdout.strip()


def test_health_answers_503_when_the_database_does_not():
    assert answers_without_a_database("/api/health/") == "503 down"


def test_the_api_docs_page_works_offline(anon_client):
    page = anon_client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_health_reports_the_database_the_cache_and_a_configured_broker(anon_client, settings):
    body = anon_client.get("/api/health/").json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok"}  # no broker configured
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on 9
    down = anon_client.get("/api/health/")
    assert down.status_code == 200 and down.json()["broker"] == "down"


def test_readiness_waits_for_every_migration_and_liveness_only_for_the_process(anon_client):
    from django.db.migrations.recorder import MigrationRecorder

    assert anon_client.get("/api/health/live/").json() == {"status": "alive"}
    assert anon_client.get("/api/health/ready/").status_code == 200
    latest = MigrationRecorder.Migration.objects.filter(app="payments").order_by("-id").first()
    latest.delete()  # as if a release had not migrated yet
    pending = anon_client.get("/api/health/ready/")
    assert pending.status_code == 503 and pending.json()["migrations"] == "pending"
    assert anon_client.get("/api/health/live/").status_code == 200


def test_readiness_answers_503_when_the_database_does_not_and_liveness_200():
    answers = answers_without_a_database("/api/health/ready/", "/api/health/live/")
    assert answers == "503 down 200 -"


@pytest.mark.parametrize(
    ("prober", "host"),
    [
        ("Kubernetes (the pod's IP)", "10.244.1.17:8000"),
        ("compose's and the image's health check", "127.0.0.1:8000"),
        ("a load balancer by address", "172.31.5.9"),
    ],
)
@pytest.mark.django_db
def test_the_probes_answer_whatever_host_the_prober_sends(settings, prober, host):
    from django.test import Client

    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True  # probes come over plain HTTP inside the cluster
    client = Client(HTTP_HOST=host, HTTP_USER_AGENT="kube-probe/1.31")
    for path in ("/api/health/", "/api/health/ready/", "/api/health/live/"):
        answer = client.get(path)
        assert answer.status_code == 200, (prober, path, answer.status_code)
    # Everything else still refuses a host that is not the shop's.
    assert client.get("/api/products/").status_code == 400
    assert (
        Client(HTTP_HOST="shop.example.com").get("/api/products/", secure=True).status_code == 200
    )


@pytest.mark.parametrize("path", ["/api/health/", "/api/health/ready/", "/api/health/live/"])
def test_the_probes_answer_with_the_security_headers_every_answer_carries(
    anon_client, settings, path
):
    """Over https (a trusted load balancer's X-Forwarded-Proto) HSTS too; over plain http no
    redirect: a prober speaks http to the pod."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1/32"]
    plain = anon_client.get(path, REMOTE_ADDR="127.0.0.1", HTTP_HOST="10.1.2.3")
    assert plain.status_code == 200
    assert plain["X-Content-Type-Options"] == "nosniff"
    assert plain["X-Frame-Options"] == "DENY"
    assert plain["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in plain
    secure = anon_client.get(path, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    # The same headers as an ordinary answer's.
    ordinary = anon_client.get("/api/products/", HTTP_X_FORWARDED_PROTO="https",
                               REMOTE_ADDR="127.0.0.1")  # fmt: skip
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert secure[header] == ordinary[header], header
