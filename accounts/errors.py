"""Domain errors: the one module every floor raises from. Services raise them; the single API error
handler (`accounts.api.errors`) turns them into the one error body, `{"error": {"code", "message", "fields"}}`.

Build field errors with `ValidationFailed.from_fields({...})` (or `.field(name, problem)` for one): the
summary line ("name: problem (and 2 more)") is written here, once, for every caller and for DRF's own
validation errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

FieldErrors = dict[str, list[str]]


def summarize(fields: Mapping[str, Sequence[str]], *, fallback: str = "Invalid input.") -> str:
    """The one-line message of a field map: the first problem, where it is, and how many more there are."""
    if not fields:
        return fallback
    name, problems = next(iter(fields.items()))
    where = "" if name in ("", "non_field_errors") else f"{name}: "
    message = f"{where}{problems[0] if problems else fallback}"
    if len(fields) > 1:
        message += f" (and {len(fields) - 1} more)"
    return message


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: str = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: Mapping[str, Sequence[str]] | None = None,
                 status: int | None = None, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status  # type: ignore[misc]
        self.fields: FieldErrors = {name: list(problems) for name, problems in (fields or {}).items()}
        self.extra: dict[str, Any] = dict(extra or {})


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"

    @classmethod
    def from_fields(cls, fields: Mapping[str, str | Sequence[str]], *, code: str | None = None,
                    message: str | None = None, extra: Mapping[str, Any] | None = None) -> Self:
        """Problems keyed by field (a string or a list of strings each); the message summarises them."""
        normalized: FieldErrors = {name: [problems] if isinstance(problems, str) else list(problems)
                                   for name, problems in fields.items()}
        return cls(message or summarize(normalized), code=code, fields=normalized, extra=extra)

    @classmethod
    def field(cls, name: str, problem: str, *, code: str | None = None,
              extra: Mapping[str, Any] | None = None) -> Self:
        """One problem at one field."""
        return cls.from_fields({name: [problem]}, code=code, extra=extra)


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotAllowed(DomainError):
    status = 403
    code = "permission_denied"


NOT_FOUND_MESSAGE = "Not found: it does not exist, or it is not yours to see."


class NotFound(DomainError):
    """Not there, or not yours: the two answer alike (404), so ids of other tenants are not confirmed."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = NOT_FOUND_MESSAGE, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
