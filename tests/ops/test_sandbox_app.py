"""The sandbox (the providers' stand-ins, the demo, the receiver) is an app of its own,
installed and routed only with PAYMENTS_SANDBOX on: with it off, a process that loads every
app, every route and the WSGI application never imports it, and /sandbox/ is not there."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.test import Client
from django.urls import get_resolver
from config.wsgi import application
get_resolver().url_patterns
answer = Client().get("/sandbox/razorpay/v1/orders", HTTP_HOST="localhost")
print(json.dumps({
    "installed": apps.is_installed("sandbox"),
    "imported": sorted(m for m in sys.modules if m == "sandbox" or m.startswith("sandbox.")),
    "status": answer.status_code,
}))
"""


def probe(sandbox: str) -> dict:
    keep = {"PATH", "HOME", "LANG"}
    env = {k: v for k, v in os.environ.items() if k in keep} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "1",
        "PAYMENTS_SANDBOX": sandbox, "DATABASE_URL": "sqlite:///:memory:",
        "ALLOWED_HOSTS": "localhost",
    }  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_with_the_sandbox_off_nothing_of_it_is_imported_or_routed():
    assert probe("0") == {"installed": False, "imported": [], "status": 404}


def test_with_the_sandbox_on_it_is_installed_and_routed():
    seen = probe("1")
    assert seen["installed"] and "sandbox.razorpay.views" in seen["imported"]
    assert seen["status"] == 405  # the stand-in's route, which takes only POST, is there
