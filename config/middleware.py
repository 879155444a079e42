"""Every /api/ answer is JSON, with DEBUG on or off: Django's own error pages (404 for an
unknown path, 405, 400 for a bad Host header or an oversized body, 500) become
{"error": ...} and never show a stack trace."""

import logging
import traceback
from http import HTTPStatus

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse

API_PREFIX = "/api/"
HANDLED_BY_DJANGO = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
logger = logging.getLogger(__name__)


def _json_error(status: int, original=None) -> JsonResponse:
    response = JsonResponse({"error": f"{HTTPStatus(status).phrase.capitalize()}."}, status=status)
    if original is not None and original.has_header("Allow"):
        response["Allow"] = original["Allow"]
    return response


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _json_error(response.status_code, response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, HANDLED_BY_DJANGO):
            return None  # Django answers 4xx for these; __call__ makes that JSON
        if request.path.startswith(API_PREFIX):
            # A bug: say where it broke, without the stack or the values in it.
            frame = traceback.extract_tb(exception.__traceback__)[-1]
            logger.error(
                "Unhandled %s on %s %s at %s:%s",
                type(exception).__name__,
                request.method,
                request.path,
                frame.filename,
                frame.lineno,
            )
            return _json_error(500)
        return None
