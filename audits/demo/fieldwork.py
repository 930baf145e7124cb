"""Demo fieldwork, made by a generator with a fixed seed (never typed by hand): a location per demo
journey, a closed wave of approved walks whose friction tells each journey's story (the light switch,
the orange, the retyped CV, no human, the long wait) with a few drawn photos, an open wave with visits
for the demo auditor today, and a self-audit by the demo executive. The cancelled flight (SHOWCASE) is
walked in full, for the demo report: a summer and an autumn wave at three airports, each walk made in
economy and again in first class, with notes and evidence photos where it hurts, and the executive's own
walks with her expectations. Runs after the journeys and checklists seeder; run again, it finds its rows
(natural keys and name-based UUIDs) and adds nothing."""

from __future__ import annotations

import hashlib
import io
import random
import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from audits.checklists import rules
from audits.fieldwork import photos as photo_service
from audits.fieldwork import planning, review, sync
from audits.models import Audit, AuditState, ChecklistVersion, Item, Location, Photo, Wave, WaveStatus
from journeys.models import Journey, Persona, Step
from journeys.services import LATEST_VERSION_FIRST

#: A one-pixel PNG as a data URL: the demo's "signature".
SIGNATURE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
             "awAAAABJRU5ErkJggg==")
NAMESPACE = uuid.UUID("6f1f7a52-4d0e-4c53-9d43-7b1c0a2f0d11")
WALKS_PER_JOURNEY = 3
PHOTOS_PER_JOURNEY = 2

CITIES = [
    ("Warsaw", "Marszałkowska 104", 52.2297, 21.0122, "Europe/Warsaw"),
    ("Bucharest", "Calea Victoriei 25", 44.4396, 26.0963, "Europe/Bucharest"),
    ("Athens", "Ermou 17", 37.9755, 23.7348, "Europe/Athens"),
    ("Kraków", "Floriańska 3", 50.0629, 19.9396, "Europe/Warsaw"),
    ("Thessaloniki", "Tsimiski 40", 40.6310, 22.9440, "Europe/Athens"),
]

#: Words (regular expressions) in a step's name -> the friction it tells, with what the auditor wrote down.
STORIES = [
    ((r"\blights?\b", r"\bswitch"), "hidden_control",
     "Took minutes to find the light switch: behind the curtain, no label."),
    (("sms assistant", "virtual assistant"), "dead_end", "The assistant answered \"we cannot help with that "
                                                         "request\" twice."),
    (("orange", "loose produce"), "fragile", "Scanning a loose orange froze the till; three of four were closed."),
    (("retype",), "repeat_input", "Uploaded the CV, then had to type the same history again, field by field."),
    (("number to call", "claims handler"), "no_human", "No number to call; the contact form loops back to the FAQ."),
    (("customer support", "airport desk"), "long_wait", "Two hours on hold before a person answered."),
    (("survey",), "survey_fatigue", "Asked to rate the service before the claim was even handled."),
]


def _story(step: Step | None) -> tuple[str, str] | None:
    if step is None:
        return None
    name = step.name.lower()
    for words, tag, note in STORIES:
        if any(re.search(word, name) for word in words):
            return tag, note
    return None


