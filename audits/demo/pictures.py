"""The demo's photos, drawn with Pillow (never files from elsewhere): a photo-like scene for any step, and
the evidence photos of the showcase (a phone screen, a queue at a desk, a slip of paper) with what they say
on them. Each is a JPEG drawn from a seeded random generator, so a run draws the same bytes again."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont


def drawn_jpeg(rng: random.Random, title: str, width: int = 1200, height: int = 900) -> bytes:
    """A photo-like JPEG drawn with Pillow: a sky, a floor, a few shapes and the step's name."""
    image = Image.new("RGB", (width, height), (rng.randint(150, 220), rng.randint(170, 230), 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(rng.randint(90, 140), 100, 80))
    for _ in range(6):
        x, y = rng.randint(0, width - 200), rng.randint(height // 4, height - 200)
        color = tuple(rng.randint(30, 250) for _ in range(3))
        draw.rectangle((x, y, x + rng.randint(60, 260), y + rng.randint(60, 220)), fill=color)
    draw.ellipse((width - 260, 60, width - 120, 200), fill=(250, 210, 60))
    draw.text((40, 40), title[:60], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # an old Pillow, or one without FreeType: the small bitmap font
        return ImageFont.load_default()


def _lines(draw: ImageDraw.ImageDraw, lines: list[str], centre_x: int, top: int, size: int,
           ink: tuple[int, int, int] = (25, 25, 25)) -> None:
    """Text lines centred on `centre_x`; a line starting with "!" is large and red."""
    y = top
    for line in lines:
        loud = line.startswith("!")
        font = _font(int(size * 1.5) if loud else size)
        text = line.removeprefix("!")
        width = draw.textlength(text, font=font)
        draw.text((centre_x - width / 2, y), text, font=font, fill=(200, 30, 30) if loud else ink)
        y += int(size * (2.0 if loud else 1.5))


def scene_jpeg(rng: random.Random, scene: str, lines: list[str], width: int = 1200, height: int = 900) -> bytes:
    """An evidence photo drawn with Pillow: a phone screen, a queue at a desk or a slip of paper, with what
    it says on it."""
    table = (rng.randint(110, 150), rng.randint(80, 100), rng.randint(50, 70))
    image = Image.new("RGB", (width, height), table)
    draw = ImageDraw.Draw(image)
    if scene == "phone":
        left, top = width // 2 - 230 + rng.randint(-40, 40), 40
        draw.rounded_rectangle((left, top, left + 460, top + 840), radius=50, fill=(20, 20, 24))
        draw.rounded_rectangle((left + 22, top + 60, left + 438, top + 780), radius=16, fill=(246, 246, 250))
        _lines(draw, lines, left + 230, top + 140, 34)
    elif scene == "queue":
        draw.rectangle((0, 0, width, height * 3 // 5), fill=(214, 218, 224))
        draw.rectangle((0, height * 3 // 5, width, height), fill=(150, 150, 145))
        draw.rectangle((200, 120, 1000, 200), fill=(20, 60, 130))
        _lines(draw, [lines[0]], 600, 135, 44, ink=(250, 250, 250))
        for desk in range(6):
            x = 170 + desk * 145
            draw.rectangle((x, 330, x + 120, 470), fill=(90, 90, 100) if desk in (1, 4) else (60, 60, 66))
            if desk in (1, 4):
                draw.ellipse((x + 40, 280, x + 80, 320), fill=(235, 200, 170))
        for row in range(4):
            for person in range(16):
                x = 40 + person * 72 + rng.randint(-15, 15) + (row % 2) * 30
                y = 520 + row * 85 + rng.randint(-8, 8)
                coat = tuple(rng.randint(40, 220) for _ in range(3))
                draw.rounded_rectangle((x, y + 40, x + 56, y + 160), radius=18, fill=coat)
                draw.ellipse((x + 10, y, x + 46, y + 40), fill=(rng.randint(150, 240), rng.randint(120, 200), 150))
        if len(lines) > 1:
            draw.rectangle((40, 230, 420, 290), fill=(250, 250, 250))
            _lines(draw, [lines[1]], 230, 242, 30)
    else:  # paper
        slip = Image.new("RGB", (640, 420), (252, 250, 240))
        ImageDraw.Draw(slip).rectangle((0, 0, 639, 419), outline=(160, 160, 160), width=4)
        _lines(ImageDraw.Draw(slip), lines, 320, 50, 38)
        slip = slip.rotate(rng.uniform(-8, 8), expand=True, fillcolor=table)
        image.paste(slip, ((width - slip.width) // 2, (height - slip.height) // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
