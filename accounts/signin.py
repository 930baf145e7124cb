"""Sign-in: checking credentials, refusing demo accounts where they are not allowed, and throttling failures.

Failed sign-ins are counted per account (the e-mail tried) and per address (the client's IP) in the shared
cache (Redis when `CACHE_URL` names it; the process's memory otherwise). Past the limit, every sign-in for that
account or from that address — the right password included — is answered 429 with `Retry-After` until the
window has passed. A successful sign-in clears the account's count.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest

from accounts.errors import DomainError
from accounts.models import User

DEMO_DOMAIN = "demo.touchpoint.test"
#: The demo password is refused under production settings for ANY account that has it.
DEMO_PASSWORD = "touchpoint-demo"  # noqa: S105 — the known demo password, refused in production


class Throttled(DomainError):
    status = 429
    code = "throttled"


def is_demo_credential(email: str, password: str | None) -> bool:
    return email.lower().endswith(f"@{DEMO_DOMAIN}") or password == DEMO_PASSWORD


class DemoAwareBackend(ModelBackend):
    """Django's model backend, except that where demo data is not allowed (production), demo accounts and any
    account signing in with the demo password are refused."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: object) -> User | None:
        email = username or str(kwargs.get("email") or "")
        if not settings.DEMO_ALLOWED and is_demo_credential(email, password):
            return None
        user = super().authenticate(request, username=email, password=password)
        return user if isinstance(user, User) else None


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int


def _windows() -> dict[str, Window]:
    return {"account": Window(settings.SIGNIN_FAILURES_PER_ACCOUNT, settings.SIGNIN_WINDOW_SECONDS),
            "address": Window(settings.SIGNIN_FAILURES_PER_ADDRESS, settings.SIGNIN_WINDOW_SECONDS)}


def _key(kind: str, value: str) -> str:
    return f"signin-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def client_address(request: HttpRequest) -> str:
    # Behind the proxies of deploy/ (nginx sets X-Real-IP); REMOTE_ADDR otherwise.
    return str(request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "unknown")


def _failures(key: str) -> tuple[int, float]:
    value = cache.get(key)
    if not value:
        return 0, 0.0
    count, first = value
    return int(count), float(first)


def check_allowed(*, email: str, address: str) -> None:
    """429 (with the seconds to wait) when this account or this address failed too often recently."""
    now = time.time()
    for kind, value in (("account", email.lower()), ("address", address)):
        window = _windows()[kind]
        count, first = _failures(_key(kind, value))
        if count >= window.limit and now - first < window.seconds:
            wait = max(1, math.ceil(window.seconds - (now - first)))
            raise Throttled(f"Too many failed sign-ins for this {kind}; try again in {_in_words(wait)}.",
                            extra={"retry_after": wait})


def _in_words(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"


def record_failure(*, email: str, address: str) -> None:
    now = time.time()
    for kind, value in (("account", email.lower()), ("address", address)):
        window = _windows()[kind]
        key = _key(kind, value)
        count, first = _failures(key)
        if not count or now - first >= window.seconds:
            count, first = 0, now
        cache.set(key, (count + 1, first), timeout=window.seconds)


def clear_failures(*, email: str) -> None:
    cache.delete(_key("account", email.lower()))


def sign_in(request: HttpRequest, *, email: str, password: str) -> User:
    """The user whose credentials these are, or a clear refusal (400 wrong credentials, 429 throttled)."""
    address = client_address(request)
    check_allowed(email=email, address=address)
    user = authenticate(request, email=email.lower(), password=password)
    if not isinstance(user, User):
        record_failure(email=email, address=address)
        raise DomainError("That e-mail and password do not match an active account.", code="invalid_credentials")
    clear_failures(email=email)
    return user
