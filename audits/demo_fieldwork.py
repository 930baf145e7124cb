"""Demo fieldwork, made by a generator with a fixed seed (never typed by hand): a location per demo
journey, a closed wave of approved walks whose friction tells each journey's story (the light switch,
the orange, the retyped CV, no human, the long wait) with a few drawn photos, an open wave with visits
for the demo auditor today, and a self-audit by the demo executive. Runs after the journeys and
checklists seeder; run again, it finds its rows (natural keys and name-based UUIDs) and adds nothing."""

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
from PIL import Image, ImageDraw

from journeys.models import Journey, Persona, Step

from .checklists import rules
from .fieldwork import photos as photo_service
from .fieldwork import planning, review, sync
from .models import Audit, AuditState, ChecklistVersion, Item, Location, Photo, Wave, WaveStatus

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
    return ChecklistVersion.objects.filter(journey=journey).order_by("-number", "-pk").first()


def _tags(org_id: int) -> set[str]:
    from journeys.models import FrictionTag

    return set(FrictionTag.objects.usable_by(org_id).filter(retired_at__isnull=True).values_list("code", flat=True))


def _body(*, demo, journey, version, visit, rng, items, steps, tags, revision, state, when, location,
          kind="visit", story_rate=0.85, expectations=None) -> dict:
    answers = _answers(items, steps, rng, tags, story_rate)
    by_name = {item.name: item for item in items}
    jitter = 0.0004 if rng.random() < 0.9 else 0.012  # now and then, a check-in far away (flagged)
    return {
        "organization": demo.organization.pk, "visit": visit.pk if visit else None, "journey": journey.pk,
        "checklist_version": version.pk, "persona": None, "kind": kind, "revision": revision, "state": state,
        "started_at": when, "submitted_at": when + timedelta(minutes=rng.randint(20, 90)) if state == "submitted"
        else None,
        "checkin": None if location is None else {
            "at": when, "latitude": float(location.latitude) + rng.uniform(-jitter, jitter),
            "longitude": float(location.longitude) + rng.uniform(-jitter, jitter),
            "accuracy_m": rng.randint(5, 40), "position_status": "ok"},
        "responses": [{"id": _uuid("response", visit.pk if visit else "self", name), "item": by_name[name].pk,
                       "value": value, "detail": None, "note": ""} for name, value in answers.items()],
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
        city, street, lat, lon, tz = CITIES[index % len(CITIES)]
        location, _ = Location.objects.get_or_create(
            organization=demo.organization, client=journey.client, name=f"{journey.name} — {city}",
            defaults={"address": f"{street}, {city}", "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}",
                      "timezone": tz})
        persona = (Persona.objects.filter(organization=demo.organization, is_ordinary=True,
                                          client=journey.client).first()
                   or Persona.objects.filter(organization=demo.organization, is_ordinary=True).first())
        items = list(Item.objects.filter(version=version).order_by("section__position", "position", "id"))
        steps = {s.pk: s for s in Step.objects.filter(journey=journey)}

        closed, created = Wave.objects.get_or_create(
            organization=demo.organization, client=journey.client, journey=journey,
            name=f"Autumn wave — {journey.name}",
            defaults={"checklist_version": version, "persona": persona, "starts_on": closed_start,
                      "ends_on": closed_start + timedelta(days=21), "status": WaveStatus.OPEN, "created_by": manager})
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
