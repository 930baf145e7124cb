"""One error format for the whole API:

    {"error": {"code": "validation_error", "message": "a sentence for a person", "fields": {"name": ["..."]}}}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError

MESSAGES = {
    "not_found": "Not found: it does not exist, or it is not yours to see.",
    "not_authenticated": "Sign in first.",
    "authentication_failed": "Your sign-in is not valid; sign in again.",
    "permission_denied": "Your role does not allow this.",
    "method_not_allowed": "This action is not available here.",
    "throttled": "Too many requests; try again shortly.",
    "unsupported_media_type": "This content type is not accepted here.",
    "parse_error": "The request body could not be read.",
}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
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


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status)
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
        first = next(iter(fields.items()), ("", ["Invalid input."]))
        where = "" if first[0] == "non_field_errors" else f"{first[0]}: "
        message = f"{where}{first[1][0]}"
        if len(fields) > 1:
            message += f" (and {len(fields) - 1} more)"
        response.data = error_body("validation_error", message, fields)
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    detail = getattr(exc, "detail", "")
    message = MESSAGES.get(code) or str(detail) or "Something went wrong."
    if code not in MESSAGES and isinstance(detail, str):
        message = str(detail)
    response.data = error_body(code, message)
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response
