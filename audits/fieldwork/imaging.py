"""Image processing of a photo's renditions: the 1600 px and 400 px JPEGs people see. JPEG draft decoding,
orientation fixed, every piece of metadata stripped, faces blurred (OpenCV's Haar cascade), the 400 px image
made from the 1600 px one. Pure functions of bytes and images: no database, no storage."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING

from django.conf import settings
from PIL import ExifTags, Image, ImageFilter, ImageOps

from audits.fieldwork.photo_checks import FORMATS

if TYPE_CHECKING:
    import cv2

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
    downloaded); loaded once per thread (a classifier is not shared between threads). OpenCV (and numpy,
    in `find_faces`) is imported on first use, not at start-up: web processes import this module and never
    look for faces. Kept to one thread: a Celery worker process makes one photo at a time."""
    cascade = getattr(_cascades, "face", None)
    if cascade is None:
        import cv2

        cv2.setNumThreads(1)
        cascades_dir = cv2.data.haarcascades  # type: ignore[attr-defined]
        cascade = cv2.CascadeClassifier(cascades_dir + "haarcascade_frontalface_default.xml")
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
        flat = _flatten(im)
        large = (flat.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0) if flat.size != target
                 else flat.copy())
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


