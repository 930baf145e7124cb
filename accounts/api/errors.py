"""One error format for everything under /api/:

    {"error": {"code": "validation_error", "message": "a sentence for a person", "fields": {"name": ["..."]}}}

DRF's exceptions and the domain errors (`accounts.errors`) are turned into it by `exception_handler`; what
happens outside DRF's views — an unknown route, a body over the size limit, a CSRF failure, an unexpected
exception (500, with an error id the server log carries too) — by `ApiErrorsMiddleware` and the views below,
under every setting (DEBUG included)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import Conflict, DomainError, summarize

log = logging.getLogger("touchpoint.api")

MESSAGES = {
    "not_found": "Not found: it does not exist, or it is not yours to see.",
    "not_authenticated": "Sign in first.",
    "authentication_failed": "Your sign-in is not valid; sign in again.",
    "permission_denied": "Your role does not allow this.",
    "method_not_allowed": "This action is not available here.",
    "throttled": "Too many requests; try again shortly.",
    "unsupported_media_type": "This content type is not accepted here.",
    "parse_error": "The request body could not be read.",
    "csrf_failed": "The request's CSRF token is missing or wrong: reload the page and try again.",
    "too_large": "The request body is larger than this server accepts.",
    "server_error": "Something went wrong on the server; it has been logged.",
}


# Built from a mapping: a serializer cannot declare a field named `fields` in its class body.
ErrorDetailSerializer = inline_serializer("ErrorDetail", {
    "code": serializers.CharField(help_text="Machine-readable: validation_error, not_found, conflict, throttled…"),
    "message": serializers.CharField(help_text="One sentence for a person: the first problem, and how many more."),
    "fields": serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems by field, keyed by the field's dotted path (an answer: `responses.<item id>.value`)."),
})


class ErrorBody(serializers.Serializer):
    """The one error body of the API."""

    error = ErrorDetailSerializer


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors like the input; name each as a dotted path (`stages.0.steps.2.name`)."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors" and prefix:
                name = prefix
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in detail)
        else:
            for index, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _in_use(exc: ProtectedError | RestrictedError) -> Conflict:
    """Deleting a row that others still point at: say what uses it."""
    objects = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
    names: dict[str, int] = {}
    for obj in objects:
        label = str(obj._meta.verbose_name_plural if len(objects) > 1 else obj._meta.verbose_name)
        names[label] = names.get(label, 0) + 1
    what = ", ".join(f"{count} {label}" for label, count in names.items()) or "other rows"
    return Conflict(f"This is in use ({what} refer to it): archive it, or remove those first.", code="in_use",
                    extra={"used_by": sorted(names)})


def _domain_response(exc: DomainError) -> Response:
    response = Response(error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status)
    if exc.status == status.HTTP_429_TOO_MANY_REQUESTS and "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = _in_use(exc)
    if isinstance(exc, DomainError):
        return _domain_response(exc)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return Response(error_body("too_large", MESSAGES["too_large"]), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("validation_error", summarize(fields), fields)
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    detail = getattr(exc, "detail", "")
    if code == "permission_denied" and str(detail).startswith("CSRF Failed"):
        code = "csrf_failed"
    message = MESSAGES.get(code) or str(detail) or "Something went wrong."
    if code not in MESSAGES and isinstance(detail, str):
        message = str(detail)
    wait = getattr(exc, "wait", None)
    if code == "throttled" and wait:
        message = f"Too many requests; try again in {int(wait) + 1} seconds."
    response.data = error_body(code, message)
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(code: str, status_code: int, message: str | None = None, **extra: Any) -> JsonResponse:
    return JsonResponse(error_body(code, message or MESSAGES[code], **extra), status=status_code)


@csrf_exempt  # it changes nothing: a POST to an unknown route is a 404, not a CSRF failure
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ path that no route knows, whatever the method."""
    return json_error("not_found", 404, "No such API route: see /api/docs/ for the ones there are.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: in the API's format under /api/, Django's page elsewhere."""
    if _is_api(request):
        return json_error("csrf_failed", 403)
    return django_csrf_failure(request, reason=reason)


class ApiErrorsMiddleware:
    """Under /api/: a body declared larger than `TOUCHPOINT_MAX_BODY_BYTES` is refused (413) before it is read;
    an exception no handler turned into an answer becomes a 500 in the API's format with an error id, which the
    log line carries too (whatever DEBUG says)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return json_error("parse_error", 400, "The Content-Length header is not a number.")
            limit = settings.TOUCHPOINT_MAX_BODY_BYTES
            if length > limit:
                return json_error("too_large", 413, f"The request body is over {limit // (1024 * 1024)} MB.")
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
            return json_error("too_large", 413)
        error_id = uuid.uuid4().hex[:12]
        log.exception("server error %s on %s %s", error_id, request.method, request.path)
        return json_error("server_error", 500, f"{MESSAGES['server_error']} (error id {error_id})",
                          error_id=error_id)
