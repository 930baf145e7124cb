"""The phone's side of the sync protocol.

`audit_put` is the idempotent upsert behind `PUT /api/v1/audits/{uuid}`: the phone makes the id and
counts revisions; the row lock (taken by `select_for_update().get_or_create`, whose insert races are
decided by the primary key) serialises concurrent copies of one audit, so an older copy never
overwrites a newer one and the same copy twice changes nothing. `sync_feed` answers
`GET /api/v1/sync`: what changed for one user since a cursor."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from accounts.models import Membership, User
from accounts.tenancy import Role
from audits.checklists import rules
from audits.models import (
    Audit,
    AuditKind,
    AuditState,
    ChecklistVersion,
    Expectation,
    FrictionMark,
    Item,
    Photo,
    Response,
    Visit,
    VisitStatus,
    Wave,
)
from journeys.models import FrictionTag, Journey, Persona, Step

#: Item kinds whose answer is kept as a number, and as text, beside the JSON value (for reports).
NUMBER_KINDS = frozenset({"effort", "delivered_level", "duration", "number", "score"})
# Text answers get a (truncated) typed copy too: reports quote auditors' notes from it.
TEXT_KINDS = frozenset({"outcome", "yes_no", "single_choice", "text"})

FROZEN_STATES = (AuditState.SUBMITTED, AuditState.APPROVED)
EARTH_RADIUS_M = 6_371_008.8


class NotFound(DomainError):
    status = 404
    code = "not_found"


def body_digest(body: Any) -> str:
    """The same body, however its keys are ordered, has the same digest."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def checkin_flag_distance_m() -> float:
    return float(getattr(settings, "CHECKIN_FLAG_DISTANCE_M", 500))


@dataclass
class PutResult:
    audit: Audit
    created: bool
    stored: bool

    def as_dict(self) -> dict:
        return {"id": str(self.audit.pk), "revision": self.audit.revision, "state": self.audit.state,
                "stored": self.stored}


def refuse_other_users_audit(*, user: User, audit_id: uuid.UUID) -> None:
    """Before the body is even read: another user's audit is not found (or not yours to write)."""
    row = Audit.objects.filter(pk=audit_id).values("auditor_id", "organization_id").first()
    if row is None or row["auditor_id"] == user.pk:
        return
    if Audit.objects.visible_to(user).filter(pk=audit_id).exists():
        raise NotAllowed("Only the auditor who made this audit can send it; reviewers correct it instead.")
    raise NotFound("Not found: it does not exist, or it is not yours to see.")


@dataclass
class Header:
    membership: Membership
    visit: Visit | None
    journey: Journey
    version: ChecklistVersion
    persona: Persona | None


