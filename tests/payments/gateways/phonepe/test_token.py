import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from payments.gateways.registry import get_provider
from payments.providers.phonepe.adapter import AccessToken
from payments.providers.phonepe.token_store import DatabaseTokenStore
from tests.payments.gateways.phonepe.fakes import base, calls_to, mock_pay, mock_token

ROOT = Path(__file__).resolve().parents[4]
TOKEN_KEY = "phonepe:TESTCLIENT"


def create(provider, reference="MOtest1"):
    return provider.create_order(
        reference=reference,
        amount=10000,
        currency="INR",
        notes={"cart_id": "C1"},
        return_url="https://x/",
    )


@pytest.mark.django_db
def test_one_token_serves_many_calls_and_provider_instances(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    create(get_provider("phonepe"), "MOa")
    create(get_provider("phonepe"), "MOb")  # a fresh adapter, as another request would build
    assert calls_to(rsps, "/oauth/token") == 1
    token_request = next(c.request for c in rsps.calls if "/oauth/token" in c.request.url)
    assert "grant_type=client_credentials" in token_request.body
    assert "client_id=TESTCLIENT" in token_request.body


@pytest.mark.django_db
def test_token_near_expiry_is_refreshed(rsps):
    DatabaseTokenStore().save(TOKEN_KEY, AccessToken("old-token", time.time() + 60))
    mock_token(rsps, token="new-token")
    mock_pay(rsps)
    create(get_provider("phonepe"))
    pay = next(c.request for c in rsps.calls if "/checkout/v2/pay" in c.request.url)
    assert pay.headers["Authorization"] == "O-Bearer new-token"
    assert DatabaseTokenStore().load(TOKEN_KEY).value == "new-token"


@pytest.mark.django_db
def test_token_far_from_expiry_is_reused(rsps):
    DatabaseTokenStore().save(TOKEN_KEY, AccessToken("kept-token", time.time() + 3000))
    mock_pay(rsps)
    create(get_provider("phonepe"))
    assert calls_to(rsps, "/oauth/token") == 0


@pytest.mark.django_db
def test_a_rejected_token_is_replaced_and_the_call_retried_once(rsps):
    DatabaseTokenStore().save(TOKEN_KEY, AccessToken("revoked", time.time() + 3000))
    mock_token(rsps, token="fresh")
    rsps.add("POST", f"{base()}/checkout/v2/pay", status=401, json={"code": "UNAUTHORIZED"})
    mock_pay(rsps)
    order = create(get_provider("phonepe"))
    assert order.checkout_url.startswith("https://")
    auths = [c.request.headers.get("Authorization") for c in rsps.calls if "/pay" in c.request.url]
    assert auths == ["O-Bearer revoked", "O-Bearer fresh"]


class _RecordingPhonePe(BaseHTTPRequestHandler):
    """A local stand-in for PhonePe's pay endpoint that has no token endpoint at all."""

    seen: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        if self.path.endswith("/checkout/v2/pay"):
            body = json.dumps(
                {"orderId": "OMO1", "state": "PENDING", "redirectUrl": "https://pay/1"}
            )
            self.send_response(200)
        else:
            body = "{}"
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.mark.django_db(transaction=True)
def test_the_token_is_shared_with_another_server_process(rsps):
    mock_token(rsps, token="shared-token")
    mock_pay(rsps)
    create(get_provider("phonepe"))  # this process fetches and stores the token

    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingPhonePe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PHONEPE_BASE_URL": f"http://127.0.0.1:{server.server_port}",
        "PHONEPE_CLIENT_ID": "TESTCLIENT",
    }
    script = (
        "import django; django.setup()\n"
        "from payments.gateways.registry import get_provider\n"
        "print(get_provider('phonepe').create_order(reference='MOother', amount=100, currency='INR',"
        " notes={}, return_url='https://x/').checkout_url)\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "https://pay/1"
    assert _RecordingPhonePe.seen == [("/checkout/v2/pay", "O-Bearer shared-token")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("env", "oauth", "pg"),
    [
        (
            "UAT",
            "https://api-preprod.phonepe.com/apis/pg-sandbox",
            "https://api-preprod.phonepe.com/apis/pg-sandbox",
        ),
        (
            "PRODUCTION",
            "https://api.phonepe.com/apis/identity-manager",
            "https://api.phonepe.com/apis/pg",
        ),
    ],
)
def test_without_a_base_url_phonepe_env_picks_the_hosts(rsps, settings, env, oauth, pg):
    settings.PHONEPE_BASE_URL = ""
    settings.PHONEPE_ENV = env
    rsps.add(
        "POST",
        f"{oauth}/v1/oauth/token",
        json={"access_token": "t", "expires_at": time.time() + 3600},
    )
    rsps.add(
        "POST", f"{pg}/checkout/v2/pay", json={"orderId": "OMO1", "redirectUrl": "https://pay/1"}
    )
    assert create(get_provider("phonepe")).checkout_url == "https://pay/1"
