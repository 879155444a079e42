"""The embedded default (./scripts/run.sh: SQLite, sandbox providers) holds up: it starts
again after users registered, and concurrent verifies never meet "database is locked"."""

import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.conftest import free_port
from tests.sandbox_checkout import pay_razorpay_without_webhook
from tests.servers import stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = {
    "full_name": "Demo Shopper",
    "address_line_1": "1 Road",
    "city": "Pune",
    "postal_code": "411001",
    "country": "India",
}


class Service:
    """./scripts/run.sh in its own process group, on its own SQLite file and port."""

    def __init__(self, database: Path, root: Path = ROOT, wait: float = 90):
        self.root, self.wait = root, wait
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        keep = {"PATH", "HOME", "LANG"}
        self.env = {k: v for k, v in os.environ.items() if k in keep} | {
            "DATABASE_URL": f"sqlite:///{database}",
            "PORT": str(self.port),
        }

    def __enter__(self):
        self.log = open(Path(self.env["DATABASE_URL"][10:]).with_suffix(".log"), "a")
        self.process = subprocess.Popen(
            ["./scripts/run.sh"],
            cwd=self.root,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(
                f"{self.base}/api/health/",
                seconds=self.wait,
                ok=lambda answer: answer.status_code == 200,
                alive=lambda: self.process.poll() is None,
                why=self.log_text,
            )
        except BaseException:
            self.__exit__()  # __exit__ is not called when __enter__ fails: stop it here
            raise
        return self

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def __exit__(self, *exc):
        stop(self.process, group=True)
        self.log.close()


def login(base: str, email: str, password: str) -> dict:
    response = requests.post(
        f"{base}/api/accounts/token/", json={"email": email, "password": password}, timeout=10
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access']}"}


def test_run_sh_starts_again_after_a_user_registered_and_concurrent_verifies_never_500(
    tmp_path,
):
    database = tmp_path / "embedded.sqlite3"
    with Service(database) as service:
        registered = requests.post(
            f"{service.base}/api/accounts/register/",
            json={
                "email": "someone@example.com",
                "password": "a-long-secret-42",
                "first_name": "Some",
                "last_name": "One",
            },
            timeout=10,
        )
        assert registered.status_code == 201
    with Service(database) as service:  # a second start, on the same database
        base = service.base
        auth = login(base, "demo@example.com", "demo-pass-123")
        added = requests.post(
            f"{base}/api/cart/items/",
            json={"product_id": 1, "variant_id": 1, "quantity": 1},
            headers=auth,
            timeout=10,
        )
        assert added.status_code == 201
        body = {"shipping_address": ADDRESS, "billing_address": ADDRESS}
        orders = [
            requests.post(
                f"{base}/api/payments/create-from-cart/", json=body, headers=auth, timeout=10
            ).json()["razorpay_order_id"]
            for _ in range(10)
        ]
        results = [pay_razorpay_without_webhook(base, order_id) for order_id in orders]

        def verify(result: dict) -> int:
            return requests.post(
                f"{base}/api/payments/verify/", json=result, headers=auth, timeout=60
            ).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            codes = list(pool.map(verify, results))
        # Ten payments of one cart: one builds the order, nine are duplicates to refund.
        assert sorted(codes) == [200] + [409] * 9, codes
        order_list = requests.get(f"{base}/api/orders/", headers=auth, timeout=10).json()
        assert len(order_list) == 1


def readme_curl_tour() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## The same with curl") :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_curl_tour_works_pasted_twice(tmp_path):
    with Service(tmp_path / "tour.sqlite3") as service:
        tour = readme_curl_tour().replace("B=http://127.0.0.1:8000", f"B={service.base}", 1)
        for run in (1, 2):
            pasted = subprocess.run(
                ["bash", "-c", tour], capture_output=True, text=True, timeout=120, cwd=tmp_path
            )
            said = pasted.stdout + pasted.stderr
            assert "Traceback" not in said and "error:" not in said, f"run {run}:\n{said}"
            assert re.search(r"^Razorpay order: \d{12}$", pasted.stdout, re.M), said
            assert re.search(r"^PhonePe booking: BK-[0-9A-F]{8}$", pasted.stdout, re.M), said
            assert re.search(r"^latest order: \w+$", pasted.stdout, re.M), said
            assert "/demo/order-success/" in said and "/demo/confirmbooking?payment_id=" in said
            # Every line it prints says what it is.
            assert all(": " in line for line in pasted.stdout.splitlines()), said


def test_the_curl_tour_pasted_with_no_service_says_so_without_a_traceback(tmp_path):
    tour = readme_curl_tour().replace(
        "B=http://127.0.0.1:8000", f"B=http://127.0.0.1:{free_port()}"
    )
    pasted = subprocess.run(
        ["bash", "-c", tour], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    said = pasted.stdout + pasted.stderr
    assert "Traceback" not in said, said
    assert said.count("no answer: is ./scripts/run.sh running?") >= 5, said


def fresh_clone(into: Path) -> Path:
    """The repository as a new user gets it: its files, no .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for name in listed:
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    return into


def test_run_sh_on_a_fresh_clone_installs_only_what_serving_needs_and_says_where_to_go(
    tmp_path,
):
    clone = fresh_clone(tmp_path / "clone")
    with Service(tmp_path / "banner.sqlite3", root=clone, wait=300) as service:
        front = requests.get(f"{service.base}/", allow_redirects=False, timeout=10)
        assert front.status_code == 302 and front.headers["Location"] == "/demo/"
        deadline = time.monotonic() + 10
        while "Ctrl-C stops it." not in (log := service.log_text()):
            assert time.monotonic() < deadline, log[-2000:]
            time.sleep(0.2)
    banner = log[log.index("paycart is running at") :]
    for line in ("/demo/", "demo@example.com / demo-pass-123", "/admin/", "admin-pass-123"):
        assert line in banner, banner
    installed = {path.name for path in (clone / ".venv/bin").iterdir()}
    assert {"gunicorn", "celery", "django-admin"} <= installed
    assert not {"pytest", "ruff", "playwright", "schemathesis", "podman-compose"} & installed