def _resolve_header(*, user: User, data: dict) -> Header:
    errors: dict[str, list[str]] = {}
    membership = (Membership.objects.filter(user=user, organization_id=data["organization"])
                  .select_related("organization").first())
    if membership is None:
        raise ValidationFailed("organization: not an organization of yours.",
                               fields={"organization": ["Not an organization of yours."]})
    if membership.role == Role.CLIENT_VIEWER:
        raise NotAllowed("Client viewers read reports; they do not make audits.")
    org_id = membership.organization_id
    kind = data["kind"]

    visit = None
    if data.get("visit") is not None:
        visit = (Visit.objects.filter(pk=data["visit"], organization_id=org_id, auditor=user)
                 .select_related("wave__persona", "location").first())
        if visit is None:
            errors["visit"] = ["Not a visit assigned to you."]
    if kind == AuditKind.SELF and data.get("visit") is not None:
        errors["visit"] = ["A self-audit has no visit."]
    if kind == AuditKind.SELF and membership.role == Role.AUDITOR:
        errors["kind"] = ["Self-audits are for executives, managers and owners."]

    journey = Journey.objects.filter(pk=data["journey"], organization_id=org_id).first()
    if journey is None:
        errors["journey"] = ["Not a journey of this organization."]
    version = ChecklistVersion.objects.filter(pk=data["checklist_version"], organization_id=org_id).first()
    if version is None:
        errors["checklist_version"] = ["Not a checklist version of this organization."]
    elif journey is not None and version.journey_id not in (None, journey.pk):
        errors["checklist_version"] = ["This checklist version is for another journey."]
    if visit is not None and version is not None and visit.wave.checklist_version_id != version.pk:
        errors["checklist_version"] = ["Not the checklist version of this visit's wave."]
    if visit is not None and journey is not None and visit.wave.journey_id != journey.pk:
        errors["journey"] = ["Not the journey of this visit's wave."]

    persona = None
    if data.get("persona") is not None:
        persona = Persona.objects.filter(pk=data["persona"], organization_id=org_id).first()
        if persona is None:
            errors["persona"] = ["Not a persona of this organization."]
    elif visit is not None:
        persona = visit.wave.persona
    elif kind == AuditKind.SELF and journey is not None:
        # Fly economy: without a choice, the ordinary tier of the journey's client (or of the organization).
        persona = (Persona.objects.filter(organization_id=org_id, is_ordinary=True, client_id=journey.client_id)
                   .first() or Persona.objects.filter(organization_id=org_id, is_ordinary=True,
                                                      client__isnull=True).first())
    if errors:
        raise ValidationFailed(_first_message(errors), fields=errors)
    assert journey is not None and version is not None
    return Header(membership=membership, visit=visit, journey=journey, version=version, persona=persona)