def _uuid(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _num(options: dict, key: str, default: float) -> float:
    value = options.get(key)
    return float(default if value is None else value)


def _value(item: Item, rng: random.Random, story: tuple[str, str] | None, tags: set[str]) -> Any:
    kind, options = item.kind, item.options or {}
    bad = story is not None
    if kind == "outcome":
        return rng.choice(["done_with_help", "gave_up", "done_with_help"]) if bad else rng.choice(
            ["done", "done", "done", "done_with_help"])
    if kind == "effort":
        return rng.randint(5, 7) if bad else rng.randint(1, 3)
    if kind == "delivered_level":
        return rng.randint(1, 2) if bad else rng.randint(3, 5)
    if kind == "duration":
        if bad and story[0] == "long_wait":
            return rng.randint(3600, 7800)
        return rng.randint(240, 1500) if bad else rng.randint(20, 240)
    if kind == "score":
        low, high = int(_num(options, "min", 1)), int(_num(options, "max", 5))
        return rng.randint(low, (low + high) // 2) if bad else rng.randint((low + high) // 2, high)
    if kind == "yes_no":
        return rng.choice(["no", "no", "yes"]) if bad else rng.choice(["yes", "yes", "yes", "na"])
    if kind == "single_choice":
        values = rules.choice_values(options)
        return rng.choice(values) if values else None
    if kind == "multi_choice":
        values = rules.choice_values(options)
        return rng.sample(values, k=rng.randint(1, len(values))) if values else None
    if kind == "number":
        low = _num(options, "min", 0)
        high = _num(options, "max", low + 100)
        return round(rng.uniform(low, high), 1)
    if kind == "text":
        return story[1] if bad else rng.choice(["Smooth.", "Friendly staff.", "Clear signs.", ""]) or "Fine."
    if kind == "signature":
        return SIGNATURE
    if kind == "friction":
        if bad and story[0] in tags:
            return [{"tag": story[0], "severity": rng.choice([2, 3])}]
        return [] if rng.random() < 0.9 or not tags else [{"tag": rng.choice(sorted(tags)), "severity": 1}]
    return None


def _answers(items: list[Item], steps: dict[int, Step], rng: random.Random, tags: set[str],
             story_rate: float) -> dict[str, Any]:
    """Every shown, non-photo item answered; a step that tells a story does so in most walks."""
    stories = {}
    for item in items:
        if item.step_id not in stories:
            story = _story(steps.get(item.step_id))
            stories[item.step_id] = story if story and rng.random() < story_rate else None
    values = {item.name: _value(item, rng, stories[item.step_id], tags) for item in items if item.kind != "photo"}
    values = {name: value for name, value in values.items() if value is not None}
    for _ in range(len(items) + 1):  # drop answers to items hidden by others, until it settles
        shown = rules.visible_items(items, values)
        kept = {name: value for name, value in values.items() if name in shown}
        if kept == values:
            break
        values = kept
    return values


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


def _latest_version(journey: Journey) -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(journey=journey).order_by(*LATEST_VERSION_FIRST).first()


def _tags(org_id: int) -> set[str]:
    from journeys.models import FrictionTag

    return set(FrictionTag.objects.usable_by(org_id).filter(retired_at__isnull=True).values_list("code", flat=True))


def _body(*, demo, journey, version, visit, rng, items, steps, tags, revision, state, when, location,
          kind="visit", story_rate=0.85, expectations=None, answers=None, notes=None, persona=None,
          key="self") -> dict:
    if answers is None:
        answers = _answers(items, steps, rng, tags, story_rate)
    by_name = {item.name: item for item in items}
    jitter = 0.0004 if rng.random() < 0.9 else 0.012  # now and then, a check-in far away (flagged)
    return {
        "organization": demo.organization.pk, "visit": visit.pk if visit else None, "journey": journey.pk,
        "checklist_version": version.pk, "persona": persona, "kind": kind, "revision": revision, "state": state,
        "started_at": when, "submitted_at": when + timedelta(minutes=rng.randint(20, 90)) if state == "submitted"
        else None,
        "checkin": None if location is None else {
            "at": when, "latitude": float(location.latitude) + rng.uniform(-jitter, jitter),
            "longitude": float(location.longitude) + rng.uniform(-jitter, jitter),
            "accuracy_m": rng.randint(5, 40), "position_status": "ok"},
        "responses": [{"id": _uuid("response", visit.pk if visit else key, name), "item": by_name[name].pk,
                       "value": value, "detail": None, "note": (notes or {}).get(name, "")}
                      for name, value in answers.items()],
        "expectations": expectations or [],
    }


def _photos_needed(items: list[Item], answers_body: dict) -> dict[int, int]:
    names = {item.pk: item.name for item in items}
    answers = {names[r["item"]]: r["value"] for r in answers_body["responses"]}
    shown = rules.visible_items(items, answers)
    return {item.pk: max(1, rules.min_photos(rules.rule_item(item))) for item in items
            if item.kind == "photo" and item.name in shown and rules.min_photos(rules.rule_item(item)) > 0}


def _add_photos(*, auditor, audit_id, items, needed: dict[int, int], rng, journey, extra: int) -> None:
    steps_of = {item.pk: item.step_id for item in items}
    plan = [(item_id, i) for item_id, count in needed.items() for i in range(count)]
    first_step = next((item.step_id for item in items if item.step_id), None)
    plan += [(None, i) for i in range(max(0, extra - len(plan)))]
    for item_id, index in plan:
        photo_id = _uuid("photo", audit_id, item_id, index)
        if Photo.objects.filter(pk=photo_id).exists():
            continue
        data = drawn_jpeg(rng, f"{journey.name}")
        photo_service.photo_put(
            user=auditor, photo_id=photo_id, upload=SimpleUploadedFile(f"{photo_id}.jpg", data, "image/jpeg"),
            sha256=hashlib.sha256(data).hexdigest(), audit_id=audit_id, item_id=item_id,
            step_id=steps_of.get(item_id) or first_step, taken_at=None, latitude=None, longitude=None)
        photo_service.photo_make_renditions(photo_id=photo_id)  # at once: the demo shows them


# -- the showcase: the journey the demo's report tells in full -----------------------------------------

#: The journey whose closed wave the demo report is compiled for: two waves a few weeks apart (the trend),
#: three airports (the heat map), every walk made twice — booked in economy, then in first class (the tier
#: gap) — and the executive flying economy with her expectations written down first (the perception gap).
SHOWCASE = "Cancelled flight"
ECONOMY, FIRST = "economy", "first_class"
SUMMER, AUTUMN = "summer", "autumn"
EVIDENCE_PHOTOS_PER_STEP = 2

AIRPORTS = [
    ("Warsaw Chopin (WAW)", "Żwirki i Wigury 1, Warsaw", 52.1657, 20.9671, "Europe/Warsaw"),
    ("Athens airport (ATH)", "Attiki Odos, Spata", 37.9364, 23.9445, "Europe/Athens"),
    ("Bucharest (OTP)", "Calea Bucureștilor 224E, Otopeni", 44.5711, 26.0850, "Europe/Bucharest"),
]

#: (wave, its name, days from the autumn wave's start, its length, walks as (airport, day in the wave)): each
#: walk is made in economy, and again the next day in first class.
SHOWCASE_WAVES = [
    (SUMMER, "Summer wave", -42, 21, [(0, 2), (1, 6), (2, 10), (0, 14)]),
    (AUTUMN, "Autumn wave", 0, 21, [(0, 2), (1, 4), (2, 7), (0, 10), (1, 13), (2, 16)]),
]

#: How each step goes. friction: per (wave, tier), the (tag, severity, walks of that tier) met — fixed
#: counts, not chances, so the story holds: support and the desk queue are far worse in economy; support
#: and the notice got better since summer, the desk, the vouchers and boarding worse. time / wait: seconds
#: (with friction, without; the summer wave's waits scaled). notes: what the auditor wrote, per (tier, tag
#: met; None: nothing went wrong). photo: what the evidence photo shows. {wait}: the walk's own wait.
FLIGHT: dict[str, dict[str, Any]] = {
    "Cancellation notice": {
        "friction": {(SUMMER, ECONOMY): [("dead_end", 2, 2)], (SUMMER, FIRST): [("dead_end", 2, 2)],
                     (AUTUMN, ECONOMY): [("dead_end", 2, 2)], (AUTUMN, FIRST): [("dead_end", 2, 1)]},
        "time": ((420, 1500), (30, 120)),
        "notes": {
            (ECONOMY, "dead_end"): [
                "Push at 23:40: \"Your flight is cancelled.\" No options, no link; the app still showed the "
                "old flight until 01:00.",
                "The e-mail said to rebook in the app; the app said to call us. Neither offered a flight."],
            (FIRST, "dead_end"): ["Text and e-mail within minutes, but the link in both led to an expired page."],
            (FIRST, None): ["Text with the next flight already held for me; accepted with one tap."]},
        "photo": ("phone", ["Flight NW 318", "!CANCELLED", "We apologise for", "the inconvenience."]),
    },
    "Reach customer support": {
        "friction": {(SUMMER, ECONOMY): [("long_wait", 3, 4), ("no_human", 2, 2)],
                     (SUMMER, FIRST): [("long_wait", 2, 2)],
                     (AUTUMN, ECONOMY): [("long_wait", 3, 5), ("no_human", 2, 2)],
                     (AUTUMN, FIRST): [("long_wait", 1, 1)]},
        "time": ((900, 1800), (420, 900)),
        "wait": {ECONOMY: ((4200, 7800), (780, 1080)), FIRST: ((1200, 1500), (150, 420))},
        "summer_wait": 1.3,
        "notes": {
            (ECONOMY, "long_wait"): [
                "{wait} on hold, music only. The callback was offered once, then never again.",
                "Queue position 147. A person answered after {wait} and could only offer a flight in two days.",
                "{wait} on hold; the agent was kind but put me on hold again to \"check availability\".",
                "Waited {wait}. The recorded message kept saying to use the app, which had offered nothing.",
                "On hold for {wait}, then rebooked in five minutes: the wait was the whole problem."],
            (ECONOMY, "no_human"): [
                "\"All our agents are busy, please call later\", then the line went dead. Three tries.",
                "{wait} on hold, then the call dropped. No callback, no ticket number."],
            (FIRST, "long_wait"): ["Premium line busy too tonight: {wait} on hold, then quick help."],
            (FIRST, None): ["Premium line: an agent in {wait}, who had already seen the cancellation.",
                            "Answered in {wait}, by name; rebooked on the 07:10 before I asked."],
            (ECONOMY, None): ["{wait} on hold, then an agent who rebooked me at once."]},
        "photo": ("phone", ["Northwind Airlines", "On hold", "!{wait}", "Your call is important", "to us."]),
    },
    "Rebook in the app": {
        "friction": {(SUMMER, ECONOMY): [("dead_end", 2, 3)], (SUMMER, FIRST): [("broken_promise", 1, 1)],
                     (AUTUMN, ECONOMY): [("dead_end", 2, 3)], (AUTUMN, FIRST): [("broken_promise", 1, 1)]},
        "time": ((600, 1500), (60, 180)),
        "notes": {
            (ECONOMY, "dead_end"): [
                "\"No alternative flights available. Please contact us.\" The 07:10 had seats on the website.",
                "The rebook button spun for a minute, then logged me out. Twice.",
                "Only a flight in three days was offered; no way to choose another route."],
            (FIRST, "broken_promise"): ["Offered the next flight, but in economy; first class was not in the "
                                        "list."],
            (FIRST, None): ["Two taps: next morning's flight, same cabin."]},
        "photo": ("phone", ["Rebook your trip", "!No alternative", "!flights available.", "Please contact us."]),
    },
    "Rebook at the airport desk": {
        "friction": {(SUMMER, ECONOMY): [("long_wait", 2, 2)], (SUMMER, FIRST): [],
                     (AUTUMN, ECONOMY): [("long_wait", 3, 5), ("lost_context", 1, 2)],
                     (AUTUMN, FIRST): [("long_wait", 1, 1)]},
        "time": ((600, 1200), (300, 600)),
        "wait": {ECONOMY: ((4800, 8400), (1200, 1800)), FIRST: ((900, 1200), (120, 480))},
        "summer_wait": 0.55,
        "notes": {
            (ECONOMY, "long_wait"): [
                "About 80 people in the queue, two desks open of six: {wait} to reach the counter.",
                "One agent for the whole transfer desk after midnight; the queue barely moved.",
                "Stood {wait} in line; the priority lane next to us was empty most of the time.",
                "Queue out of the hall for {wait}; staff handed out water but opened no desk."],
            (ECONOMY, "lost_context"): [
                "The agent could not see what the call centre had promised; started again from the booking.",
                "Told at the desk that the phone rebooking \"did not go through\": booked again from scratch."],
            (FIRST, "long_wait"): ["Priority desk had a queue tonight: {wait}, then rebooked at once."],
            (FIRST, None): ["Priority desk: no queue; rebooked, vouchers and hotel in 8 minutes."]},
        "photo": ("queue", ["TRANSFER DESK", "2 of 6 desks open"]),
    },
    "Meal and hotel vouchers": {
        "friction": {(SUMMER, ECONOMY): [("broken_promise", 1, 1)], (SUMMER, FIRST): [],
                     (AUTUMN, ECONOMY): [("broken_promise", 2, 4)], (AUTUMN, FIRST): [("broken_promise", 1, 1)]},
        "time": ((900, 2400), (180, 600)),
        "wait": {ECONOMY: ((1500, 2700), (300, 600)), FIRST: ((300, 600), (60, 180))},
        "summer_wait": 0.7,
        "notes": {
            (ECONOMY, "broken_promise"): [
                "€12 meal voucher; a sandwich and water cost €14.50. Valid at two cafés, one of them closed.",
                "Hotel voucher only after asking twice; the shuttle left at 01:30, in the room at 02:15.",
                "Vouchers only at the desk, after the queue; the app said nothing about them.",
                "The hotel had no record of the voucher booking: 40 minutes at reception."],
            (FIRST, "broken_promise"): ["Lounge access given, but the lounge closed at 23:00; no hotel until I "
                                        "asked."],
            (FIRST, None): ["Lounge, then a hotel room with a taxi, arranged at the desk."]},
        "photo": ("paper", ["MEAL VOUCHER", "!EUR 12.00", "Valid today at", "participating outlets"]),
    },
    "Board the new flight": {
        "friction": {(SUMMER, ECONOMY): [("broken_promise", 1, 1)], (SUMMER, FIRST): [],
                     (AUTUMN, ECONOMY): [("broken_promise", 1, 2)], (AUTUMN, FIRST): [("broken_promise", 2, 1)]},
        "time": ((900, 1800), (600, 1200)),
        "notes": {
            (ECONOMY, "broken_promise"): [
                "Seats split: my companion in 8C, me in 31F, although the app showed us together.",
                "Had paid for extra legroom; boarded into a middle seat, no refund offered."],
            (FIRST, "broken_promise"): ["Booked first class, flew business; nobody mentioned the difference in "
                                        "fare."],
            (FIRST, None): ["Same cabin, same seat as booked."]},
        "photo": ("paper", ["BOARDING PASS", "NW 320  Gate B14", "!SEAT 31F", "Group 5"]),
    },
}


def _font(size: int):
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


def _hms(seconds: int | float | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _flight_walk(items: list[Item], steps: dict[int, Step], *, wave: str, tier: str, walk: int, walks: int,
                 rng: random.Random, tags: set[str], notes_used: dict
                 ) -> tuple[dict[str, Any], dict[str, str], dict[int, dict]]:
    """One walk's answers and notes, as the auditor gives them in the app (what went wrong is a note on
    the friction answer), and per step what was met (marks, worst severity, wait). Walk `walk` of `walks`
    of the tier meets a tag when it falls within that tag's count (rotated by the step, so the same walks
    do not meet every friction)."""
    met: dict[int, dict] = {}
    for offset, (name, profile) in enumerate(FLIGHT.items()):
        step = next((s for s in steps.values() if s.name == name and not s.archived), None)
        if step is None:
            continue
        marks, note_tag, shift = [], None, 0
        for tag, severity, count in profile["friction"].get((wave, tier), []):
            if (walk + offset - shift) % walks < count and tag in tags:
                marks.append({"tag": tag, "severity": severity})
                note_tag = tag
            shift += count
        met[step.pk] = {"profile": profile, "marks": marks, "tag": note_tag, "wait": None, "wait_item": None,
                        "worst": max((m["severity"] for m in marks), default=0)}
    for item in sorted((i for i in items if i.kind == "duration" and (i.options or {}).get("measure") == "wait"),
                       key=lambda i: not i.required):
        state = met.get(item.step_id)
        if state is not None and state["wait_item"] is None and "wait" in state["profile"]:
            state["wait_item"] = item.pk  # one wait per step: the required one when there is one

    answers: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for item in items:
        state = met.get(item.step_id)
        if item.kind == "photo":
            continue
        value = (_value(item, rng, None, tags) if state is None
                 else _flight_value(item, state, wave=wave, tier=tier, rng=rng, notes_used=notes_used))
        if value is not None:
            answers[item.name] = value
    for item in items:  # once the waits are known: the notes tell them
        state = met.get(item.step_id)
        if state is None:
            continue
        if item.kind == "friction" and state["marks"]:
            notes[item.name] = _note(item, state, tier, notes_used) or ""
        elif item.kind == "text" and not state["marks"] and rng.random() < 0.5:
            note = _note(item, state, tier, notes_used)  # a comment when all went well, now and then
            if note:
                answers[item.name] = note
    return answers, notes, met


def _minutes(seconds: int | None) -> str:
    minutes = round((seconds or 0) / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} minutes"


def _note(item: Item, state: dict, tier: str, notes_used: dict) -> str | None:
    """The next of the step's notes for this tier and tag (in turn, so a wave's quotes differ)."""
    choices = state["profile"]["notes"].get((tier, state["tag"]))
    if not choices:
        return None
    key = (item.pk, tier, state["tag"])
    notes_used[key] = notes_used.get(key, -1) + 1
    return choices[notes_used[key] % len(choices)].replace("{wait}", _minutes(state["wait"]))


def _flight_value(item: Item, state: dict, *, wave: str, tier: str, rng: random.Random, notes_used: dict) -> Any:
    kind, options, profile = item.kind, item.options or {}, state["profile"]
    worst, bad, first = state["worst"], bool(state["marks"]), tier == FIRST
    if kind == "friction":
        return state["marks"]
    if kind == "outcome":
        if worst >= 3:
            return "gave_up" if rng.random() < 0.4 else "done_with_help"
        return "done_with_help" if bad else "done" if first or rng.random() < 0.8 else "done_with_help"
    if kind == "effort":
        return rng.randint(*{3: (6, 7), 2: (5, 6), 1: (3, 5)}[worst]) if bad else rng.randint(1, 2 if first else 3)
    if kind == "delivered_level":
        if bad:
            return {3: 1, 2: rng.randint(1, 2), 1: rng.randint(2, 3)}[worst]
        return rng.randint(4, 5) if first else rng.randint(3, 4)
    if kind == "score":
        low, high = int(_num(options, "min", 1)), int(_num(options, "max", 5))
        return rng.randint(low, low + 1) if bad else rng.randint(high - 1, high)
    if kind == "duration":
        measure = options.get("measure")
        if measure == "time_on_step":
            return rng.randint(*profile["time"][0 if bad else 1])
        if measure == "wait" and state["wait_item"] == item.pk:
            factor = profile.get("summer_wait", 1.0) if wave == SUMMER else 1.0
            state["wait"] = round(rng.randint(*profile["wait"][tier][0 if bad else 1]) * factor)
            return state["wait"]
        return None
    if kind == "yes_no":
        return "no" if worst >= 2 else "yes"
    if kind == "single_choice":
        values = rules.choice_values(options)
        if not values:
            return None
        return values[-1] if state["tag"] == "dead_end" else values[1 % len(values)] if bad else values[0]
    if kind == "text":  # see _flight_walk: what went wrong is a note on the friction answer
        return None
    return _value(item, rng, None, set())


def _evidence_photo(*, user, audit_id, items: list[Item], step: Step, state: dict, rng: random.Random, when,
                    location: Location | None) -> None:
    photo_id = _uuid("photo", audit_id, "evidence", step.pk)
    if Photo.objects.filter(pk=photo_id).exists():
        return
    scene, lines = state["profile"]["photo"]
    data = scene_jpeg(rng, scene, [line.replace("{wait}", _hms(state["wait"])) for line in lines])
    item = next((i for i in items if i.kind == "photo" and i.step_id == step.pk), None)
    photo_service.photo_put(
        user=user, photo_id=photo_id, upload=SimpleUploadedFile(f"{photo_id}.jpg", data, "image/jpeg"),
        sha256=hashlib.sha256(data).hexdigest(), audit_id=audit_id, item_id=item.pk if item else None,
        step_id=step.pk, taken_at=when, latitude=float(location.latitude) if location else None,
        longitude=float(location.longitude) if location else None)
    photo_service.photo_make_renditions(photo_id=photo_id)


def _seed_showcase(*, demo, journey: Journey, version: ChecklistVersion, persona: Persona | None, auditor,
                   manager, executive, tags: set[str], closed_start) -> Location:
    """The showcase journey's waves, walks and self-audits; answers its first airport (for the open wave)."""
    org = demo.organization
    airports = [Location.objects.get_or_create(
        organization=org, client=journey.client, name=name,
        defaults={"address": address, "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}", "timezone": tz})[0]
        for name, address, lat, lon, tz in AIRPORTS]
    premium = (Persona.objects.filter(organization=org, tier=FIRST, client=journey.client).first()
               or Persona.objects.filter(organization=org, tier=FIRST).first())
    tiers = [(ECONOMY, persona)] + ([(FIRST, premium)] if premium is not None else [])
    items = list(Item.objects.filter(version=version).order_by("section__position", "position", "id"))
    steps = {s.pk: s for s in Step.objects.filter(journey=journey)}

    for wave_key, label, offset, length, walks in SHOWCASE_WAVES:
        starts = closed_start + timedelta(days=offset)
        wave, created = Wave.objects.get_or_create(
            organization=org, client=journey.client, journey=journey, name=f"{label} — {journey.name}",
            defaults={"checklist_version": version, "persona": persona, "starts_on": starts,
                      "ends_on": starts + timedelta(days=length), "status": WaveStatus.OPEN, "created_by": manager})
        if not created:
            continue
        rng = random.Random(f"{journey.name}/{wave_key}")
        notes_used: dict = {}
        photos_taken: dict[int, int] = {}
        for walk, (airport, day) in enumerate(walks):
            for t, (tier, who) in enumerate(tiers):
                location = airports[airport]
                start = timezone.make_aware(datetime.combine(starts + timedelta(days=day + t),
                                                             time(17 + walk % 3, 15 * t)))
                visit = planning.visit_create(wave=wave, location=location, auditor=auditor, window_start=start,
                                              window_end=start + timedelta(hours=6))
                audit_id = _uuid("audit", visit.pk)
                answers, notes, met = _flight_walk(items, steps, wave=wave_key, tier=tier, walk=walk,
                                                   walks=len(walks), rng=rng, tags=tags, notes_used=notes_used)
                draft = _body(demo=demo, journey=journey, version=version, visit=visit, rng=rng, items=items,
                              steps=steps, tags=tags, revision=1, state="draft", when=start, location=location,
                              answers=answers, notes=notes, persona=who.pk if who else None)
                sync.audit_put(user=auditor, audit_id=audit_id, data=draft)
                for step_id, state in met.items():
                    taken = photos_taken.get(step_id, 0)
                    if wave_key == AUTUMN and state["marks"] and taken < EVIDENCE_PHOTOS_PER_STEP:
                        photos_taken[step_id] = taken + 1
                        _evidence_photo(user=auditor, audit_id=audit_id, items=items, step=steps[step_id],
                                        state=state, rng=rng, when=start + timedelta(minutes=30), location=location)
                sync.audit_put(user=auditor, audit_id=audit_id, data={
                    **draft, "revision": 2, "state": "submitted",
                    "submitted_at": start + timedelta(hours=4, minutes=rng.randint(0, 90))})
                review.audit_approve(audit=Audit.objects.get(pk=audit_id), user=manager)
        planning.wave_close(wave=wave)

    if executive is not None:  # flying economy twice in the autumn wave, expecting far better than she met
        rng = random.Random(f"{journey.name}/self")
        live = [s for s in steps.values() if not s.archived]
        for index, day in enumerate((5, 12)):
            audit_id = _uuid("self-audit", executive.pk, journey.pk, index)
            if Audit.objects.filter(pk=audit_id).exists():
                continue
            when = timezone.make_aware(datetime.combine(closed_start + timedelta(days=day), time(18, 30)))
            expectations = [{"step": s.pk, "level": 5 if s.moment_of_truth or (index == 0 and s.promise_level >= 4)
                             else 4, "effort": 1 if s.moment_of_truth or index == 0 else 2} for s in live]
            answers, notes, met = _flight_walk(items, steps, wave=AUTUMN, tier=ECONOMY, walk=index, walks=6,
                                               rng=rng, tags=tags, notes_used={})
            body = _body(demo=demo, journey=journey, version=version, visit=None, rng=rng, items=items,
                         steps=steps, tags=tags, revision=1, state="draft", when=when, location=None, kind="self",
                         expectations=expectations, answers=answers, notes=notes, key=audit_id)
            sync.audit_put(user=executive, audit_id=audit_id, data=body)
            worst = max(met.items(), key=lambda kv: kv[1]["worst"], default=None)
            if worst is not None and worst[1]["marks"]:
                _evidence_photo(user=executive, audit_id=audit_id, items=items, step=steps[worst[0]],
                                state=worst[1], rng=rng, when=when + timedelta(hours=1), location=None)
            sync.audit_put(user=executive, audit_id=audit_id, data={
                **body, "revision": 2, "state": "submitted", "submitted_at": when + timedelta(hours=3)})
            audit = Audit.objects.get(pk=audit_id)
            if audit.state == AuditState.SUBMITTED:
                review.audit_approve(audit=audit, user=manager)
    return airports[0]


@transaction.atomic
def seed_fieldwork(demo) -> None:
    users = demo.users
    auditor, manager, executive = users["auditor"], users.get("manager") or users["owner"], users.get("executive")
    found = Journey.objects.filter(organization=demo.organization).order_by("pk")
    journeys = [(j, v) for j in found if (v := _latest_version(j)) is not None][:5]
    if not journeys:
        return  # the journeys and checklists seeder has not run: nothing to walk
    rng = random.Random(2026)
    tags = _tags(demo.organization.pk)
    today = timezone.localdate()
    closed_start = today - timedelta(days=45)

    for index, (journey, version) in enumerate(journeys):
        persona = (Persona.objects.filter(organization=demo.organization, is_ordinary=True,
                                          client=journey.client).first()
                   or Persona.objects.filter(organization=demo.organization, is_ordinary=True).first())
        if journey.name == SHOWCASE:
            location = _seed_showcase(demo=demo, journey=journey, version=version, persona=persona, auditor=auditor,
                                      manager=manager, executive=executive, tags=tags, closed_start=closed_start)
            created = False
        else:
            city, street, lat, lon, tz = CITIES[index % len(CITIES)]
            location, _ = Location.objects.get_or_create(
                organization=demo.organization, client=journey.client, name=f"{journey.name} — {city}",
                defaults={"address": f"{street}, {city}", "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}",
                          "timezone": tz})
            items = list(Item.objects.filter(version=version).order_by("section__position", "position", "id"))
            steps = {s.pk: s for s in Step.objects.filter(journey=journey)}
            closed, created = Wave.objects.get_or_create(
                organization=demo.organization, client=journey.client, journey=journey,
                name=f"Autumn wave — {journey.name}",
                defaults={"checklist_version": version, "persona": persona, "starts_on": closed_start,
                          "ends_on": closed_start + timedelta(days=21), "status": WaveStatus.OPEN,
                          "created_by": manager})
        if created:
            for walk in range(WALKS_PER_JOURNEY):
                day = closed_start + timedelta(days=2 + walk * 6)
                start = timezone.make_aware(datetime.combine(day, time(10 + walk, 0)))
                visit = planning.visit_create(wave=closed, location=location, auditor=auditor, window_start=start,
                                              window_end=start + timedelta(hours=3))
                audit_id = _uuid("audit", visit.pk)
                draft = _body(demo=demo, journey=journey, version=version, visit=visit, rng=rng, items=items,
                              steps=steps, tags=tags, revision=1, state="draft", when=start, location=location)
                sync.audit_put(user=auditor, audit_id=audit_id, data=draft)
                _add_photos(auditor=auditor, audit_id=audit_id, items=items, needed=_photos_needed(items, draft),
                            rng=rng, journey=journey, extra=PHOTOS_PER_JOURNEY if walk == 0 else 0)
                submitted = {**draft, "revision": 2, "state": "submitted",
                             "submitted_at": start + timedelta(minutes=45)}
                sync.audit_put(user=auditor, audit_id=audit_id, data=submitted)
                review.audit_approve(audit=Audit.objects.get(pk=audit_id), user=manager)
            planning.wave_close(wave=closed)

        open_wave, created = Wave.objects.get_or_create(
            organization=demo.organization, client=journey.client, journey=journey,
            name=f"Winter wave — {journey.name}",
            defaults={"checklist_version": version, "persona": persona, "starts_on": today,
                      "ends_on": today + timedelta(days=28), "status": WaveStatus.OPEN, "created_by": manager})
        if created and index < 3:  # today's visits for the demo auditor: a few, not one per journey
            start = timezone.make_aware(datetime.combine(today, time(9 + 2 * index, 0)))
            planning.visit_create(wave=open_wave, location=location, auditor=auditor, window_start=start,
                                  window_end=start + timedelta(hours=2))

    if executive is not None:
        journey, version = journeys[0]
        audit_id = _uuid("self-audit", executive.pk, journey.pk)
        if not Audit.objects.filter(pk=audit_id).exists():
            items = list(Item.objects.filter(version=version).order_by("section__position", "position", "id"))
            steps = {s.pk: s for s in Step.objects.filter(journey=journey)}
            expectations = [{"step": step.pk, "level": min(5, step.promise_level), "effort": 2}
                            for step in steps.values() if not step.archived]
            when = timezone.now() - timedelta(days=3)
            body = _body(demo=demo, journey=journey, version=version, visit=None, rng=rng, items=items, steps=steps,
                         tags=tags, revision=1, state="draft", when=when, location=None, kind="self",
                         expectations=expectations, story_rate=1.0)
            sync.audit_put(user=executive, audit_id=audit_id, data=body)
            _add_photos(auditor=executive, audit_id=audit_id, items=items, needed=_photos_needed(items, body),
                        rng=rng, journey=journey, extra=0)
            sync.audit_put(user=executive, audit_id=audit_id, data={
                **body, "revision": 2, "state": "submitted", "submitted_at": when + timedelta(hours=1)})
            audit = Audit.objects.get(pk=audit_id)
            if audit.state == AuditState.SUBMITTED:
                review.audit_approve(audit=audit, user=manager)
