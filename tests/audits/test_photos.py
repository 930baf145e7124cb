"""PUT /api/v1/photos/{uuid} and the renditions (see audits/fieldwork/photos.py, photo_checks.py, imaging.py,
audits/tasks.py)."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audits.fieldwork import photos as service
from audits.models import Audit, Photo
from audits.tasks import make_photo_renditions, requeue_stuck_photos
from tests.fieldwork_makers import jpeg_bytes, make_audit, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org, auditor):
    return make_plan(org, auditor)


@pytest.fixture
def audit(plan, auditor):
    return make_audit(plan, auditor, state="draft")


@pytest.fixture
def queued(monkeypatch):
    """The ids the upload enqueues (on commit) for the rendition task, without a broker."""
    ids: list[str] = []
    monkeypatch.setattr(make_photo_renditions, "delay_on_commit", lambda photo_id: ids.append(photo_id))
    return ids


def form(audit, data: bytes, *, sha256: str | None = None, name="photo.jpg", ctype="image/jpeg", **extra):
    return {"file": SimpleUploadedFile(name, data, content_type=ctype),
            "sha256": sha256 or hashlib.sha256(data).hexdigest(), "audit": str(audit.pk),
            "taken_at": "2026-11-23T10:15:00Z", "latitude": "52.2297", "longitude": "21.0122", **extra}


def upload(client, photo_id, body):
    return client.put(f"/api/v1/photos/{photo_id}", body, format="multipart")


def stored_files(prefix="private/originals") -> list[str]:
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists(prefix):
        walk(prefix)
    return found


def test_a_new_photo_is_stored_privately_with_its_proof_and_queued(audit, plan, auditor, api, queued):
    photo_id = uuid.uuid4()
    data = jpeg_bytes(320, 240)
    answer = upload(api(auditor), photo_id, form(audit, data, item=plan.item("arrival_photo").pk,
                                                 step=plan.steps[0].pk))
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"id": str(photo_id), "sha256": hashlib.sha256(data).hexdigest(), "state": "processing"}
    photo = Photo.objects.get(pk=photo_id)
    assert photo.original.name.startswith(f"private/originals/{audit.organization_id}/{audit.pk}/")
    assert (photo.width, photo.height, photo.content_type, photo.size) == (320, 240, "image/jpeg", len(data))
    assert (photo.latitude, photo.longitude, photo.taken_at.isoformat()) == (52.2297, 21.0122,
                                                                             "2026-11-23T10:15:00+00:00")
    with photo.original.open("rb") as fh:
        assert fh.read() == data
    assert queued == [str(photo_id)]


def test_the_same_photo_again_is_a_no_op(audit, auditor, api, queued):
    photo_id, data = uuid.uuid4(), jpeg_bytes()
    upload(api(auditor), photo_id, form(audit, data))
    again = upload(api(auditor), photo_id, form(audit, data))
    assert again.status_code == 200
    assert again.json()["id"] == str(photo_id)
    assert len(stored_files()) == 1 and Photo.objects.count() == 1
    assert queued == [str(photo_id)]


def test_the_same_id_with_other_bytes_is_a_conflict(audit, auditor, api, queued):
    photo_id = uuid.uuid4()
    upload(api(auditor), photo_id, form(audit, jpeg_bytes()))
    answer = upload(api(auditor), photo_id, form(audit, jpeg_bytes(color=(0, 0, 255))))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "photo_conflict"
    assert len(stored_files()) == 1


def test_a_photo_before_its_audit_is_told_to_send_the_audit_first(plan, auditor, api, queued):
    missing = Audit(pk=uuid.uuid4())
    answer = upload(api(auditor), uuid.uuid4(), form(missing, jpeg_bytes()))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "audit_not_found"
    assert not Photo.objects.exists()


def test_a_photo_for_a_submitted_audit_is_refused(plan, auditor, api, queued):
    submitted = make_audit(plan, auditor, state="submitted")
    answer = upload(api(auditor), uuid.uuid4(), form(submitted, jpeg_bytes()))
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "audit_frozen")


def test_png_and_webp_are_accepted(audit, auditor, api, queued):
    for fmt, ctype in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGBA", (50, 40), (10, 200, 10, 128)).save(out, fmt)
        answer = upload(api(auditor), uuid.uuid4(), form(audit, out.getvalue(), name="x.bin"))
        assert answer.status_code == 201, answer.json()
        assert Photo.objects.get(pk=answer.json()["id"]).content_type == ctype


def image_bytes(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, fmt)
    return out.getvalue()


def polyglot_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return jpeg_bytes() + out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 MP in a few kilobytes
    return out.getvalue()


BAD_FILES = {
    "empty": (b"", 400, "photo_empty"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>', 415,
            "photo_type"),
    "html named .jpg": (b"<html><body>hello</body></html>", 415, "photo_type"),
    "gif": (image_bytes("GIF"), 415, "photo_type"),
    "bmp": (image_bytes("BMP"), 415, "photo_type"),
    "truncated jpeg": (jpeg_bytes(400, 300)[:-400], 400, "photo_damaged"),
    "truncated png": (image_bytes("PNG", (300, 300))[:-30], 400, "photo_damaged"),
    "jpeg + zip polyglot": (polyglot_zip(), 400, "photo_damaged"),
    "png + html polyglot": (image_bytes("PNG") + b"<html><script>alert(1)</script></html>", 400, "photo_damaged"),
    "decompression bomb": (bomb(), 413, "photo_too_many_pixels"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_get_a_clear_4xx_and_nothing_is_stored(audit, auditor, api, queued, case):
    data, status, code = BAD_FILES[case]
    answer = upload(api(auditor), uuid.uuid4(), form(audit, data))
    assert answer.status_code == status, answer.json()
    assert answer.json()["error"]["code"] == code
    assert not Photo.objects.exists() and stored_files() == [] and queued == []


def test_too_many_bytes_is_413(audit, auditor, api, queued, settings):
    settings.PHOTO_MAX_BYTES = 1000
    answer = upload(api(auditor), uuid.uuid4(), form(audit, jpeg_bytes(300, 300)))
    assert (answer.status_code, answer.json()["error"]["code"]) == (413, "photo_too_large")
    assert not Photo.objects.exists()


def test_more_pixels_than_the_setting_is_413(audit, auditor, api, queued, settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    answer = upload(api(auditor), uuid.uuid4(), form(audit, jpeg_bytes(101, 100)))
    assert (answer.status_code, answer.json()["error"]["code"]) == (413, "photo_too_many_pixels")
    assert not Photo.objects.exists()


def test_a_hash_that_does_not_match_the_bytes_is_refused(audit, auditor, api, queued):
    answer = upload(api(auditor), uuid.uuid4(), form(audit, jpeg_bytes(), sha256="0" * 64))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "hash_mismatch")
    assert not Photo.objects.exists()


@pytest.mark.parametrize("field", ["item", "step"])
def test_items_and_steps_of_other_checklists_are_refused(audit, auditor, api, queued, other_org, field):
    other = make_plan(other_org)
    value = other.item("arrival_photo").pk if field == "item" else other.steps[0].pk
    answer = upload(api(auditor), uuid.uuid4(), form(audit, jpeg_bytes(), **{field: value}))
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not Photo.objects.exists()


@pytest.mark.parametrize("missing", ["file", "sha256", "audit"])
def test_missing_fields_are_named(audit, auditor, api, queued, missing):
    body = form(audit, jpeg_bytes())
    del body[missing]
    answer = upload(api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    assert missing in answer.json()["error"]["fields"]


def test_another_organizations_audit_is_not_found_for_photos(plan, audit, api, outsider, queued):
    answer = upload(api(outsider), uuid.uuid4(), form(audit, jpeg_bytes()))
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "audit_not_found")
    assert not Photo.objects.exists()


def test_another_users_photo_id_is_not_found(audit, auditor, api, outsider, queued):
    photo_id, data = uuid.uuid4(), jpeg_bytes()
    upload(api(auditor), photo_id, form(audit, data))
    answer = upload(api(outsider), photo_id, form(audit, data))
    assert answer.status_code == 404


# ---- renditions -------------------------------------------------------------------------------------

def camera_jpeg(width=3200, height=2400, orientation=6) -> bytes:
    """A camera-like JPEG: EXIF with an orientation, GPS and a maker note, and an ICC profile."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    image.paste((250, 250, 0), (0, 0, width // 4, height // 4))  # a yellow mark in the top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (52.0, 13.0, 47.0)  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=b"\0" * 128, quality=90)
    return out.getvalue()


