"""Demo fieldwork, made by a generator with a fixed seed (never typed by hand): a location per demo
journey, a closed wave of approved walks whose friction tells each journey's story (`walks.STORIES`)
with a few drawn photos, an open wave with visits for the demo auditor today, and a self-audit by the
demo executive. The showcase journey (`showcase.SHOWCASE`) is walked in full instead, for the demo
report. Runs after the journeys and checklists seeder; run again, it finds its rows (natural keys and
name-based UUIDs) and adds nothing."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audits.demo.accounts import Demo
from audits.demo.showcase import SHOWCASE, seed_showcase
from audits.demo.walks import add_photos, audit_body, demo_uuid, photos_needed
from audits.fieldwork import planning, review
from audits.fieldwork.upsert import AuditBody, ExpectationBody, audit_put
from audits.models import Audit, AuditState, ChecklistVersion, Item, Location, Wave, WaveStatus
from journeys.models import Journey, Persona, Step
from journeys.selectors import LATEST_VERSION_FIRST, usable_friction_tag_codes

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


def _latest_version(journey: Journey) -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(journey=journey).order_by(*LATEST_VERSION_FIRST).first()


@transaction.atomic
def seed_fieldwork(demo: Demo) -> None:
    users = demo.users
    auditor, manager, executive = users["auditor"], users.get("manager") or users["owner"], users.get("executive")
    found = Journey.objects.filter(organization=demo.organization).order_by("pk")
    journeys = [(j, v) for j in found if (v := _latest_version(j)) is not None][:5]
    if not journeys:
        return  # the journeys and checklists seeder has not run: nothing to walk
    rng = random.Random(2026)  # one generator for the whole run, in this order: the same run draws the same walks
    tags = usable_friction_tag_codes(demo.organization.pk)
    today = timezone.localdate()
    closed_start = today - timedelta(days=45)

    for index, (journey, version) in enumerate(journeys):
        persona = (Persona.objects.filter(organization=demo.organization, is_ordinary=True,
                                          client=journey.client).first()
                   or Persona.objects.filter(organization=demo.organization, is_ordinary=True).first())
        if journey.name == SHOWCASE:
            location = seed_showcase(demo=demo, journey=journey, version=version, persona=persona, auditor=auditor,
                                     manager=manager, executive=executive, tags=tags, closed_start=closed_start)
        else:
            city, street, lat, lon, tz = CITIES[index % len(CITIES)]
            location, _ = Location.objects.get_or_create(
                organization=demo.organization, client=journey.client, name=f"{journey.name} — {city}",
                defaults={"address": f"{street}, {city}", "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}",
                          "timezone": tz})
            _closed_wave(demo=demo, journey=journey, version=version, persona=persona, location=location,
                         auditor=auditor, manager=manager, rng=rng, tags=tags, starts_on=closed_start)

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
        _self_audit(demo=demo, journey=journey, version=version, executive=executive, manager=manager, rng=rng,
                    tags=tags)


def _items_and_steps(journey: Journey, version: ChecklistVersion) -> tuple[list[Item], dict[int, Step]]:
    items = list(Item.objects.filter(version=version).order_by("section__position", "position", "id"))
    return items, {s.pk: s for s in Step.objects.filter(journey=journey)}


def _closed_wave(*, demo: Demo, journey: Journey, version: ChecklistVersion, persona: Persona | None,
                 location: Location, auditor: User, manager: User, rng: random.Random, tags: set[str],
                 starts_on: date) -> None:
    """The journey's closed autumn wave: a few walks, submitted and approved (once: a wave found is left)."""
    items, steps = _items_and_steps(journey, version)
    closed, created = Wave.objects.get_or_create(
        organization=demo.organization, client=journey.client, journey=journey, name=f"Autumn wave — {journey.name}",
        defaults={"checklist_version": version, "persona": persona, "starts_on": starts_on,
                  "ends_on": starts_on + timedelta(days=21), "status": WaveStatus.OPEN, "created_by": manager})
    if not created:
        return
    for walk in range(WALKS_PER_JOURNEY):
        day = starts_on + timedelta(days=2 + walk * 6)
        start = timezone.make_aware(datetime.combine(day, time(10 + walk, 0)))
        visit = planning.visit_create(wave=closed, location=location, auditor=auditor, window_start=start,
                                      window_end=start + timedelta(hours=3))
        audit_id = demo_uuid("audit", visit.pk)
        draft = audit_body(demo=demo, journey=journey, version=version, visit=visit, rng=rng, items=items,
                           steps=steps, tags=tags, revision=1, state="draft", when=start, location=location)
        audit_put(user=auditor, audit_id=audit_id, data=draft)
        add_photos(auditor=auditor, audit_id=audit_id, items=items, needed=photos_needed(items, draft),
                   rng=rng, journey=journey, extra=PHOTOS_PER_JOURNEY if walk == 0 else 0)
        submitted: AuditBody = {**draft, "revision": 2, "state": "submitted",
                                "submitted_at": start + timedelta(minutes=45)}
        audit_put(user=auditor, audit_id=audit_id, data=submitted)
        review.audit_approve(audit=Audit.objects.get(pk=audit_id), user=manager)
    planning.wave_close(wave=closed)


def _self_audit(*, demo: Demo, journey: Journey, version: ChecklistVersion, executive: User, manager: User,
                rng: random.Random, tags: set[str]) -> None:
    """The executive's own walk of the first journey, three days ago, with what she expected of each step."""
    audit_id = demo_uuid("self-audit", executive.pk, journey.pk)
    if Audit.objects.filter(pk=audit_id).exists():
        return
    items, steps = _items_and_steps(journey, version)
    expectations: list[ExpectationBody] = [{"step": step.pk, "level": min(5, step.promise_level), "effort": 2}
                                           for step in steps.values() if not step.archived]
    when = timezone.now() - timedelta(days=3)
    body = audit_body(demo=demo, journey=journey, version=version, visit=None, rng=rng, items=items, steps=steps,
                      tags=tags, revision=1, state="draft", when=when, location=None, kind="self",
                      expectations=expectations, story_rate=1.0)
    audit_put(user=executive, audit_id=audit_id, data=body)
    add_photos(auditor=executive, audit_id=audit_id, items=items, needed=photos_needed(items, body),
               rng=rng, journey=journey, extra=0)
    audit_put(user=executive, audit_id=audit_id, data={
        **body, "revision": 2, "state": "submitted", "submitted_at": when + timedelta(hours=1)})
    audit = Audit.objects.get(pk=audit_id)
    if audit.state == AuditState.SUBMITTED:
        review.audit_approve(audit=audit, user=manager)
