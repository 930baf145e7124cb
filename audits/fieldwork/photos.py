"""Photo evidence: the phone's idempotent upload (checked by content, hash and size; the original kept
private) and the renditions people see (made by a Celery task: JPEG draft decoding, orientation
fixed, every piece of metadata stripped, faces blurred, 1600 px then 400 px from the 1600 px image)."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone
from PIL import ExifTags, Image, ImageFilter, ImageOps, UnidentifiedImageError

from accounts.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from accounts.models import User
from audits.fieldwork.sync import FROZEN_STATES, NotFound
from audits.models import Audit, Item, Photo, PhotoState
from audits.models.fieldwork import photo_rendition_path
from journeys.models import Step

if TYPE_CHECKING:
    import cv2

#: Pillow format -> content type. Only these are photos; the check is on the bytes, never on a name.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
LARGE_PX = 1600
SMALL_PX = 400
JPEG_QUALITY = 82
#: Faces are looked for on a grey copy at most this many pixels on its long side (the 1600 px image
#: box-reduced 4x): the cascade's smallest face, 24 px, is then 6 % of the photo's long side. Larger
#: sizes find smaller faces but cost the rendition step its speed (see README, bench_photos).
FACE_DETECT_PX = 400
#: Each found face box grows by this share of its size on every side (hair, ears, the cascade's tight box).
FACE_PAD = 0.25
#: The cascade's step between face sizes: 1.25 costs ~4.5 ms on a 400 px copy, 1.1 ~11 ms (one core).
FACE_SCALE_STEP = 1.25

logger = logging.getLogger(__name__)


class PhotoRefused(DomainError):
    status = 400
    code = "photo_invalid"


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
    raise NotFound("Not found: it does not exist, or it is not yours to see.")


@dataclass
class ImageFacts:
    format: str
    width: int
    height: int


def _trailing_data(data: bytes, fmt: str) -> bool:
    """A polyglot hides a second file (HTML, a ZIP, a script) behind a valid image: refuse any bytes
    after the image's own end marker."""
    if fmt == "JPEG":
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if fmt == "PNG":
        return not data.endswith(b"IEND\xaeB`\x82")
    if fmt == "WEBP":
        declared = int.from_bytes(data[4:8], "little") + 8
        return declared + (declared & 1) < len(data)
    return True


def inspect_image(data: bytes) -> ImageFacts:
    """Refuse anything that is not a whole JPEG, PNG or WebP within the pixel limit. The pixel limit
    is checked from the header, before a single pixel is decoded; Pillow's own bomb warning is an
    error here; only then is the image verified and fully decoded."""
    limit = settings.PHOTO_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as im:
                facts = ImageFacts(format=im.format, width=im.width, height=im.height)
                if im.width * im.height > limit:
                    raise PhotoRefused(f"The photo has {im.width}×{im.height} pixels; at most {limit:,} are accepted.",
                                       code="photo_too_many_pixels", status=413)
                im.verify()
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as im:
                im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRefused(f"The photo has too many pixels (at most {limit:,}).", code="photo_too_many_pixels",
                               status=413) from exc
        except UnidentifiedImageError as exc:
            raise PhotoRefused("Only JPEG, PNG and WebP photos are accepted (checked by their content).",
                               code="photo_type", status=415) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
            raise PhotoRefused(f"The photo is damaged or truncated: {exc}.", code="photo_damaged") from exc
    if _trailing_data(data, facts.format):
        raise PhotoRefused("The photo carries other data after the image; only plain photos are accepted.",
                           code="photo_damaged")
    return facts


@dataclass
class PhotoPutResult:
    photo: Photo
    created: bool


def _same_or_conflict(photo: Photo, sha256: str, user: User) -> PhotoPutResult:
    if photo.audit.auditor_id != user.pk:
        raise NotFound("Not found: it does not exist, or it is not yours to see.")
    if photo.sha256 != sha256:
        raise Conflict("A photo with this id is already stored with other bytes.", code="photo_conflict",
                       extra={"sha256": photo.sha256})
    return PhotoPutResult(photo=photo, created=False)  # the same photo again: nothing to do


