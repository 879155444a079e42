"""The container image, for real: built by ./scripts/image.sh, it migrates the test
PostgreSQL (the release step), serves with gunicorn as a non-root user, answers its health
check, styles admin from its collected static files, and takes one Razorpay checkout
through the sandbox running beside it (another container of the same image)."""

import json
import re
import time
import uuid

import psycopg2
import pytest
import requests
from django.conf import settings

from tests.conftest import free_port
from tests.sandbox_checkout import pay_razorpay_without_webhook

from .conftest import IMAGE, engine, installed_engine

# The provider settings production requires, in test mode, shared by both containers.
PROVIDERS = {
    "RAZORPAY_KEY_ID": "rzp_test_image",
    "RAZORPAY_KEY_SECRET": "image-razorpay-secret",
    "RAZORPAY_WEBHOOK_SECRET": "image-razorpay-webhook-secret",
    "PHONEPE_CLIENT_ID": "IMAGECLIENT",
    "PHONEPE_CLIENT_SECRET": "image-phonepe-secret",
    "PHONEPE_CLIENT_VERSION": "1",
    "PHONEPE_ENV": "UAT",
    "PHONEPE_WEBHOOK_USERNAME": "imagehook",
    "PHONEPE_WEBHOOK_PASSWORD": "imagehook123",
    "STRIPE_SECRET_KEY": "sk_test_image",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_image",
    "STRIPE_WEBHOOK_SECRET": "whsec_image",
}
ADDRESS = {
    "first_name": "Image", "last_name": "Test", "address_line_1": "1 Road", "city": "Pune",
    "state": "MH", "postal_code": "411001", "country": "IN", "phone": "9999999999",
}  # fmt: skip


def env_args(values: dict) -> list[str]:
    return [arg for key, value in values.items() for arg in ("-e", f"{key}={value}")]


def wait_ready(url: str, container: str) -> None:
    for _ in range(120):
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    logs = engine("logs", container, check=False)
    raise AssertionError(f"{url} never answered 200:\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")


