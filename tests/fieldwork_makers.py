"""Fieldwork test data: a small journey with a published checklist of every answer kind, a location,
a wave and visits; audits and photos. Also the makers the cross-organization walker needs."""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import Client, Membership, Organization, User
from audits.models import (
    Audit,
    ChecklistTemplate,
    ChecklistVersion,
    Item,
    Location,
    Photo,
    PhotoState,
    Section,
    Visit,
    Wave,
)
from journeys.models import Journey, Persona, Stage, Step

_seq = itertools.count(1)


#: name -> (section, kind, required, options, shown_when)
ITEMS = [
    ("arrival_outcome", 0, "outcome", True, {}, None),
    ("arrival_effort", 0, "effort", True, {}, None),
    ("arrival_friction", 0, "friction", False, {}, None),
    ("arrival_wait", 0, "duration", False, {"measure": "wait"}, None),
    ("arrival_level", 0, "delivered_level", False, {}, None),
    ("arrival_photo", 0, "photo", False, {"min_count": 1}, None),
    ("switch_found", 1, "yes_no", True, {}, None),
    ("switch_where", 1, "single_choice", False,
     {"choices": [{"value": "door", "label": "By the door"}, {"value": "bed", "label": "By the bed"}]},
     {"item": "switch_found", "equals": "yes"}),
    ("room_score", 1, "score", False, {"min": 1, "max": 5, "labels": ["bad", "", "", "", "great"]}, None),
    ("room_temp", 1, "number", False, {"unit": "°C", "min": 10, "max": 35}, None),
    ("room_note", 1, "text", False, {}, None),
    ("room_issues", 1, "multi_choice",
     False, {"choices": [{"value": "dust", "label": "Dust"}, {"value": "noise", "label": "Noise"}]}, None),
]

VALID_VALUES = {
    "arrival_outcome": "done_with_help", "arrival_effort": 5,
    "arrival_friction": [{"tag": "hidden_control", "severity": 2}, {"tag": "long_wait", "severity": 1}],
    "arrival_wait": 340, "arrival_level": 2, "arrival_photo": None, "switch_found": "yes", "switch_where": "bed",
    "room_score": 2, "room_temp": 21.5, "room_note": "The switch hides behind the curtain.",
    "room_issues": ["noise"],
}


@dataclass
class Plan:
    org: Organization
    client: Client
    journey: Journey
    steps: list[Step]
    version: ChecklistVersion
    items: dict[str, Item]
    location: Location
    wave: Wave
    persona: Persona
    ordinary: Persona
    visits: list[Visit] = field(default_factory=list)

    def item(self, name: str) -> Item:
        return self.items[name]

    def responses(self, **overrides) -> list[dict]:
        """A valid answer to every item (photo items excepted), overridden by name (None drops one)."""
        values = {**VALID_VALUES, **overrides}
        return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.version.pk}/{name}")), "item": self.items[name].pk,
                 "value": value, "detail": None, "note": ""}
                for name, value in values.items() if name in self.items and name != "arrival_photo"
                and not (name in overrides and overrides[name] is None)]

    def body(self, visit: Visit | int | object | None = ..., **changes) -> dict:
        """The phone's PUT body: a draft of the first visit (`visit=None`: no visit)."""
        if visit is ...:
            visit = self.visits[0] if self.visits else None
        visit_id = visit.pk if isinstance(visit, Visit) else visit
        now = timezone.now()
        body = {
            "organization": self.org.pk, "visit": visit_id, "journey": self.journey.pk,
            "checklist_version": self.version.pk, "persona": None, "kind": "visit", "revision": 1,
            "state": "draft", "started_at": (now - timedelta(minutes=30)).isoformat(), "submitted_at": None,
            "checkin": {"at": (now - timedelta(minutes=29)).isoformat(), "latitude": 52.2297,
                        "longitude": 21.0122, "accuracy_m": 12, "position_status": "ok"},
            "responses": self.responses(), "expectations": [],
        }
        body.update(changes)
        return body


