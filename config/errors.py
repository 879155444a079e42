"""The API layer's one exception handler: every error body is {"error": "<one sentence>",
...}. Domain errors (config/exceptions.py) get their status here, and only here."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .exceptions import (
    Conflict,
    DomainError,
    HeldElsewhere,
    Missing,
    ProviderDown,
    ProviderTrouble,
    RetryLater,
    TooMany,
    Unprocessable,
)
from .serializers import local_iso

logger = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of gives its status.
STATUS_OF = [
    (HeldElsewhere, status.HTTP_409_CONFLICT),
    (Missing, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (Unprocessable, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (TooMany, status.HTTP_429_TOO_MANY_REQUESTS),
    (ProviderDown, status.HTTP_502_BAD_GATEWAY),
    (RetryLater, status.HTTP_503_SERVICE_UNAVAILABLE),
    (DomainError, status.HTTP_400_BAD_REQUEST),
]
PROVIDER_TROUBLE = "The payment provider could not be reached. Please try again."


class ApiError(exceptions.APIException):
    """An HTTP refusal made by the API layer itself (a body too large, a malformed
    header), with a status code and optional extra body fields."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, status_code: int = 400, **extra):
        super().__init__(message)
        self.status_code = status_code
        self.extra = extra


def _first_message(detail) -> str:
    """The first human sentence in a DRF error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def domain_answer(exc: DomainError) -> Response:
    extra = dict(exc.extra)
    if isinstance(exc, HeldElsewhere):
        extra["held_until"] = local_iso(exc.held_until) if exc.held_until else None
    code = next(code for kind, code in STATUS_OF if isinstance(exc, kind))
    # An error that says when to come back says it in the header too, for HTTP clients.
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return Response({"error": str(exc), **extra}, status=code, headers=headers)


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_answer(exc)
    if isinstance(exc, ProviderTrouble):  # an adapter's error a service let through
        logger.warning("Provider trouble answered 502: %s", exc)
        return Response({"error": PROVIDER_TROUBLE}, status=status.HTTP_502_BAD_GATEWAY)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django answers 500 without exposing the traceback

    if isinstance(exc, ApiError):
        response.data = {"error": str(exc.detail), **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"error": _first_message(exc.detail), "details": exc.detail}
    elif isinstance(exc, exceptions.ParseError):
        response.data = {"error": "Request body is not valid JSON."}
    else:
        response.data = {"error": _first_message(exc.detail)}
    return response


def json_not_found(request, exception=None):
    return JsonResponse({"error": "Not found."}, status=404)


def json_server_error(request):
    return JsonResponse({"error": "Internal server error."}, status=500)
