"""What /healthz reports: can we reach the database, the broker and the storage?"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from config.celery import app


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        if not conn.connected:
            raise ConnectionError("broker not reachable")
    return "ok"


def check_storage() -> str:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    stored = default_storage.save(name, ContentFile(b"ok"))
    try:
        with default_storage.open(stored) as fh:
            if fh.read() != b"ok":
                raise OSError("storage returned other bytes")
    finally:
        default_storage.delete(stored)
    return "ok"


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def health() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            results[name] = f"down: {type(exc).__name__}: {exc}"[:300]
    ok = all(value == "ok" for value in results.values())
    return ok, results


def describe_backends() -> dict[str, str]:
    return {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "storage": settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
