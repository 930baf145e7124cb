"""Small helpers that make a journey, its checklist and approved walks directly with the ORM, for the
report tests (and the benchmark's shapes). A walk is described per step as plain values."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Client, Organization, User
from audits.models import (
    Audit,
    AuditKind,
    AuditState,
    ChecklistTemplate,
    ChecklistVersion,
    Expectation,
    FrictionMark,
    Item,
    Location,
    Photo,
    PhotoState,
    Report,
    Response,
    Section,
    ShareLink,
    Visit,
    VisitStatus,
    Wave,
    WaveStatus,
)
from journeys.models import FrictionTag, Journey, Persona, Stage, Step

# name, kind, options
STEP_ITEMS = [
    ("outcome", "outcome", {}),
    ("effort", "effort", {}),
    ("level", "delivered_level", {}),
    ("time", "duration", {"measure": "time_on_step"}),
    ("wait", "duration", {"measure": "wait"}),
    ("note", "text", {}),
    ("friction", "friction", {}),
]


@dataclass
class World:
    org: Organization
    client: Client
    journey: Journey
    steps: list[Step]
    locations: list[Location]
    personas: list[Persona]
    version: ChecklistVersion
    auditor: User
    items: dict[tuple[int, str], Item] = field(default_factory=dict)


def make_world(org: Organization, auditor: User, *, client: Client | None = None,
               steps: list[dict] | None = None, locations: list[str] | None = None) -> World:
    client = client or Client.objects.create(organization=org, name="Hotel Lumen")
    journey = Journey.objects.create(organization=org, client=client, name="Arrival")
    stage = Stage.objects.create(organization=org, journey=journey, name="Arrive", position=0)
    steps = steps or [{"name": "Find the entrance"}, {"name": "Check in"}, {"name": "Room light"}]
    step_rows = [Step.objects.create(organization=org, journey=journey, stage=stage, position=i,
                                     **{"reach": Decimal("1"), **spec}) for i, spec in enumerate(steps)]
    location_rows = [Location.objects.create(organization=org, client=client, name=name)
                     for name in (locations or ["Airport", "Downtown"])]
    personas = [Persona.objects.create(organization=org, client=client, name="Economy guest", tier="economy",
                                       tier_rank=0, is_ordinary=True),
                Persona.objects.create(organization=org, client=client, name="First-class guest", tier="first",
                                       tier_rank=2)]
    template = ChecklistTemplate.objects.create(organization=org, client=client, journey=journey, name="Arrival")
    version = ChecklistVersion.objects.create(organization=org, template=template, number=1, title="Arrival",
                                              journey=journey)
    world = World(org=org, client=client, journey=journey, steps=step_rows, locations=location_rows,
                  personas=personas, version=version, auditor=auditor)
    for i, step in enumerate(step_rows):
        section = Section.objects.create(organization=org, version=version, title=step.name, step=step, position=i)
        for j, (name, kind, options) in enumerate(STEP_ITEMS):
            world.items[(i, name)] = Item.objects.create(
                organization=org, version=version, section=section, name=f"s{i}-{name}", label=name, kind=kind,
                step=step, options=options, position=j)
    return world


def make_wave(world: World, name: str, starts_on: dt.date, days: int = 14,
              status: str = WaveStatus.CLOSED) -> Wave:
    return Wave.objects.create(organization=world.org, client=world.client, journey=world.journey,
                               checklist_version=world.version, name=name, starts_on=starts_on,
                               ends_on=starts_on + dt.timedelta(days=days), status=status,
                               closed_at=timezone.now() if status == WaveStatus.CLOSED else None)


def tag(code: str) -> FrictionTag:
    # Built-in tags are there even after a transactional test's flush (tests/conftest.py puts them back).
    return FrictionTag.objects.get(organization__isnull=True, code=code)


def jpeg_bytes(color=(200, 80, 40), size=(400, 300)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def walk(world: World, *, wave: Wave | None, location: int, persona: int = 0, when: dt.datetime,
         steps: dict[int, dict], state: str = AuditState.APPROVED, kind: str = AuditKind.VISIT,
         auditor: User | None = None) -> Audit:
    """One walk. `steps` maps a step index to {outcome, effort, level, time, wait, note (text answer),
    remark (a note on the effort answer), friction: [(code, severity)], photos: [{state, caption}]}."""
    org, auditor = world.org, auditor or world.auditor
    loc = world.locations[location]
    visit = None
    if wave is not None:
        visit = Visit.objects.create(organization=org, wave=wave, location=loc, auditor=auditor,
                                     window_start=when - dt.timedelta(hours=1), window_end=when + dt.timedelta(hours=1),
                                     status=VisitStatus.APPROVED)
    audit = Audit.objects.create(organization=org, kind=kind, visit=visit, journey=world.journey,
                                 checklist_version=world.version, persona=world.personas[persona], location=loc,
                                 auditor=auditor, state=state, started_at=when, submitted_at=when,
                                 approved_at=when if state == AuditState.APPROVED else None)
    for index, spec in steps.items():
        step = world.steps[index]

        def answer(name, value, number=None, text="", note="", _index=index, _step=step):
            item = world.items[(_index, name)]
            return Response.objects.create(organization=org, audit=audit, item=item, step=_step, kind=item.kind,
                                           value=value, number=number, text=text, note=note)

        if "outcome" in spec:
            answer("outcome", spec["outcome"], text=spec["outcome"])
        if "effort" in spec:
            answer("effort", spec["effort"], number=spec["effort"], note=spec.get("remark", ""))
        if "level" in spec:
            answer("level", spec["level"], number=spec["level"])
        if "time" in spec:
            answer("time", spec["time"], number=spec["time"])
        if "wait" in spec:
            answer("wait", spec["wait"], number=spec["wait"])
        if "note" in spec:
            answer("note", spec["note"], text=spec["note"][:200])
        if spec.get("friction"):
            response = answer("friction", [{"tag": c, "severity": s} for c, s in spec["friction"]])
            for code, severity in spec["friction"]:
                FrictionMark.objects.create(organization=org, audit=audit, response=response, step=step,
                                            tag=tag(code), severity=severity)
        for photo in spec.get("photos", []):
            make_photo(audit, step, **photo)
    return audit


def make_photo(audit: Audit, step: Step, *, state: str = PhotoState.READY, caption: str = "",
               color=(200, 80, 40)) -> Photo:
    photo = Photo(organization_id=audit.organization_id, audit=audit, step=step, sha256="0" * 64,
                  content_type="image/jpeg", size=1, width=400, height=300, caption=caption, state=state)
    photo.original.name = f"private/originals/{audit.organization_id}/{audit.pk}/{photo.pk}"
    if state == PhotoState.READY:
        photo.small.name = default_storage.save(f"renditions/{audit.organization_id}/{audit.pk}/{photo.pk}-s.jpg",
                                                ContentFile(jpeg_bytes(color)))
        photo.large.name = photo.small.name
    photo.save()
    return photo


def self_audit(world: World, *, auditor: User, when: dt.datetime, expectations: dict[int, tuple],
               state: str = AuditState.SUBMITTED) -> Audit:
    audit = Audit.objects.create(organization=world.org, kind=AuditKind.SELF, journey=world.journey,
                                 checklist_version=world.version, persona=world.personas[0], auditor=auditor,
                                 state=state, started_at=when, submitted_at=when)
    for index, (level, effort) in expectations.items():
        Expectation.objects.create(organization=world.org, audit=audit, step=world.steps[index], level=level,
                                   effort=effort)
    return audit


# -- makers for the cross-organization walker (tests/factories.py) --------------------------------------

def make_report(org: Organization, *, state: str = "ready", **fields):
    client = Client.objects.filter(organization=org).first() or Client.objects.create(organization=org,
                                                                                      name="Report brand")
    journey = Journey.objects.filter(organization=org).first() or Journey.objects.create(
        organization=org, client=client, name="Report journey")
    number = Report.objects.filter(organization=org).count() + 1
    return Report.objects.create(organization=org, client=journey.client, journey=journey, title="A report",
                                 scope={"journey": journey.pk}, scope_key=f"key-{number}", data_version="v",
                                 number=number, state=state, result={"totals": {"walks": 0}, "fix_first": []},
                                 **fields)


def make_share_link(org: Organization):
    return ShareLink.objects.create(organization=org, report=make_report(org), nonce="0123456789abcdef",
                                    expires_at=timezone.now() + dt.timedelta(days=7))


REPORT_MAKERS: dict = {Report: lambda org: make_report(org), ShareLink: make_share_link}


def small_wave(world: World, name: str = "Spring", starts_on: dt.date = dt.date(2026, 3, 1), walks: int = 3,
               created_by: User | None = None) -> Wave:
    """A closed wave with a few approved walks over the world's steps, with friction, notes and photos."""
    wave = make_wave(world, name, starts_on)
    if created_by is not None:
        Wave.objects.filter(pk=wave.pk).update(created_by=created_by)
        wave.refresh_from_db()
    when = dt.datetime.combine(starts_on, dt.time(10), tzinfo=dt.UTC)
    for n in range(walks):
        walk(world, wave=wave, location=n % len(world.locations), persona=n % 2, when=when + dt.timedelta(days=n),
             steps={i: {"outcome": ("done", "done_with_help", "gave_up")[(n + i) % 3], "effort": 1 + (n + 2 * i) % 7,
                        "level": 1 + (n + i) % 5, "time": 30 + 40 * n + 10 * i, "wait": 5 * n * i,
                        "note": f"Walk {n + 1}, step {i + 1}: the desk was empty." if i == 1 else "",
                        "friction": [("long_wait", 1 + (n + i) % 3)] if (n + i) % 2 else [],
                        "photos": [{"caption": f"Step {i + 1}, walk {n + 1}", "color": (60 * n % 255, 90, 140)}]
                        if i == 1 else []}
                    for i in range(len(world.steps))})
    return wave
