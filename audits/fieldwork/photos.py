"""Photo evidence: the phone's idempotent upload (checked by `photo_checks` on its bytes, hash and size;
the original kept private) and the Celery task that makes the renditions people see (`imaging.render`),
retried on storage trouble and marked failed, with the reason, when retries are over."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone
from PIL import Image

from accounts.errors import Conflict, FieldErrors, NotAllowed, NotFound, ValidationFailed
from accounts.models import User
from audits.fieldwork.imaging import LARGE_PX, SMALL_PX, render
from audits.fieldwork.photo_checks import FORMATS, PhotoRefused, inspect_image
from audits.fieldwork.upsert import FROZEN_STATES
from audits.models import Audit, Item, Photo, PhotoState
from audits.models.fieldwork import photo_rendition_path
from journeys.models import Step

logger = logging.getLogger(__name__)


class StorageTrouble(Exception):
    """The object store failed (network, permissions, a full disk): worth retrying."""


#: Errors a rendition task retries with back-off before it marks the photo failed.
RETRYABLE = (StorageTrouble, OperationalError)


def refuse_other_users_photo(*, user: User, photo_id: uuid.UUID) -> None:
    """Before the body is read: another user's photo is not found (or not yours to send)."""
    row = Photo.objects.filter(pk=photo_id).values("audit__auditor_id").first()
    if row is None or row["audit__auditor_id"] == user.pk:
        return
    if Photo.objects.visible_to(user).filter(pk=photo_id).exists():
        raise NotAllowed("Only the auditor who took this photo can send it.")
    raise NotFound()


@dataclass
class PhotoPutResult:
    photo: Photo
    created: bool


def _same_or_conflict(photo: Photo, sha256: str, user: User) -> PhotoPutResult:
    if photo.audit.auditor_id != user.pk:
        raise NotFound()
    if photo.sha256 != sha256:
        raise Conflict("A photo with this id is already stored with other bytes.", code="photo_conflict",
                       extra={"sha256": photo.sha256})
    return PhotoPutResult(photo=photo, created=False)  # the same photo again: nothing to do


def photo_put(*, user: User, photo_id: uuid.UUID, upload: UploadedFile, sha256: str, audit_id: uuid.UUID,
              item_id: int | None, step_id: int | None, taken_at: datetime | None, latitude: float | None,
              longitude: float | None) -> PhotoPutResult:
    """Store the phone's photo `photo_id` once. The same id and bytes again is a no-op; other bytes
    under the same id are a conflict. Nothing is stored unless every check passes."""
    size = upload.size or 0
    if size == 0:
        raise PhotoRefused("The photo is empty.", code="photo_empty")
    if size > settings.PHOTO_MAX_BYTES:
        raise PhotoRefused(f"The photo is {size:,} bytes; at most {settings.PHOTO_MAX_BYTES:,} are accepted.",
                           code="photo_too_large", status=413)
    upload.seek(0)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationFailed.field("sha256", "The bytes received do not have this SHA-256; send the photo again.",
                                     code="hash_mismatch")
    existing = Photo.objects.select_related("audit").filter(pk=photo_id).first()
    if existing is not None:
        return _same_or_conflict(existing, sha256, user)

    audit = Audit.objects.filter(pk=audit_id, auditor=user).first()
    if audit is None:
        raise Conflict("The audit of this photo is not stored yet: send the audit first.", code="audit_not_found")
    if audit.state in FROZEN_STATES:
        raise Conflict("This audit is submitted: it takes no new photos.", code="audit_frozen")
    errors: FieldErrors = {}
    if item_id is not None and not Item.objects.filter(pk=item_id, version_id=audit.checklist_version_id).exists():
        errors["item"] = ["Not an item of this audit's checklist."]
    if step_id is not None and not Step.objects.filter(pk=step_id, journey_id=audit.journey_id).exists():
        errors["step"] = ["Not a step of this audit's journey."]
    if errors:
        raise ValidationFailed.from_fields(errors)
    facts = inspect_image(data)

    with transaction.atomic():
        # The primary key decides a race between two copies of the same upload: one inserts, the other
        # waits for it and then finds it; only the winner writes a file.
        photo, created = Photo.objects.select_related("audit").get_or_create(pk=photo_id, defaults={
            "organization_id": audit.organization_id, "audit": audit, "item_id": item_id, "step_id": step_id,
            "sha256": sha256, "content_type": FORMATS[facts.format], "size": len(data), "width": facts.width,
            "height": facts.height, "taken_at": taken_at, "latitude": latitude, "longitude": longitude})
        if not created:
            return _same_or_conflict(photo, sha256, user)
        saved_name = None
        try:
            photo.original.save(str(photo.pk), ContentFile(data), save=False)
            saved_name = photo.original.name
            photo.save(update_fields=["original"])
        except Exception:
            if saved_name:
                photo.original.storage.delete(saved_name)
            raise
        make_photo_renditions.delay_on_commit(str(photo.pk))
    return PhotoPutResult(photo=photo, created=True)


