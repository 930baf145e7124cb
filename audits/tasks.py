"""Celery tasks take ids (or plain values), re-fetch, and do nothing when the work is already done."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .fieldwork import photos

RENDITION_MAX_RETRIES = 5


@shared_task(name="audits.write_probe")
def write_probe(name: str, content: str) -> str:
    """Writes a small file to the default storage: proves a worker, the broker and the storage work
    together (used by the service tests and `manage.py check_worker`). Idempotent by name."""
    path = f"probes/{name}.txt"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(content.encode()))
    return path


def rendition_backoff(retries: int) -> int:
    """5 s, 10 s, 20 s … at most 10 minutes: always below Redis' visibility timeout."""
    return min(600, 5 * 2 ** retries)


@shared_task(bind=True, name="audits.make_photo_renditions", acks_late=True, reject_on_worker_lost=True,
             max_retries=RENDITION_MAX_RETRIES)
def make_photo_renditions(self, photo_id: str) -> str:
    """The 1600 px and 400 px renditions of one photo. Safe to run twice, or again after a worker died
    half-way: it re-fetches the photo and does nothing when the renditions exist. Storage or database
    trouble is retried with back-off; then the photo is marked failed with the reason, never silently."""
    try:
        photo = photos.photo_make_renditions(photo_id=photo_id)
    except photos.RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            photos.photo_mark_failed(photo_id=photo_id,
                                     reason=f"Renditions failed after {self.request.retries + 1} attempts: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=rendition_backoff(self.request.retries)) from exc
    return photo.state if photo is not None else "gone"


#: A photo still processing this long after its last change has lost its task (renditions take seconds).
STUCK_AFTER = timedelta(minutes=15)


@shared_task(name="audits.requeue_stuck_photos")
def requeue_stuck_photos() -> int:
    """The watchdog (Celery beat): enqueue again the renditions of photos whose task was lost. Harmless
    when the task was only slow: the rendition task is a no-op once the renditions exist."""
    stuck = photos.photos_stuck(older_than=STUCK_AFTER)
    for photo_id in stuck:
        make_photo_renditions.delay(photo_id)
    return len(stuck)