def photo_put(*, user: User, photo_id: uuid.UUID, upload, sha256: str, audit_id: uuid.UUID, item_id: int | None,
              step_id: int | None, taken_at: datetime | None, latitude: float | None,
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
        raise ValidationFailed("sha256: the bytes received do not have this SHA-256; send the photo again.",
                               code="hash_mismatch", fields={"sha256": ["Does not match the bytes received."]})
    existing = Photo.objects.select_related("audit").filter(pk=photo_id).first()
    if existing is not None:
        return _same_or_conflict(existing, sha256, user)

    audit = Audit.objects.filter(pk=audit_id, auditor=user).first()
    if audit is None:
        raise Conflict("The audit of this photo is not stored yet: send the audit first.", code="audit_not_found")
    if audit.state in FROZEN_STATES:
        raise Conflict("This audit is submitted: it takes no new photos.", code="audit_frozen")
    errors = {}
    if item_id is not None and not Item.objects.filter(pk=item_id, version_id=audit.checklist_version_id).exists():
        errors["item"] = ["Not an item of this audit's checklist."]
    if step_id is not None and not Step.objects.filter(pk=step_id, journey_id=audit.journey_id).exists():
        errors["step"] = ["Not a step of this audit's journey."]
    if errors:
        raise ValidationFailed(f"{next(iter(errors))}: {next(iter(errors.values()))[0]}", fields=errors)
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

def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA", "P", "PA") and (im.mode != "P" or "transparency" in im.info):
        im = im.convert("RGBA")
        background = Image.new("RGB", im.size, (255, 255, 255))
        background.paste(im, mask=im.getchannel("A"))
        return background
    return im if im.mode == "RGB" else im.convert("RGB")


def _fit(width: int, height: int, box: int) -> tuple[int, int]:
    scale = min(1.0, box / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: nothing of the original's metadata is written.
    im.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


_cascades = threading.local()


def _face_cascade() -> cv2.CascadeClassifier:
    """OpenCV's frontal-face Haar cascade, shipped inside the opencv-python-headless wheel (nothing is
    downloaded); loaded once per thread (a classifier is not shared between threads). OpenCV is imported
    here, not at start-up, and kept to one thread: a Celery worker process makes one photo at a time."""
    cascade = getattr(_cascades, "face", None)
    if cascade is None:
        import cv2

        cv2.setNumThreads(1)
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
        if cascade.empty():
            raise RuntimeError("OpenCV's haarcascade_frontalface_default.xml could not be loaded.")
        _cascades.face = cascade
    return cascade


def find_faces(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of frontal faces in `image`'s own pixels, found on a grey copy
    box-reduced to at most FACE_DETECT_PX on its long side, then scaled up."""
    import numpy as np

    factor = max(1, -(-max(image.size) // FACE_DETECT_PX))  # ceil: the copy is at most FACE_DETECT_PX
    grey = (image.reduce(factor) if factor > 1 else image).convert("L")
    found = _face_cascade().detectMultiScale(np.asarray(grey), scaleFactor=FACE_SCALE_STEP, minNeighbors=5,
                                             minSize=(24, 24))
    sx, sy = image.width / grey.width, image.height / grey.height
    return [(round(x * sx), round(y * sy), round((x + w) * sx), round((y + h) * sy)) for x, y, w, h in found]


def blur_faces(image: Image.Image) -> tuple[Image.Image, int]:
    """`image` with every frontal face found (its box padded by FACE_PAD) blurred beyond recognition,
    and how many were blurred. An image without faces comes back as it is (the same object)."""
    boxes = find_faces(image)
    if not boxes:
        return image, 0
    image = image.copy()
    for left, top, right, bottom in boxes:
        pad_x, pad_y = round((right - left) * FACE_PAD), round((bottom - top) * FACE_PAD)
        box = (max(0, left - pad_x), max(0, top - pad_y), min(image.width, right + pad_x),
               min(image.height, bottom + pad_y))
        region = image.crop(box)
        # Pixelate to about 8 cells across, then blur: no feature survives, and no block edges show.
        cell = max(1, region.width // 8)
        cells = (max(1, region.width // cell), max(1, region.height // cell))
        region = region.resize(cells, Image.Resampling.BOX).resize(region.size, Image.Resampling.BILINEAR)
        region = region.filter(ImageFilter.GaussianBlur(max(2, region.width / 16)))
        image.paste(region, box)
    return image, len(boxes)


def render(data: bytes) -> tuple[bytes, bytes, int]:
    """The 1600 px and 400 px JPEGs of one photo, and how many faces they have blurred. JPEGs are decoded
    at a reduced scale (draft mode: the DCT does the first halvings almost for free); the orientation is
    fixed on the small image; faces are blurred on the upright 1600 px image (settings.TOUCHPOINT_BLUR_FACES),
    before the 400 px image is made from it, so both renditions carry the blur."""
    with Image.open(io.BytesIO(data), formats=list(FORMATS)) as im:
        exif = im.getexif()
        orientation = exif.get(ExifTags.Base.Orientation, 1)
        target = _fit(im.width, im.height, LARGE_PX)
        if im.format == "JPEG":
            im.draft("RGB", target)
        im = _flatten(im)
        large = im.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0) if im.size != target else im.copy()
    if orientation != 1:
        large.getexif()[ExifTags.Base.Orientation] = orientation  # carried over to the resized image
        large = ImageOps.exif_transpose(large)
    large.info.clear()
    faces = 0
    if settings.TOUCHPOINT_BLUR_FACES:
        large, faces = blur_faces(large)
    # From the 1600 px image; reducing_gap lets Pillow box-reduce by a whole factor first (4x: almost free).
    small = large.resize(_fit(large.width, large.height, SMALL_PX), Image.Resampling.BICUBIC, reducing_gap=1.5)
    return _jpeg(large), _jpeg(small), faces


def _is_storage_trouble(exc: Exception) -> bool:
    # botocore's errors (no connection, a server error) are not OSErrors
    return isinstance(exc, OSError) or exc.__class__.__module__.startswith(("botocore", "boto3", "urllib3"))


def _store(storage, name: str, content: bytes) -> str:
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
def make_photo_renditions(self, photo_id: str) -> str:
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
