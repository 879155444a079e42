"""Schema-driven fuzzing: every operation of /api/schema/, anonymous and authenticated,
never answers 5xx and answers what its schema says. Fixed seed, bounded examples."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.conftest import client_for
from tests.factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
FUZZ = settings(
    max_examples=15,
    derandomize=True,  # the same examples every run
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def token(db) -> str:
    call_command("seed_demo")  # a catalog, services and a coupon to hit
    return client_for(UserFactory())._credentials["HTTP_AUTHORIZATION"]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go straight to the WSGI app (as Django's test client does, the connection
    that holds the test's transaction must outlive each request)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "authenticated"])
@schema.parametrize()
@FUZZ
def test_no_input_gets_a_server_error(case, token, authenticated):
    headers = {"Authorization": token} if authenticated else {}
    case.call_and_validate(
        headers=headers, checks=[not_a_server_error, response_schema_conformance]
    )