def _first_message(errors: dict[str, list[str]]) -> str:
    name, messages = next(iter(errors.items()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{name}: {messages[0]}{more}"


def typed_copies(kind: str, value: Any) -> tuple[float | None, str]:
    number = float(value) if kind in NUMBER_KINDS and isinstance(value, int | float) and not isinstance(
        value, bool) else None
    text = value[:200] if kind in TEXT_KINDS and isinstance(value, str) else ""
    return number, text


def friction_marks(*, response: Response, tags: dict[str, FrictionTag]) -> list[FrictionMark]:
    """The friction marks a `friction` answer carries (unsaved), one per tag with its severity."""
    if response.kind != "friction" or not isinstance(response.value, list):
        return []
    return [FrictionMark(organization_id=response.organization_id, audit_id=response.audit_id, response=response,
                         step_id=response.step_id, tag=tags[mark["tag"]], severity=mark["severity"])
            for mark in response.value]


def friction_tags(*, org_id: int, audit_id: uuid.UUID, existing: bool) -> dict[str, FrictionTag]:
    """Codes usable for new answers (not retired; the organization's own tag wins over a built-in one
    of the same code), plus retired tags this audit already carried (old data stays readable)."""
    tags: dict[str, FrictionTag] = {}
    already = set()
    if existing:
        already = set(FrictionMark.objects.filter(audit_id=audit_id).values_list("tag_id", flat=True))
    for tag in FrictionTag.objects.usable_by(org_id).order_by("organization_id"):
        if tag.retired_at is not None and tag.pk not in already:
            continue
        if tag.code not in tags or tag.organization_id is not None:
            tags[tag.code] = tag
    return tags


def _check_responses(*, data: dict, items: list[Item], tags: dict[str, FrictionTag] | None,
                     photo_counts: dict[str, int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    by_id = {item.pk: item for item in items}
    answers: dict[str, Any] = {}
    given: dict[str, Any] = {}
    seen: set[int] = set()
    for index, response in enumerate(data["responses"]):
        item = by_id.get(response["item"])
        if item is None:
            errors[f"responses.{index}.item"] = ["Not an item of this checklist version."]
            continue
        if item.pk in seen:
            errors[f"responses.{index}.item"] = ["This item is answered twice."]
            continue
        seen.add(item.pk)
        problems = rules.check_answer(item, response["value"],
                                      friction_tags=None if tags is None else set(tags))
        if problems:
            errors[f"responses.{index}.value"] = [f"{item.name}: {p}" for p in problems]
        else:
            answers[item.name] = response["value"]
        given[item.name] = response["value"]
    # Visibility from every answer given, valid or not: a bad answer is named once, not again through
    # the items it controls.
    shown = rules.visible_items(items, given)
    for index, response in enumerate(data["responses"]):
        item = by_id.get(response["item"])
        if item is not None and item.name not in shown and response["value"] is not None:
            errors.setdefault(f"responses.{index}.value", []).append(
                f"{item.name}: this item is hidden by its shown-when rule; leave it out.")
    if data["state"] == AuditState.SUBMITTED and not errors:
        by_name = {item.name: item for item in items}
        for name in rules.missing_required(items, answers, photo_counts):
            item = by_name[name]
            if item.kind == "photo":
                need = max(1, rules.min_photos(rules.rule_item(item)))
                message = f"Needs at least {need} photo(s) before submitting ({photo_counts.get(name, 0)} stored)."
            else:
                message = "Required before submitting."
            errors[f"items.{name}"] = [message]
    return errors


def _check_expectations(*, data: dict, steps: set[int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, expectation in enumerate(data.get("expectations") or []):
        if expectation["step"] not in steps:
            errors[f"expectations.{index}.step"] = ["Not a step of this journey."]
        elif expectation["step"] in seen:
            errors[f"expectations.{index}.step"] = ["This step has two expectations."]
        seen.add(expectation["step"])
        level, effort = expectation.get("level"), expectation.get("effort")
        if level is not None and not 1 <= level <= 5:
            errors[f"expectations.{index}.level"] = ["Must be from 1 to 5."]
        if effort is not None and not 1 <= effort <= 7:
            errors[f"expectations.{index}.effort"] = ["Must be from 1 to 7."]
    return errors


def _photo_counts(audit_id: uuid.UUID) -> dict[str, int]:
    rows = (Photo.objects.filter(audit_id=audit_id, item__isnull=False)
            .values("item__name").annotate(n=Count("id")))
    return {row["item__name"]: row["n"] for row in rows}


def _apply_checkin(audit: Audit, checkin: dict | None, visit: Visit | None) -> None:
    if checkin is None:
        audit.checkin_at = audit.checkin_latitude = audit.checkin_longitude = None
        audit.checkin_accuracy_m = audit.checkin_distance_m = None
        audit.checkin_position_status = ""
        audit.checkin_flagged = False
        return
    audit.checkin_at = checkin.get("at")
    audit.checkin_latitude = checkin.get("latitude")
    audit.checkin_longitude = checkin.get("longitude")
    audit.checkin_accuracy_m = checkin.get("accuracy_m")
    audit.checkin_position_status = checkin.get("position_status") or ""
    audit.checkin_distance_m = None
    audit.checkin_flagged = False
    location = visit.location if visit is not None else None
    if (location is not None and location.latitude is not None and location.longitude is not None
            and audit.checkin_latitude is not None and audit.checkin_longitude is not None):
        distance = haversine_m(float(location.latitude), float(location.longitude),
                               audit.checkin_latitude, audit.checkin_longitude)
        audit.checkin_distance_m = round(distance, 1)
        # Far from the location: flagged for the reviewer, never refused (GPS indoors is poor).
        audit.checkin_flagged = distance > checkin_flag_distance_m()


HEADER_FIELDS = ("organization_id", "kind", "visit_id", "journey_id", "checklist_version_id")


def audit_put(*, user: User, audit_id: uuid.UUID, data: dict, digest: str | None = None) -> PutResult:
    """Create or replace the audit `audit_id` from the phone's body (already parsed into types)."""
    digest = digest or body_digest(data)
    header = _resolve_header(user=user, data=data)
    org_id = header.membership.organization_id
    items = list(Item.objects.filter(version=header.version).order_by("section__position", "position", "id"))
    header_values = {"organization_id": org_id, "kind": data["kind"],
                     "visit_id": header.visit.pk if header.visit else None,
                     "journey_id": header.journey.pk, "checklist_version_id": header.version.pk}

    # The row a new audit is inserted as, complete (no UPDATE after the INSERT).
    fresh = Audit(**header_values, auditor=user)
    _fill(fresh, header=header, data=data, digest=digest)
    defaults = {field.attname: getattr(fresh, field.attname) for field in Audit._meta.concrete_fields
                if field.attname not in ("id", "created_at", "updated_at")}

    with transaction.atomic():
        audit, created = Audit.objects.select_for_update().get_or_create(pk=audit_id, defaults=defaults)
        if not created:
            if audit.auditor_id != user.pk:
                refuse_other_users_audit(user=user, audit_id=audit_id)
            if audit.organization_id != org_id:
                raise NotFound("Not found: it does not exist, or it is not yours to see.")
            if data["revision"] < audit.revision:
                return PutResult(audit=audit, created=False, stored=False)  # an older copy never wins
            if digest == audit.body_sha256:
                return PutResult(audit=audit, created=False, stored=True)  # the same body again: no change
            if audit.state in FROZEN_STATES:
                raise Conflict("This audit is submitted: it is frozen; reviewers correct it, with history.",
                               code="audit_frozen", extra={"revision": audit.revision, "state": audit.state})
            changed = [name for name in HEADER_FIELDS if getattr(audit, name) != header_values[name]]
            if changed:
                fields = {name.removesuffix("_id"): ["Cannot change once the audit exists."] for name in changed}
                raise ValidationFailed(_first_message(fields), fields=fields)

        if header.visit is not None and header.visit.status in (VisitStatus.CANCELLED, VisitStatus.APPROVED):
            # Checked only now: a re-send or an older copy of an audit already approved is still answered above.
            raise ValidationFailed(f"visit: this visit is {header.visit.status}.",
                                   fields={"visit": [f"This visit is {header.visit.status}."]})
        uses_friction = any(item.kind == "friction" for item in items)
        tags = friction_tags(org_id=org_id, audit_id=audit.pk, existing=not created) if uses_friction else {}
        photo_counts = _photo_counts(audit.pk) if (not created and data["state"] == AuditState.SUBMITTED) else {}
        errors = _check_responses(data=data, items=items, tags=tags, photo_counts=photo_counts)
        steps = set()
        if data.get("expectations"):
            steps = set(Step.objects.filter(journey=header.journey).values_list("pk", flat=True))
            errors.update(_check_expectations(data=data, steps=steps))
        if data.get("expectations") and data["kind"] != AuditKind.SELF:
            errors["expectations"] = ["Only self-audits record expectations."]
        if data["state"] == AuditState.SUBMITTED and header.visit is not None and data.get("checkin") is None:
            errors["checkin"] = ["Check in at the location before submitting."]
        if errors:
            raise ValidationFailed(_first_message(errors), fields=errors)

        _write(audit=audit, header=header, data=data, items=items, tags=tags, digest=digest, created=created)
        return PutResult(audit=audit, created=created, stored=True)


def _fill(audit: Audit, *, header: Header, data: dict, digest: str) -> None:
    """The audit's own fields from the phone's body (not saved)."""
    if data["state"] == AuditState.SUBMITTED:
        audit.state = AuditState.SUBMITTED
    elif audit.state != AuditState.RETURNED:
        audit.state = AuditState.DRAFT  # a returned audit stays returned until it is submitted again
    audit.revision = data["revision"]
    audit.body_sha256 = digest
    audit.persona = header.persona
    audit.location = header.visit.location if header.visit else None
    audit.started_at = data.get("started_at")
    audit.submitted_at = (data.get("submitted_at") or timezone.now()) if audit.state == AuditState.SUBMITTED else None
    _apply_checkin(audit, data.get("checkin"), header.visit)


def _write(*, audit: Audit, header: Header, data: dict, items: list[Item], tags: dict[str, FrictionTag],
           digest: str, created: bool) -> None:
    submitting = data["state"] == AuditState.SUBMITTED
    if not created:
        _fill(audit, header=header, data=data, digest=digest)
        audit.save()

    by_id = {item.pk: item for item in items}
    if not created:
        Response.objects.filter(audit=audit).delete()  # friction marks go with them
        Expectation.objects.filter(audit=audit).delete()
    responses, marks = [], []
    for body in data["responses"]:
        item = by_id[body["item"]]
        number, text = typed_copies(item.kind, body["value"])
        response = Response(id=body["id"], organization_id=audit.organization_id, audit=audit, item=item,
                            step_id=item.step_id, kind=item.kind, value=body["value"], number=number, text=text,
                            detail=body.get("detail"), note=body.get("note") or "")
        responses.append(response)
        marks.extend(friction_marks(response=response, tags=tags))
    try:
        Response.objects.bulk_create(responses)
    except IntegrityError as exc:
        # The primary key says it: a response id this phone made is already another audit's.
        raise ValidationFailed("responses: a response id is already used by another audit.",
                               fields={"responses": ["A response id is already used by another audit."]}) from exc
    FrictionMark.objects.bulk_create(marks)
    if audit.kind == AuditKind.SELF:
        Expectation.objects.bulk_create(
            Expectation(organization_id=audit.organization_id, audit=audit, step_id=e["step"],
                        level=e.get("level"), effort=e.get("effort")) for e in data.get("expectations") or [])

    visit = header.visit
    if visit is not None:
        target = None
        if submitting and visit.status in (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED):
            target = VisitStatus.SUBMITTED
        elif not submitting and visit.status == VisitStatus.SCHEDULED:
            target = VisitStatus.IN_PROGRESS
        if target:
            visit.status = target
            visit.save(update_fields=["status", "updated_at"])


# ---- the sync feed ---------------------------------------------------------------------------------

#: The cursor looks back this far: a row committed by a transaction that started before the last
#: answer (its updated_at is older than the cursor) is still sent. Repeats are harmless (the phone
#: merges by id).
CURSOR_OVERLAP = timedelta(seconds=30)


def encode_cursor(moment: datetime) -> str:
    return base64.urlsafe_b64encode(f"t1:{moment.isoformat()}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment = datetime.fromisoformat(text.removeprefix("t1:")) if text.startswith("t1:") else None
    except (ValueError, UnicodeDecodeError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed("since: not a cursor this server gave; sync from the start (leave it out).",
                               fields={"since": ["Not a cursor this server gave."]})
    return moment - CURSOR_OVERLAP


def sync_feed(*, user: User, membership: Membership, since: str | None) -> dict:
    """What changed for `user` in one organization since the cursor, in a constant number of queries:
    their visits (and the journeys, checklist versions, scenarios and locations those need), personas
    and friction tags, and the server's state of each of their audits and photos. Executives, managers
    and owners also get every journey with a published checklist, for self-audits. Journeys and versions
    are rows prepared for their serializers; everything else is plain data."""
    from audits.checklists.publish import latest_version_ids, version_documents
    from audits.models import Location, Scenario
    from journeys.services import journey_documents

    now = timezone.now()
    after = decode_cursor(since)
    org_id = membership.organization_id

    def changed(qs, field="updated_at"):
        return qs if after is None else qs.filter(**{f"{field}__gte": after})

    visits = list(Visit.objects.filter(organization_id=org_id, auditor=user).select_related("wave")
                  .filter(Q(pk__in=changed(Visit.objects.filter(organization_id=org_id, auditor=user)).values("pk"))
                          | Q(wave__in=changed(Wave.objects.filter(organization_id=org_id)).values("pk")))
                  .order_by("window_start", "pk"))
    new_visits = visits if after is None else [v for v in visits if v.updated_at >= after]
    open_visits = Visit.objects.filter(organization_id=org_id, auditor=user).exclude(
        status__in=[VisitStatus.APPROVED, VisitStatus.CANCELLED])

    self_audits = membership.role in (Role.EXECUTIVE, Role.MANAGER, Role.OWNER)
    latest = latest_version_ids(org_id)

    journey_ids = {v.wave.journey_id for v in new_visits}
    visit_versions = {v.wave.checklist_version_id for v in new_visits}
    version_ids = set(visit_versions)
    journeys_qs = Journey.objects.filter(organization_id=org_id)
    if self_audits:
        wanted = Q(pk__in=journey_ids) | Q(pk__in=latest)
        journeys_qs = journeys_qs.filter(wanted if after is None else (Q(pk__in=journey_ids) | Q(
            pk__in=latest, updated_at__gte=after)))
        version_ids |= {vid for jid, vid in latest.items()}
        if after is not None:  # versions are immutable: only those published since are new
            version_ids = version_ids - set(ChecklistVersion.objects.filter(
                pk__in=version_ids - visit_versions, published_at__lt=after).values_list("pk", flat=True))
    else:
        journeys_qs = journeys_qs.filter(Q(pk__in=journey_ids) | Q(
            pk__in=open_visits.values("wave__journey_id"), **({} if after is None else {"updated_at__gte": after})))
    # Documents in the journeys/checklists API's own shape (the PWA reads both the same way).
    journeys = list(journey_documents(journeys_qs).order_by("name", "pk"))
    versions = list(version_documents(ChecklistVersion.objects.filter(organization_id=org_id, pk__in=version_ids))
                    .order_by("pk"))

    scenario_ids = {v.scenario_id for v in visits if v.scenario_id}
    scenarios = changed(Scenario.objects.filter(organization_id=org_id)).filter(
        Q(pk__in=scenario_ids) | Q(pk__in=open_visits.values("scenario_id")))
    location_ids = {v.location_id for v in visits}
    locations = changed(Location.objects.filter(organization_id=org_id)).filter(
        Q(pk__in=location_ids) | Q(pk__in=open_visits.values("location_id")))
    personas = Persona.objects.filter(organization_id=org_id).order_by("tier_rank", "name")
    tags = FrictionTag.objects.usable_by(org_id).order_by("position", "code")
    audits = changed(Audit.objects.filter(organization_id=org_id, auditor=user)).values("id", "revision", "state")
    photos = changed(Photo.objects.filter(organization_id=org_id, audit__auditor=user)).values("id", "sha256", "state")

    return {
        "cursor": encode_cursor(now),
        "visits": [{"id": v.pk, "wave": v.wave_id, "location": v.location_id, "scenario": v.scenario_id,
                    "journey": v.wave.journey_id, "checklist_version": v.wave.checklist_version_id,
                    "persona": v.wave.persona_id, "window_start": v.window_start, "window_end": v.window_end,
                    "status": v.status, "review_comment": v.review_comment} for v in visits],
        "journeys": journeys,  # Journey rows: the API serialises them (JourneySerializer)
        "checklist_versions": versions,  # ChecklistVersion rows (ChecklistVersionSerializer)
        "scenarios": [{"id": s.pk, "title": s.title, "brief": s.brief} for s in scenarios],
        "locations": [{"id": loc.pk, "name": loc.name, "address": loc.address,
                       "latitude": None if loc.latitude is None else float(loc.latitude),
                       "longitude": None if loc.longitude is None else float(loc.longitude),
                       "timezone": loc.timezone} for loc in locations],
        "personas": [{"id": p.pk, "name": p.name, "tier": p.tier, "is_ordinary": p.is_ordinary} for p in personas],
        "friction_tags": [{"code": t.code, "label": t.label, "description": t.description,
                           "retired": t.retired_at is not None} for t in tags],
        "audits": [{"id": str(a["id"]), "revision": a["revision"], "state": a["state"]} for a in audits],
        "photos": [{"id": str(p["id"]), "sha256": p["sha256"], "state": p["state"]} for p in photos],
    }
