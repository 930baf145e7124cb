"""The demo's showcase: the journey its report tells in full. The cancelled flight is walked at three
airports in a summer and an autumn wave (the trend and the heat map), each walk made in economy and again
in first class (the tier gap), with notes and evidence photos where it hurts, and the executive flying
economy with her expectations written down first (the perception gap). What each step meets is fixed
(counts, not chances), so the story holds; the rest comes from a seeded generator."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from audits.checklists import rules
from audits.demo.accounts import Demo
from audits.demo.pictures import scene_jpeg
from audits.demo.walks import answer_value, audit_body, demo_uuid, number_option
from audits.fieldwork import planning, review
from audits.fieldwork.photos import photo_make_renditions, photo_put
from audits.fieldwork.upsert import ExpectationBody, audit_put
from audits.models import Audit, AuditState, ChecklistVersion, Item, Location, Photo, Wave, WaveStatus
from journeys.models import Journey, Persona, Step

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


class Met(TypedDict):
    """What one walk met on one step: its profile in FLIGHT, the friction marks, the tag its note tells,
    its wait (seconds) and the item that records it."""

    profile: dict[str, Any]
    marks: list[dict[str, Any]]
    tag: str | None
    wait: int | None
    wait_item: int | None
    worst: int


#: (item, tier, tag) -> how many of its notes were used: a wave's quotes take them in turn.
NotesUsed = dict[tuple[int, str, str | None], int]


def _met_of(met: dict[int, Met], item: Item) -> Met | None:
    return met.get(item.step_id) if item.step_id is not None else None


def _hms(seconds: int | float | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _flight_walk(items: list[Item], steps: dict[int, Step], *, wave: str, tier: str, walk: int, walks: int,
                 rng: random.Random, tags: set[str], notes_used: NotesUsed
                 ) -> tuple[dict[str, Any], dict[str, str], dict[int, Met]]:
    """One walk's answers and notes, as the auditor gives them in the app (what went wrong is a note on
    the friction answer), and per step what was met (marks, worst severity, wait). Walk `walk` of `walks`
    of the tier meets a tag when it falls within that tag's count (rotated by the step, so the same walks
    do not meet every friction)."""
    met: dict[int, Met] = {}
    for offset, (name, profile) in enumerate(FLIGHT.items()):
        step = next((s for s in steps.values() if s.name == name and not s.archived), None)
        if step is None:
            continue
        marks: list[dict[str, Any]] = []
        note_tag: str | None = None
        shift = 0
        for tag, severity, count in profile["friction"].get((wave, tier), []):
            if (walk + offset - shift) % walks < count and tag in tags:
                marks.append({"tag": tag, "severity": severity})
                note_tag = tag
            shift += count
        met[step.pk] = {"profile": profile, "marks": marks, "tag": note_tag, "wait": None, "wait_item": None,
                        "worst": max((m["severity"] for m in marks), default=0)}
    for item in sorted((i for i in items if i.kind == "duration" and (i.options or {}).get("measure") == "wait"),
                       key=lambda i: not i.required):
        state = _met_of(met, item)
        if state is not None and state["wait_item"] is None and "wait" in state["profile"]:
            state["wait_item"] = item.pk  # one wait per step: the required one when there is one

    answers: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for item in items:
        state = _met_of(met, item)
        if item.kind == "photo":
            continue
        value = (answer_value(item, rng, None, tags) if state is None
                 else _flight_value(item, state, wave=wave, tier=tier, rng=rng, notes_used=notes_used))
        if value is not None:
            answers[item.name] = value
    for item in items:  # once the waits are known: the notes tell them
        state = _met_of(met, item)
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


def _note(item: Item, state: Met, tier: str, notes_used: NotesUsed) -> str | None:
    """The next of the step's notes for this tier and tag (in turn, so a wave's quotes differ)."""
    choices = state["profile"]["notes"].get((tier, state["tag"]))
    if not choices:
        return None
    key = (item.pk, tier, state["tag"])
    notes_used[key] = notes_used.get(key, -1) + 1
    return choices[notes_used[key] % len(choices)].replace("{wait}", _minutes(state["wait"]))


def _flight_value(item: Item, state: Met, *, wave: str, tier: str, rng: random.Random, notes_used: NotesUsed) -> Any:
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
        low, high = int(number_option(options, "min", 1)), int(number_option(options, "max", 5))
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
    return answer_value(item, rng, None, set())


def _evidence_photo(*, user: User, audit_id: uuid.UUID, items: list[Item], step: Step, state: Met,
                    rng: random.Random, when: datetime, location: Location | None) -> None:
    photo_id = demo_uuid("photo", audit_id, "evidence", step.pk)
    if Photo.objects.filter(pk=photo_id).exists():
        return
    scene, lines = state["profile"]["photo"]
    data = scene_jpeg(rng, scene, [line.replace("{wait}", _hms(state["wait"])) for line in lines])
    item = next((i for i in items if i.kind == "photo" and i.step_id == step.pk), None)
    photo_put(
        user=user, photo_id=photo_id, upload=SimpleUploadedFile(f"{photo_id}.jpg", data, "image/jpeg"),
        sha256=hashlib.sha256(data).hexdigest(), audit_id=audit_id, item_id=item.pk if item else None,
        step_id=step.pk, taken_at=when, latitude=float(location.latitude or 0) if location else None,
        longitude=float(location.longitude or 0) if location else None)
    photo_make_renditions(photo_id=photo_id)


def seed_showcase(*, demo: Demo, journey: Journey, version: ChecklistVersion, persona: Persona | None,
                  auditor: User, manager: User, executive: User | None, tags: set[str], closed_start: date) -> Location:
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
        notes_used: NotesUsed = {}
        photos_taken: dict[int, int] = {}
        for walk, (airport, day) in enumerate(walks):
            for t, (tier, who) in enumerate(tiers):
                location = airports[airport]
                start = timezone.make_aware(datetime.combine(starts + timedelta(days=day + t),
                                                             time(17 + walk % 3, 15 * t)))
                visit = planning.visit_create(wave=wave, location=location, auditor=auditor, window_start=start,
                                              window_end=start + timedelta(hours=6))
                audit_id = demo_uuid("audit", visit.pk)
                answers, notes, met = _flight_walk(items, steps, wave=wave_key, tier=tier, walk=walk,
                                                   walks=len(walks), rng=rng, tags=tags, notes_used=notes_used)
                draft = audit_body(demo=demo, journey=journey, version=version, visit=visit, rng=rng, items=items,
                              steps=steps, tags=tags, revision=1, state="draft", when=start, location=location,
                              answers=answers, notes=notes, persona=who.pk if who else None)
                audit_put(user=auditor, audit_id=audit_id, data=draft)
                for step_id, state in met.items():
                    taken = photos_taken.get(step_id, 0)
                    if wave_key == AUTUMN and state["marks"] and taken < EVIDENCE_PHOTOS_PER_STEP:
                        photos_taken[step_id] = taken + 1
                        _evidence_photo(user=auditor, audit_id=audit_id, items=items, step=steps[step_id],
                                        state=state, rng=rng, when=start + timedelta(minutes=30), location=location)
                audit_put(user=auditor, audit_id=audit_id, data={
                    **draft, "revision": 2, "state": "submitted",
                    "submitted_at": start + timedelta(hours=4, minutes=rng.randint(0, 90))})
                review.audit_approve(audit=Audit.objects.get(pk=audit_id), user=manager)
        planning.wave_close(wave=wave)

    if executive is not None:  # flying economy twice in the autumn wave, expecting far better than she met
        rng = random.Random(f"{journey.name}/self")
        live = [s for s in steps.values() if not s.archived]
        for index, day in enumerate((5, 12)):
            audit_id = demo_uuid("self-audit", executive.pk, journey.pk, index)
            if Audit.objects.filter(pk=audit_id).exists():
                continue
            when = timezone.make_aware(datetime.combine(closed_start + timedelta(days=day), time(18, 30)))
            expectations: list[ExpectationBody] = [
                {"step": s.pk, "level": 5 if s.moment_of_truth or (index == 0 and s.promise_level >= 4) else 4,
                 "effort": 1 if s.moment_of_truth or index == 0 else 2} for s in live]
            answers, notes, met = _flight_walk(items, steps, wave=AUTUMN, tier=ECONOMY, walk=index, walks=6,
                                               rng=rng, tags=tags, notes_used={})
            body = audit_body(demo=demo, journey=journey, version=version, visit=None, rng=rng, items=items,
                         steps=steps, tags=tags, revision=1, state="draft", when=when, location=None, kind="self",
                         expectations=expectations, answers=answers, notes=notes, key=audit_id)
            audit_put(user=executive, audit_id=audit_id, data=body)
            worst = max(met.items(), key=lambda kv: kv[1]["worst"], default=None)
            if worst is not None and worst[1]["marks"]:
                _evidence_photo(user=executive, audit_id=audit_id, items=items, step=steps[worst[0]],
                                state=worst[1], rng=rng, when=when + timedelta(hours=1), location=None)
            audit_put(user=executive, audit_id=audit_id, data={
                **body, "revision": 2, "state": "submitted", "submitted_at": when + timedelta(hours=3)})
            audit = Audit.objects.get(pk=audit_id)
            if audit.state == AuditState.SUBMITTED:
                review.audit_approve(audit=audit, user=manager)
    return airports[0]
