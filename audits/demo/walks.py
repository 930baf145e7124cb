"""How the demo walks a checklist, as an auditor's phone would: answers made by a seeded generator
(never typed by hand), where a step whose name tells a story (the light switch, the orange, the retyped CV,
no human, the long wait) goes wrong in most walks; the audit body the phone sends (`PUT` through the
same service as the API); and drawn photos for the items that ask for them. Ids are name-based UUIDs, so
a run again finds the same rows."""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from audits.checklists import rules
from audits.demo.accounts import Demo
from audits.demo.pictures import drawn_jpeg
from audits.fieldwork.photos import photo_make_renditions, photo_put
from audits.fieldwork.upsert import AuditBody, ExpectationBody
from audits.models import ChecklistVersion, Item, Location, Photo, Visit
from journeys.models import Journey, Step

#: A one-pixel PNG as a data URL: the demo's "signature".
SIGNATURE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
             "awAAAABJRU5ErkJggg==")
NAMESPACE = uuid.UUID("6f1f7a52-4d0e-4c53-9d43-7b1c0a2f0d11")

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

#: A story a step tells: (friction tag, what the auditor wrote).
Story = tuple[str, str]


def story_of(step: Step | None) -> Story | None:
    if step is None:
        return None
    name = step.name.lower()
    for words, tag, note in STORIES:
        if any(re.search(word, name) for word in words):
            return tag, note
    return None


def demo_uuid(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def number_option(options: Mapping[str, Any], key: str, default: float) -> float:
    value = options.get(key)
    return float(default if value is None else value)


def answer_value(item: Item, rng: random.Random, story: Story | None, tags: set[str]) -> Any:
    """An answer to `item`; a bad one when the step tells a story."""
    kind, options = item.kind, item.options or {}
    bad = story is not None
    tag, note = story or ("", "")
    if kind == "outcome":
        return rng.choice(["done_with_help", "gave_up", "done_with_help"]) if bad else rng.choice(
            ["done", "done", "done", "done_with_help"])
    if kind == "effort":
        return rng.randint(5, 7) if bad else rng.randint(1, 3)
    if kind == "delivered_level":
        return rng.randint(1, 2) if bad else rng.randint(3, 5)
    if kind == "duration":
        if bad and tag == "long_wait":
            return rng.randint(3600, 7800)
        return rng.randint(240, 1500) if bad else rng.randint(20, 240)
    if kind == "score":
        low, high = int(number_option(options, "min", 1)), int(number_option(options, "max", 5))
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
        least = number_option(options, "min", 0)
        most = number_option(options, "max", least + 100)
        return round(rng.uniform(least, most), 1)
    if kind == "text":
        return note if bad else rng.choice(["Smooth.", "Friendly staff.", "Clear signs.", ""]) or "Fine."
    if kind == "signature":
        return SIGNATURE
    if kind == "friction":
        if bad and tag in tags:
            return [{"tag": tag, "severity": rng.choice([2, 3])}]
        return [] if rng.random() < 0.9 or not tags else [{"tag": rng.choice(sorted(tags)), "severity": 1}]
    return None


def step_of(steps: Mapping[int, Step], item: Item) -> Step | None:
    return steps.get(item.step_id) if item.step_id is not None else None


def answers_for(items: list[Item], steps: Mapping[int, Step], rng: random.Random, tags: set[str],
                story_rate: float) -> dict[str, Any]:
    """Every shown, non-photo item answered; a step that tells a story does so in most walks."""
    stories: dict[int | None, Story | None] = {}
    for item in items:
        if item.step_id not in stories:
            story = story_of(step_of(steps, item))
            stories[item.step_id] = story if story and rng.random() < story_rate else None
    values = {item.name: answer_value(item, rng, stories[item.step_id], tags)
              for item in items if item.kind != "photo"}
    values = {name: value for name, value in values.items() if value is not None}
    for _ in range(len(items) + 1):  # drop answers to items hidden by others, until it settles
        shown = rules.visible_items(items, values)
        kept = {name: value for name, value in values.items() if name in shown}
        if kept == values:
            break
        values = kept
    return values


def audit_body(*, demo: Demo, journey: Journey, version: ChecklistVersion, visit: Visit | None, rng: random.Random,
               items: list[Item], steps: Mapping[int, Step], tags: set[str], revision: int, state: str,
               when: datetime, location: Location | None, kind: str = "visit", story_rate: float = 0.85,
               expectations: list[ExpectationBody] | None = None, answers: dict[str, Any] | None = None,
               notes: dict[str, str] | None = None, persona: int | None = None, key: object = "self") -> AuditBody:
    """The body the phone sends for the audit (`PUT /api/v1/audits/<uuid>`), checked in where it was."""
    if answers is None:
        answers = answers_for(items, steps, rng, tags, story_rate)
    by_name = {item.name: item for item in items}
    jitter = 0.0004 if rng.random() < 0.9 else 0.012  # now and then, a check-in far away (flagged)
    return {
        "organization": demo.organization.pk, "visit": visit.pk if visit else None, "journey": journey.pk,
        "checklist_version": version.pk, "persona": persona, "kind": kind, "revision": revision, "state": state,
        "started_at": when, "submitted_at": when + timedelta(minutes=rng.randint(20, 90)) if state == "submitted"
        else None,
        "checkin": None if location is None else {
            "at": when, "latitude": float(location.latitude or 0) + rng.uniform(-jitter, jitter),
            "longitude": float(location.longitude or 0) + rng.uniform(-jitter, jitter),
            "accuracy_m": rng.randint(5, 40), "position_status": "ok"},
        "responses": [{"id": demo_uuid("response", visit.pk if visit else key, name), "item": by_name[name].pk,
                       "value": value, "detail": None, "note": (notes or {}).get(name, "")}
                      for name, value in answers.items()],
        "expectations": expectations or [],
    }


def photos_needed(items: list[Item], body: AuditBody) -> dict[int, int]:
    """Photo item id -> how many photos its rule asks for, among the items the answers show."""
    names = {item.pk: item.name for item in items}
    answers = {names[r["item"]]: r["value"] for r in body["responses"]}
    shown = rules.visible_items(items, answers)
    return {item.pk: max(1, rules.min_photos(rules.rule_item(item))) for item in items
            if item.kind == "photo" and item.name in shown and rules.min_photos(rules.rule_item(item)) > 0}


def add_photos(*, auditor: User, audit_id: uuid.UUID, items: list[Item], needed: dict[int, int],
               rng: random.Random, journey: Journey, extra: int) -> None:
    """The photos the items need (and `extra` more on the first step), sent and processed at once."""
    steps_of = {item.pk: item.step_id for item in items}
    plan: list[tuple[int | None, int]] = [(item_id, i) for item_id, count in needed.items() for i in range(count)]
    first_step = next((item.step_id for item in items if item.step_id), None)
    plan += [(None, i) for i in range(max(0, extra - len(plan)))]
    for item_id, index in plan:
        photo_id = demo_uuid("photo", audit_id, item_id, index)
        if Photo.objects.filter(pk=photo_id).exists():
            continue
        data = drawn_jpeg(rng, f"{journey.name}")
        photo_put(
            user=auditor, photo_id=photo_id, upload=SimpleUploadedFile(f"{photo_id}.jpg", data, "image/jpeg"),
            sha256=hashlib.sha256(data).hexdigest(), audit_id=audit_id, item_id=item_id,
            step_id=(steps_of.get(item_id) if item_id is not None else None) or first_step, taken_at=None,
            latitude=None, longitude=None)
        photo_make_renditions(photo_id=photo_id)  # at once: the demo shows them