def stored_photo(audit, auditor, api, data: bytes) -> Photo:
    photo_id = uuid.uuid4()
    assert upload(api(auditor), photo_id, form(audit, data)).status_code == 201
    return Photo.objects.get(pk=photo_id)


def open_rendition(field) -> Image.Image:
    with field.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
        return image


def test_renditions_are_upright_stripped_jpegs_of_1600_and_400_px(audit, auditor, api, queued):
    photo = stored_photo(audit, auditor, api, camera_jpeg())
    service.photo_make_renditions(photo_id=photo.pk)
    photo.refresh_from_db()
    assert (photo.state, photo.error) == ("ready", "")
    large, small = open_rendition(photo.large), open_rendition(photo.small)
    assert (large.format, large.size) == ("JPEG", (1200, 1600))  # orientation 6: portrait once upright
    assert (small.format, small.size) == ("JPEG", (300, 400))
    for image in (large, small):
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    # the yellow corner (top-left as stored) is top-right once rotated upright
    assert large.getpixel((1150, 40))[2] < 80 and large.getpixel((40, 40))[2] > 150
    assert photo.large.name.startswith("renditions/") and not photo.large.name.startswith("private/")


def test_a_png_with_transparency_gets_a_white_background(audit, auditor, api, queued):
    out = io.BytesIO()
    Image.new("RGBA", (500, 300), (0, 0, 0, 0)).save(out, "PNG")
    photo = stored_photo(audit, auditor, api, out.getvalue())
    service.photo_make_renditions(photo_id=photo.pk)
    photo.refresh_from_db()
    assert open_rendition(photo.large).getpixel((10, 10)) == (255, 255, 255)
    assert open_rendition(photo.large).size == (500, 300)  # never enlarged


