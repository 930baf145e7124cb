"""Celery tasks take ids (or plain values), re-fetch, and do nothing when the work is already done."""

from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


@shared_task(name="audits.write_probe")
def write_probe(name: str, content: str) -> str:
    """Writes a small file to the default storage: proves a worker, the broker and the storage work
    together (used by the service tests and `manage.py check_worker`). Idempotent by name."""
    path = f"probes/{name}.txt"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(content.encode()))
    return path
