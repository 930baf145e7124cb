"""Real services for the tests. In CI (CI=true) a missing service fails the test; elsewhere it skips,
and pytest's summary (-ra) names what was skipped and why."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(service: str, reason: str) -> None:
    message = f"{service} is not available: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: service tests must run)", pytrace=False)
    pytest.skip(message)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_url() -> str:
    url = os.environ.get("TOUCHPOINT_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    if not _reachable(url):
        need("Redis", f"nothing answers at {url}")
    return url


def require_postgresql() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        need("PostgreSQL", "DATABASE_URL does not point at PostgreSQL (set it, as .ci/run does)")
