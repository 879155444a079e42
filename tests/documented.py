"""Every answer a test receives is the answer the schema documents: the API client the
suite uses checks each /api/ response against /api/schema/ (status code, body fields, their
types and nullability), so a frontend's generated client can trust every flow the tests
walk, not only what the fuzzer reaches."""

from functools import cache

import requests
import schemathesis
from rest_framework.test import APIClient
from schemathesis.core.transport import Response


@cache
def api_schema():
    from drf_spectacular.generators import SchemaGenerator

    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


class DocumentedClient(APIClient):
    def request(self, **kwargs):
        response = super().request(**kwargs)
        assert_documented(response)
        return response


def assert_documented(response) -> None:
    request = response.wsgi_request
    path = request.path
    if not path.startswith("/api/") or path.startswith("/api/schema"):
        return
    operation = api_schema().find_operation_by_path(request.method, path)
    if operation is None:
        return
    operation.validate_response(_as_schemathesis_response(response))


def _as_schemathesis_response(response) -> Response:
    request = response.wsgi_request
    prepared = requests.Request(
        method=request.method, url=request.build_absolute_uri(), headers={}
    ).prepare()
    return Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        message=response.reason_phrase,
        encoding="utf-8",
        http_version="1.1",
        verify=True,
    )
