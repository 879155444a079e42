"""One exception handler: every API error body is {"error": "<one sentence>", ...}."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .serializers import local_iso

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """A service-level refusal with a status code and optional extra body fields."""

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


def api_exception_handler(exc, context):
    if isinstance(exc, HeldElsewhere):
        held_until = local_iso(exc.held_until) if exc.held_until else None
        exc = ApiError(str(exc), status_code=409, held_until=held_until)
    elif isinstance(exc, Http404 | Missing):
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


def error_response(message: str, status_code: int, **extra) -> Response:
    return Response({"error": message, **extra}, status=status_code)


class Missing(Exception):
    """A domain refusal meaning "there is no such thing for you" (→ 404)."""


class Unfulfillable(Exception):
    """What was bought can no longer be supplied (stock gone, product removed, slot taken,
    coupon used up). Checkout turns it into a 400; fulfilment after payment flags the
    payment for refund instead."""


class HeldElsewhere(Unfulfillable):
    """What was asked for exists, but another shopper's open checkout holds it until
    `held_until` (→ 409 with held_until). After payment it is unfulfillable like any other
    shortage."""

    def __init__(self, message: str, *, held_until):
        super().__init__(message)
        self.held_until = held_until
