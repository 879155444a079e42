"""The view side of Idempotency-Key: a decorator for creating POST handlers."""

import functools
import json
import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.errors import ApiError
from config.exceptions import DomainError, ProviderTrouble

from .services import (
    Replay,
    fingerprint,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
)

VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, as clients send UUIDs
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="1 to 255 printable ASCII characters; the same key and body answer the first "
    "answer again for 24 hours (another body: 422; while the first runs: 409)",
)


def idempotency_key_of(request) -> str:
    """The request's Idempotency-Key (checked by @idempotent before the view runs), or ""."""
    return request.headers.get("Idempotency-Key", "")


def idempotent(post):
    @functools.wraps(post)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return post(view, request, *args, **kwargs)
        if not VALID_KEY.fullmatch(key):
            raise ApiError("Idempotency-Key must be 1 to 255 printable ASCII characters.")
        request_fingerprint = fingerprint(
            method=request.method, path=request.path, body=request.data
        )
        claim = idempotency_claim(
            user=request.user, key=key, request_fingerprint=request_fingerprint
        )
        if isinstance(claim, Replay):
            return Response(claim.body, status=claim.status_code)
        try:
            response = post(view, request, *args, **kwargs)
        except (APIException, DomainError, ProviderTrouble) as exc:
            response = view.handle_exception(exc)  # a 4xx answer is an answer: kept
        except Exception:
            idempotency_release(claim=claim)
            raise
        if response.status_code >= 500:
            idempotency_release(claim=claim)  # our failure (or the provider's): retry for real
        else:
            body = json.loads(JSONRenderer().render(response.data) or b"null")
            idempotency_complete(claim=claim, status_code=response.status_code, body=body)
        return response

    return extend_schema(parameters=[IDEMPOTENCY_KEY])(wrapper)