def test_making_renditions_twice_is_a_no_op(audit, auditor, api, queued):
    photo = stored_photo(audit, auditor, api, jpeg_bytes(2000, 1000))
    service.photo_make_renditions(photo_id=photo.pk)
    first = Photo.objects.values("large", "small", "updated_at", "attempts").get(pk=photo.pk)
    assert make_photo_renditions.apply(args=[str(photo.pk)]).get() == "ready"
    assert Photo.objects.values("large", "small", "updated_at", "attempts").get(pk=photo.pk) == first
    assert len(stored_files("renditions")) == 2


def test_a_worker_that_dies_half_way_leaves_work_a_redelivered_task_completes(audit, auditor, api, queued,
                                                                             monkeypatch):
    photo = stored_photo(audit, auditor, api, jpeg_bytes(2000, 1000))
    real_store = service._store
    calls = []

    def dying_store(storage, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # after the large rendition, before the small one
        return real_store(storage, name, content)

    monkeypatch.setattr(service, "_store", dying_store)
    with pytest.raises(SystemExit):
        make_photo_renditions.run(str(photo.pk))
    assert Photo.objects.get(pk=photo.pk).state == "processing"
    monkeypatch.setattr(service, "_store", real_store)
    assert make_photo_renditions.run(str(photo.pk)) == "ready"  # acks_late: the broker hands it out again
    photo.refresh_from_db()
    assert photo.state == "ready" and photo.attempts == 2
    assert sorted(stored_files("renditions")) == sorted([photo.large.name, photo.small.name])


def test_storage_trouble_is_retried_then_the_photo_shows_as_failed(audit, auditor, api, queued, monkeypatch):
    photo = stored_photo(audit, auditor, api, jpeg_bytes())
    attempts = []

    def broken(*, photo_id):
        attempts.append(photo_id)
        raise service.StorageTrouble("the bucket is unreachable")

    monkeypatch.setattr(service, "photo_make_renditions", broken)
    result = make_photo_renditions.apply(args=[str(photo.pk)])
    assert result.get() == "failed"
    assert len(attempts) == make_photo_renditions.max_retries + 1
    photo.refresh_from_db()
    assert photo.state == "failed"
    assert "the bucket is unreachable" in photo.error


def test_a_photo_that_cannot_be_decoded_fails_at_once_with_the_reason(audit, auditor, api, queued):
    photo = stored_photo(audit, auditor, api, jpeg_bytes())
    with photo.original.storage.open(photo.original.name, "wb") as fh:
        fh.write(b"garbage")
    assert make_photo_renditions.run(str(photo.pk)) == "failed"
    assert "could not be decoded" in Photo.objects.get(pk=photo.pk).error


def test_the_task_acknowledges_late_and_is_rejected_when_its_worker_dies():
    assert make_photo_renditions.acks_late and make_photo_renditions.reject_on_worker_lost


# ---- who sees what ----------------------------------------------------------------------------------

def test_reviewers_see_a_photo_only_once_it_is_ready(audit, auditor, manager, api, queued):
    photo = stored_photo(audit, auditor, api, jpeg_bytes(800, 600))
    assert api(manager).get(f"/api/v1/photos/{photo.pk}").status_code == 404
    assert api(manager).get("/api/v1/photos").json()["results"] == []
    assert api(auditor).get(f"/api/v1/photos/{photo.pk}").json()["state"] == "processing"
    service.photo_make_renditions(photo_id=photo.pk)
    assert api(manager).get(f"/api/v1/photos/{photo.pk}").json()["state"] == "ready"
    large = api(manager).get(f"/api/v1/photos/{photo.pk}/large")
    assert large.status_code == 200 and large["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(large.streaming_content))).size == (800, 600)


def test_client_viewers_see_no_photos(audit, auditor, viewer, api, queued):
    photo = stored_photo(audit, auditor, api, jpeg_bytes())
    service.photo_make_renditions(photo_id=photo.pk)
    assert api(viewer).get(f"/api/v1/photos/{photo.pk}").status_code == 404
    assert api(viewer).get(f"/api/v1/photos/{photo.pk}/small").status_code == 404


def test_the_watchdog_requeues_photos_whose_task_was_lost(audit, auditor, api, queued, monkeypatch):
    lost, _recent, done = (stored_photo(audit, auditor, api, jpeg_bytes()) for _ in range(3))
    service.photo_make_renditions(photo_id=done.pk)
    long_ago = timezone.now() - timedelta(hours=1)
    Photo.objects.filter(pk__in=[lost.pk, done.pk]).update(updated_at=long_ago)
    sent = []
    monkeypatch.setattr(make_photo_renditions, "delay", sent.append)
    assert requeue_stuck_photos.run() == 1
    assert sent == [str(lost.pk)]
