"""Upload checks of a photo, on its bytes alone (never on a name or a declared type): a whole JPEG, PNG or
WebP within the pixel limit, with nothing hidden after the image. A photo that fails is refused
(`PhotoRefused`, with the status and code the phone shows) before anything is stored."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from accounts.errors import DomainError

#: Pillow format -> content type. Only these are photos; the check is on the bytes, never on a name.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRefused(DomainError):
    status = 400
    code = "photo_invalid"


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
                facts = ImageFacts(format=im.format or "", width=im.width, height=im.height)
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