@pytest.fixture(scope="module")
def database_url():
    """A database of its own on the test PostgreSQL, which the containers reach on the
    host network."""
    server = settings.DATABASES["default"]
    if "postgresql" not in server["ENGINE"]:
        pytest.fail("the image test needs PostgreSQL: run it with ./scripts/test.sh")
    name = f"paycart_image_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        host=server["HOST"], port=server["PORT"], user=server["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def running(image, database_url):
    """The release step, then the sandbox and the web server, each its own container."""
    web_port, sandbox_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}/sandbox"
    common = {
        **PROVIDERS,
        "DATABASE_URL": database_url,
        "RAZORPAY_BASE_URL": f"{sandbox}/razorpay",
        "PHONEPE_BASE_URL": f"{sandbox}/phonepe",
        "STRIPE_API_BASE": f"{sandbox}/stripe",
    }
    web_env = {
        **common,
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FRONTEND_BASE_URL": f"http://127.0.0.1:{web_port}/shop",
        "JOBS_IN_PROCESS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/tmp/mail",
        "SECURE_SSL_REDIRECT": "0",
        "PORT": str(web_port),
    }
    names = [f"paycart-test-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("web", "sandbox")]
    run = ["run", "--rm", "--network", "host"]
    migrated = engine(
        *run, *env_args(web_env), image, "python", "manage.py", "migrate", "--noinput"
    )
    seeded = engine(*run, *env_args(web_env), image, "python", "manage.py", "seed_demo")
    sandbox_env = common | {"DEBUG": "1", "PAYMENTS_SANDBOX": "1", "PORT": str(sandbox_port)}
    # Its table is its own app's, installed only with the sandbox on: migrated by it.
    engine(*run, *env_args(sandbox_env), image, "python", "manage.py", "migrate", "sandbox")
    engine("run", "-d", "--name", names[1], "--network", "host", *env_args(sandbox_env), image)
    # Read-only but for /tmp, as the Kubernetes manifests run it.
    read_only = ["--read-only", "--tmpfs", "/tmp"]
    engine(
        "run", "-d", "--name", names[0], "--network", "host", *read_only, *env_args(web_env), image
    )
    try:
        wait_ready(f"http://127.0.0.1:{sandbox_port}/api/health/live/", names[1])
        wait_ready(f"http://127.0.0.1:{web_port}/api/health/ready/", names[0])
        yield {
            "base": f"http://127.0.0.1:{web_port}",
            "sandbox": f"http://127.0.0.1:{sandbox_port}",
            "web": names[0],
            "database_url": database_url,
            "migrated": migrated,
            "seeded": seeded,
        }
    finally:
        for name in names:
            engine("rm", "-f", "-t", "5", name, check=False)


def test_the_release_step_migrates_from_the_image(running):
    assert (
        "Applying payments" in running["migrated"].stdout
        or "No migrations" in running["migrated"].stdout
    )
    assert running["seeded"].returncode == 0


def test_it_serves_under_gunicorn_as_a_non_root_user_and_is_healthy(running):
    uid = engine("exec", running["web"], "id", "-u").stdout.strip()
    assert uid != "0" and int(uid) >= 1000
    command = engine("exec", running["web"], "cat", "/proc/1/cmdline").stdout
    assert "gunicorn" in command and "gunicorn.conf.py" in command
    ready = requests.get(f"{running['base']}/api/health/ready/", timeout=5)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    health = (
        engine("healthcheck", "run", running["web"], check=False)
        if installed_engine() == "podman"
        else None
    )
    assert health is None or health.returncode == 0, health.stdout + health.stderr
    inspected = json.loads(engine("image", "inspect", IMAGE).stdout)[0]
    config = inspected.get("Config") or inspected.get("config") or {}
    assert config.get("User") == "paycart"
    assert not any("SECRET" in item and "=" in item for item in config.get("Env", []))


def test_the_image_holds_no_local_database_cache_or_test_leftovers(running):
    listed = engine("exec", running["web"], "sh", "-c", "find . -maxdepth 2 | sort").stdout
    for leftover in (".hypothesis", ".schemathesis", "sqlite3", "-shm", "-wal", ".env\n", "tests/"):
        assert leftover not in listed, leftover


def test_admin_is_styled_from_the_collected_static_files(running):
    page = requests.get(f"{running['base']}/admin/login/", timeout=5)
    assert page.status_code == 200
    sheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    assert sheet, "admin's stylesheet is not the hashed, collected one"
    css = requests.get(f"{running['base']}{sheet.group(1)}", timeout=5)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


def test_a_razorpay_checkout_through_the_sandbox_beside_it(running):
    base = running["base"]
    email = f"image-{uuid.uuid4().hex[:6]}@example.com"
    registered = requests.post(
        f"{base}/api/accounts/register/",
        json={"email": email, "password": "image-pass-123", "first_name": "I", "last_name": "T"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    token = requests.post(
        f"{base}/api/accounts/token/",
        json={"email": email, "password": "image-pass-123"},
        timeout=10,
    ).json()["access"]
    shopper = requests.Session()
    shopper.headers["Authorization"] = f"Bearer {token}"
    products = requests.get(f"{base}/api/products/", timeout=10).json()
    products = products["results"] if isinstance(products, dict) else products
    variant = products[0]["variants"][0]
    added = shopper.post(
        f"{base}/api/cart/items/",
        json={"product_id": products[0]["id"], "variant_id": variant["id"], "quantity": 1},
        timeout=10,
    )
    assert added.status_code == 201, added.text
    started = shopper.post(
        f"{base}/api/payments/create-from-cart/",
        json={"shipping_address": ADDRESS, "billing_address": ADDRESS},
        timeout=30,
    )
    assert started.status_code == 201, started.text
    order_id = started.json()["razorpay_order_id"]
    # Paid on the sandbox's page, its webhook lost: the browser's signed return is verified
    # by the image, which asks the sandbox (Razorpay's stand-in) for the capture.
    checkout = pay_razorpay_without_webhook(running["sandbox"], order_id)
    verified = shopper.post(f"{base}/api/payments/verify/", json=checkout, timeout=30)
    assert verified.status_code == 200, verified.text
    assert verified.json()["order_created"] is True and verified.json()["order_number"]


def test_the_same_image_runs_the_worker_and_exactly_the_scheduler(running, image, redis_url):
    """`celery -A config worker` answers a ping over the broker; `celery -A config beat`
    starts its schedule. Both as the image's non-root user, read-only but for /tmp."""
    broker = redis_url.rsplit("/", 1)[0] + "/5"
    env = env_args(
        {
            **PROVIDERS,
            "DATABASE_URL": running["database_url"],
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "localhost",
            "FRONTEND_BASE_URL": "https://shop.example",
            "CELERY_BROKER_URL": broker,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": "/tmp/mail",
        }
    )
    names = [f"paycart-test-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("worker", "beat")]
    base = ["run", "-d", "--network", "host", "--read-only", "--tmpfs", "/tmp", *env]
    engine(*base, "--name", names[0], image, "celery", "-A", "config", "worker", "--loglevel=INFO")
    engine(*base, "--name", names[1], image, "celery", "-A", "config", "beat", "--loglevel=INFO",
           "--schedule", "/tmp/celerybeat-schedule")  # fmt: skip
    try:
        for _ in range(60):
            ping = engine(
                "exec", names[0], "celery", "-A", "config", "inspect", "ping", check=False
            )
            if "pong" in ping.stdout:
                break
            time.sleep(1)
        assert "pong" in ping.stdout, engine("logs", names[0], check=False).stderr[-2000:]
        for _ in range(30):
            logs = engine("logs", names[1], check=False)
            if "beat: Starting" in logs.stdout + logs.stderr:
                break
            time.sleep(1)
        assert "beat: Starting" in logs.stdout + logs.stderr
        assert engine("exec", names[1], "id", "-u").stdout.strip() == "10001"
    finally:
        for name in names:
            engine("rm", "-f", "-t", "5", name, check=False)


def test_a_build_leaves_no_dangling_stage_behind(image):
    """The build stage's code layers are pruned after each build; its cache stays."""
    left = engine("images", "-q", "--filter", "label=paycart.stage=build").stdout.split()
    assert left == []


def test_the_image_carries_the_fonts_of_every_indian_script(running):
    listed = engine("exec", running["web"], "ls", "/usr/share/fonts/truetype/noto").stdout
    for family in ("NotoSans", "NotoSansDevanagari", "NotoSansTamil", "NotoSansBengali"):
        assert f"{family}-Regular.ttf" in listed, family