# ---- renditions ------------------------------------------------------------------------------------

def _is_storage_trouble(exc: Exception) -> bool:
    # botocore's errors (no connection, a server error) are not OSErrors
    return isinstance(exc, OSError) or exc.__class__.__module__.startswith(("botocore", "boto3", "urllib3"))


def _store(storage: Storage, name: str, content: bytes) -> str:
    try:
        if storage.exists(name):
            storage.delete(name)  # a redelivered task overwrites its own half-done work
        return storage.save(name, ContentFile(content))
    except Exception as exc:
        if _is_storage_trouble(exc):
            raise StorageTrouble(f"{exc.__class__.__name__}: {exc}") from exc
        raise


def photo_make_renditions(*, photo_id: uuid.UUID | str) -> Photo | None:
    """Make the renditions of one photo; a no-op when they exist. Storage trouble raises
    `StorageTrouble` (retried by the task); a photo that cannot be decoded is marked failed."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None
    if photo.state == PhotoState.READY and photo.large and photo.small:
        return photo
    Photo.objects.filter(pk=photo.pk).update(attempts=photo.attempts + 1)
    try:
        with photo.original.open("rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return photo_mark_failed(photo_id=photo.pk, reason="The original is missing from the storage.")
    except Exception as exc:
        if _is_storage_trouble(exc):
            raise StorageTrouble(f"{exc.__class__.__name__}: {exc}") from exc
        raise
    try:
        large, small, faces = render(data)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return photo_mark_failed(photo_id=photo.pk, reason=f"The photo could not be decoded: {exc}")
    if faces:
        logger.info("photo %s: %d face(s) blurred in its renditions", photo.pk, faces)
    storage = photo.large.storage
    large_name = _store(storage, photo_rendition_path(photo, f"{photo.pk}-{LARGE_PX}.jpg"), large)
    small_name = _store(storage, photo_rendition_path(photo, f"{photo.pk}-{SMALL_PX}.jpg"), small)
    Photo.objects.filter(pk=photo.pk).update(large=large_name, small=small_name, state=PhotoState.READY, error="",
                                             updated_at=timezone.now())
    return Photo.objects.get(pk=photo.pk)


def photo_mark_failed(*, photo_id: uuid.UUID | str, reason: str) -> Photo | None:
    """Retries are over (or pointless): the photo shows as failed, with the reason."""
    Photo.objects.filter(pk=photo_id).exclude(state=PhotoState.READY).update(
        state=PhotoState.FAILED, error=reason[:2000], updated_at=timezone.now())
    return Photo.objects.filter(pk=photo_id).first()


def photos_stuck(*, older_than: timedelta, limit: int = 500) -> list[str]:
    """Photos still waiting for renditions long after their last change: their task was lost (the broker
    was down at upload, or a worker died where no visibility timeout brings it back)."""
    cutoff = timezone.now() - older_than
    return [str(pk) for pk in Photo.objects.filter(state=PhotoState.PROCESSING, updated_at__lt=cutoff)
            .order_by("updated_at").values_list("pk", flat=True)[:limit]]


RENDITION_MAX_RETRIES = 5


def rendition_backoff(retries: int) -> int:
    """5 s, 10 s, 20 s … at most 10 minutes: always below Redis' visibility timeout."""
    return min(600, 5 * 2 ** retries)


@shared_task(bind=True, name="audits.make_photo_renditions", acks_late=True, reject_on_worker_lost=True,
             max_retries=RENDITION_MAX_RETRIES)
def make_photo_renditions(self: Any, photo_id: str) -> str:
    """The 1600 px and 400 px renditions of one photo. Safe to run twice, or again after a worker died
    half-way: it re-fetches the photo and does nothing when the renditions exist. Storage or database
    trouble is retried with back-off; then the photo is marked failed with the reason, never silently."""
    try:
        photo = photo_make_renditions(photo_id=photo_id)
    except RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            photo_mark_failed(photo_id=photo_id,
                              reason=f"Renditions failed after {self.request.retries + 1} attempts: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=rendition_backoff(self.request.retries)) from exc
    return photo.state if photo is not None else "gone"
