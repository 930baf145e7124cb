"""Faces blurred in the renditions people see (audits/fieldwork/imaging.py: `blur_faces`, `render`); the private
original keeps them. The face is a real photo: scikit-image's astronaut (Eileen Collins, NASA; public domain)."""

from __future__ import annotations

import hashlib
import io
import uuid

import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter
from skimage import data as skimage_data

from audits.fieldwork import imaging
from audits.models import Photo
from audits.tasks import make_photo_renditions
from tests.fieldwork_makers import make_audit, make_plan

pytestmark = pytest.mark.django_db


def face_jpeg(size: int = 2000) -> bytes:
    """A 2000 px JPEG of a person (made larger than the 1600 px rendition, as a phone's photo is)."""
    image = Image.fromarray(skimage_data.astronaut()).resize((size, size), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def faceless_jpeg(width: int = 2400, height: int = 1800) -> bytes:
    """Texture, gradients and shapes like a photo of a counter, with no face in it."""
    texture = Image.effect_noise((width // 2, height // 2), 60).convert("L").resize((width, height))
    texture = texture.filter(ImageFilter.GaussianBlur(1))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (texture, gradient, Image.blend(texture, gradient, 0.5)))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x, y = (i * 271) % (width - 400), (i * 197) % (height - 300)
        draw.rectangle((x, y, x + 300, y + 200), fill=((i * 40) % 255, (i * 70) % 255, (i * 110) % 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image.convert("RGB")


def detail(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """High-frequency energy of a region: the variance of its Laplacian (grey)."""
    grey = np.asarray(image.crop(box).convert("L"), dtype=np.float64)
    laplacian = (grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1])
    return float(laplacian.var())


def difference(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    return float(np.abs(np.asarray(a.crop(box), dtype=np.int16) - np.asarray(b.crop(box), dtype=np.int16)).max())


def scaled(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    return tuple(round(v * factor) for v in box)


@pytest.fixture
def plain_renditions(settings):
    """The renditions of the face photo without the blur step: the reference."""
    settings.TOUCHPOINT_BLUR_FACES = False
    large, small, _faces = imaging.render(face_jpeg())
    settings.TOUCHPOINT_BLUR_FACES = True
    return decoded(large), decoded(small)


def test_the_astronaut_has_one_face_found_where_it_is(plain_renditions):
    large, _small = plain_renditions
    boxes = imaging.find_faces(large)
    assert len(boxes) == 1
    left, top, right, bottom = boxes[0]
    # scikit-image's astronaut: her face is around x 170-250, y 60-150 of 512 px (1600 / 512 = 3.125)
    assert 400 < (left + right) / 2 < 800 and 150 < (top + bottom) / 2 < 500
    assert 150 < right - left < 500


def test_a_face_is_blurred_in_both_renditions_and_the_rest_is_unchanged(settings, plain_renditions):
    settings.TOUCHPOINT_BLUR_FACES = True
    plain_large, plain_small = plain_renditions
    (face,) = imaging.find_faces(plain_large)
    large_bytes, small_bytes, faces = imaging.render(face_jpeg())
    assert faces == 1
    large, small = decoded(large_bytes), decoded(small_bytes)
    assert (large.size, small.size) == (plain_large.size, plain_small.size) == ((1600, 1600), (400, 400))

    small_face = scaled(face, small.width / large.width)
    # measured: 22 -> 1.6 (the 2000 px source is an upscale, soft already) and 663 -> 2.9
    assert detail(large, face) < 0.1 * detail(plain_large, face)
    assert detail(small, small_face) < 0.1 * detail(plain_small, small_face)
    assert imaging.find_faces(large) == [] and imaging.find_faces(small) == []  # no longer a face to a detector

    # far from the face (the lower half: the suit, the flag, the shuttle) nothing changed
    assert difference(large, plain_large, (0, 1000, 1600, 1600)) <= 2
    assert difference(small, plain_small, (0, 260, 400, 400)) <= 2


def test_blur_faces_counts_and_leaves_its_input_alone(plain_renditions):
    plain_large, _ = plain_renditions
    before = plain_large.tobytes()
    blurred, count = imaging.blur_faces(plain_large)
    assert count == 1 and blurred is not plain_large and blurred.size == plain_large.size
    assert plain_large.tobytes() == before


def test_a_photo_without_faces_is_unchanged_by_the_blur_step(settings):
    photo = faceless_jpeg()  # effect_noise is random: made once
    image = decoded(photo)
    blurred, count = imaging.blur_faces(image)
    assert (count, blurred is image) == (0, True)
    settings.TOUCHPOINT_BLUR_FACES = True
    with_step = imaging.render(photo)
    settings.TOUCHPOINT_BLUR_FACES = False
    without_step = imaging.render(photo)
    assert with_step == without_step and with_step[2] == 0


def test_the_setting_off_leaves_faces_as_they_are(settings, plain_renditions):
    settings.TOUCHPOINT_BLUR_FACES = False
    large, small, faces = imaging.render(face_jpeg())
    assert faces == 0
    assert len(imaging.find_faces(decoded(large))) == 1 and len(imaging.find_faces(decoded(small))) == 1
    assert decoded(large).tobytes() == plain_renditions[0].tobytes()


def test_the_rendition_task_blurs_the_renditions_and_keeps_the_original_byte_for_byte(org, auditor, settings):
    settings.TOUCHPOINT_BLUR_FACES = True
    audit = make_audit(make_plan(org, auditor), auditor, state="draft")
    original = face_jpeg()
    photo = Photo(organization_id=audit.organization_id, audit=audit, sha256=hashlib.sha256(original).hexdigest(),
                  content_type="image/jpeg", size=len(original), width=2000, height=2000, pk=uuid.uuid4())
    photo.original.save(str(photo.pk), ContentFile(original), save=False)
    photo.save()
    assert make_photo_renditions.run(str(photo.pk)) == "ready"
    photo.refresh_from_db()
    with photo.original.open("rb") as fh:
        kept = fh.read()
    assert kept == original and hashlib.sha256(kept).hexdigest() == photo.sha256
    assert len(imaging.find_faces(decoded(original))) == 1  # the proof of visit still shows the face
    for field in (photo.large, photo.small):
        with field.open("rb") as fh:
            assert imaging.find_faces(decoded(fh.read())) == []