def make_plan(org: Organization, auditor: User | None = None) -> Plan:
    n = next(_seq)
    client = Client.objects.create(organization=org, name=f"Hotel Lumen {n}", sector="Hospitality")
    journey = Journey.objects.create(organization=org, client=client, name=f"Hotel stay {n}")
    arrival = Stage.objects.create(organization=org, journey=journey, name="Arrival", position=0)
    room = Stage.objects.create(organization=org, journey=journey, name="Room", position=1)
    steps = [
        Step.objects.create(organization=org, journey=journey, stage=arrival, name="Check in", promise_level=4,
                            position=0),
        Step.objects.create(organization=org, journey=journey, stage=room, name="Find the light switch",
                            promise_level=5, position=0),
    ]
    template = ChecklistTemplate.objects.create(organization=org, client=client, journey=journey,
                                                name=f"Hotel stay checklist {n}")
    version = ChecklistVersion.objects.create(organization=org, template=template, number=1,
                                              title=template.name, journey=journey)
    sections = [Section.objects.create(organization=org, version=version, title=step.name, step=step, position=i)
                for i, step in enumerate(steps)]
    items = {}
    for position, (name, section, kind, required, options, shown_when) in enumerate(ITEMS):
        items[name] = Item.objects.create(
            organization=org, version=version, section=sections[section], name=name, label=name.replace("_", " "),
            kind=kind, required=required, critical=(name == "switch_found"), step=steps[section], options=options,
            shown_when=shown_when, position=position)
    ordinary = Persona.objects.create(organization=org, client=client, name="Everyday guest", tier="economy",
                                      is_ordinary=True)
    persona = Persona.objects.create(organization=org, client=client, name="Gold member", tier="gold", tier_rank=2)
    location = Location.objects.create(organization=org, client=client, name=f"Lumen Warsaw {n}",
                                       address="Krakowskie Przedmieście 1", latitude="52.229700",
                                       longitude="21.012200", timezone="Europe/Warsaw")
    today = timezone.localdate()
    wave = Wave.objects.create(organization=org, client=client, journey=journey, checklist_version=version,
                               persona=persona, name=f"Wave {n}", starts_on=today - timedelta(days=1),
                               ends_on=today + timedelta(days=14), status="open")
    plan = Plan(org=org, client=client, journey=journey, steps=steps, version=version, items=items,
                location=location, wave=wave, persona=persona, ordinary=ordinary)
    if auditor is not None:
        plan.visits.append(make_visit(plan, auditor))
    return plan


def make_visit(plan: Plan, auditor: User, **fields) -> Visit:
    now = timezone.now()
    values = {"window_start": now - timedelta(hours=1), "window_end": now + timedelta(hours=3), **fields}
    return Visit.objects.create(organization=plan.org, wave=plan.wave, location=plan.location, auditor=auditor,
                                **values)


def new_auditor(org: Organization) -> User:
    user = User.objects.create_user(f"fieldworker{next(_seq)}@example.test", "pw-for-tests-123")
    Membership.objects.create(user=user, organization=org, role="auditor")
    return user


def make_audit(plan: Plan, auditor: User, **fields) -> Audit:
    visit = plan.visits[0] if plan.visits else make_visit(plan, auditor)
    values = {"organization": plan.org, "visit": visit, "journey": plan.journey, "checklist_version": plan.version,
              "auditor": auditor, "location": plan.location, "revision": 1, "state": "submitted", **fields}
    return Audit.objects.create(**values)


def jpeg_bytes(width: int = 64, height: int = 48, color=(200, 80, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", **save)
    return out.getvalue()


def make_photo(audit: Audit, state: str = PhotoState.READY, **fields) -> Photo:
    import hashlib

    data = jpeg_bytes()
    photo = Photo(organization_id=audit.organization_id, audit=audit, sha256=hashlib.sha256(data).hexdigest(),
                  content_type="image/jpeg", size=len(data), width=64, height=48, state=state, **fields)
    photo.original.save(str(photo.pk), ContentFile(data), save=False)
    if state == PhotoState.READY:
        photo.large.save(f"{photo.pk}-1600.jpg", ContentFile(data), save=False)
        photo.small.save(f"{photo.pk}-400.jpg", ContentFile(data), save=False)
    photo.save()
    return photo


def _audit_maker(org: Organization) -> Audit:
    plan = make_plan(org)
    return make_audit(plan, new_auditor(org))


FIELDWORK_MAKERS = {
    Location: lambda org: make_plan(org).location,
    Wave: lambda org: make_plan(org).wave,
    Visit: lambda org: make_visit(make_plan(org), new_auditor(org)),
    Audit: _audit_maker,
    Photo: lambda org: make_photo(_audit_maker(org)),
}

__all__ = ["FIELDWORK_MAKERS", "Plan", "jpeg_bytes", "make_audit", "make_photo", "make_plan", "make_visit",
           "new_auditor"]
