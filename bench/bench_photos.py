"""Photo renditions: milliseconds per 12-megapixel JPEG for the rendition step Touchpoint runs
(`audits.fieldwork.imaging.render`: JPEG draft decoding at a reduced scale, resize to 1600 px, orientation
fixed on the small image, faces looked for on a 400 px grey copy (none in these photos: the bench pays
the detection, not the blur), 400 px from the 1600 px one, metadata stripped, both encoded), beside a plain
Pillow pipeline in the same run (full decode, `ImageOps.exif_transpose` on the full image, LANCZOS
resize of the full image to 1600 px and to 400 px, both encoded).

    .venv/bin/python bench/bench_photos.py [--photos 8]

Pinned to one core (sched_setaffinity) so the figure is "per photo on one core". Goals (issue 4): at least
4x faster than the plain pipeline, and at most 150 ms a photo. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

from audits.fieldwork.imaging import render  # noqa: E402

#: The issue's own guide figures (Pillow 13, one core): printed beside this run's.
GUIDE_MS = {"draft pipeline": 134, "full decode": 570}
GOAL_SPEEDUP, GOAL_MS = 4.0, 150.0


def camera_photo(seed: int, width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG that compresses like a phone photo (about 3–4 MB at quality 92: soft texture over
    gradients and shapes, not pure noise), with EXIF orientation 6 and GPS, as a phone sends it."""
    texture = Image.effect_noise((width // 2, height // 2), 50 + seed).convert("L")
    texture = texture.resize((width, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1))
    gradient = Image.linear_gradient("L").resize((width, height))
    base = Image.merge("RGB", (texture, gradient, Image.blend(texture, gradient, 0.5)))
    draw = ImageDraw.Draw(base)
    for i in range(12):
        x, y = (i * 331 + seed * 97) % (width - 600), (i * 227 + seed * 53) % (height - 600)
        draw.rectangle((x, y, x + 500, y + 400), fill=((i * 40) % 255, (i * 70) % 255, (i * 110) % 255))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[2] = (52.0, 13.0, 47.0)
    out = io.BytesIO()
    base.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def plain(data: bytes) -> tuple[bytes, bytes]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        upright = ImageOps.exif_transpose(im).convert("RGB")
    outputs = []
    for box in (1600, 400):
        scale = box / max(upright.size)
        resized = upright.resize((round(upright.width * scale), round(upright.height * scale)),
                                 Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "JPEG", quality=82)
        outputs.append(buffer.getvalue())
    return outputs[0], outputs[1]


def measure(func, photos: list[bytes]) -> list[float]:
    func(photos[0])  # warm up (imports, codec tables)
    times = []
    for data in photos:
        started = time.perf_counter()
        func(data)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=8)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    photos = [camera_photo(seed) for seed in range(args.photos)]
    size = statistics.mean(len(p) for p in photos) / 1e6
    print(f"{args.photos} photos of 4000x3000 (12 MP), {size:.1f} MB each on average, EXIF orientation 6; one core; "
          f"Pillow {Image.__version__}")
    large, small, _faces = render(photos[0])
    print(f"renditions: {Image.open(io.BytesIO(large)).size} and {Image.open(io.BytesIO(small)).size}")
    ours = measure(render, photos)
    baseline = measure(plain, photos)
    ours_ms, base_ms = statistics.median(ours), statistics.median(baseline)
    print(f"{'pipeline':<34}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'guide ms':>10}")
    print(f"{'draft decode (Touchpoint)':<34}{ours_ms:>10.0f}{min(ours):>9.0f}{max(ours):>9.0f}"
          f"{GUIDE_MS['draft pipeline']:>10}")
    print(f"{'plain full decode (baseline)':<34}{base_ms:>10.0f}{min(baseline):>9.0f}{max(baseline):>9.0f}"
          f"{GUIDE_MS['full decode']:>10}")
    speedup = base_ms / ours_ms
    print(f"speed-up {speedup:.1f}x (goal >= {GOAL_SPEEDUP:.0f}x); {ours_ms:.0f} ms a photo (goal <= {GOAL_MS:.0f} ms)")
    ok = speedup >= GOAL_SPEEDUP and ours_ms <= GOAL_MS
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
