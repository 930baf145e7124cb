"""The phone's audit upsert: `audit_put`, behind `PUT /api/v1/audits/{uuid}`.

The phone makes the id and counts revisions; the row lock (taken by `select_for_update().get_or_create`,
whose insert races are decided by the primary key) serialises concurrent copies of one audit, so an older
copy never overwrites a newer one and the same copy twice changes nothing. The header (organization, visit,
journey, checklist version, persona) is resolved through the caller's membership; every answer is checked
with the checklist rules, and every problem is named by the key convention of the API:

- `responses.<item id>.value`: the answer to that item (the checklist item's id, which the phone has) is
  refused; `responses.<item id>.item`: that item is not of this checklist, or answered twice;
  `responses.<item id>.<id|detail|note>`: that part of the answer is malformed;
- `responses.<item id>`: on submit, that item still needs an answer (or more photos);
- `expectations.<step id>.<step|level|effort>`: the same for a self-audit's expectations.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.access import DENIED, Action, membership_for, role_may
from accounts.errors import Conflict, FieldErrors, NotAllowed, NotFound, ValidationFailed
from accounts.models import Membership, User
from audits.checklists import rules
from audits.fieldwork.answers import friction_marks, friction_tags, typed_copies
from audits.fieldwork.geo import checkin_distance_m, is_far
from audits.fieldwork.visibility import seen_through
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
)
from journeys.models import FrictionTag, Journey, Persona, Step

#: A submitted or approved audit is frozen: the phone no longer changes it (reviewers correct it, with history).
FROZEN_STATES = (AuditState.SUBMITTED, AuditState.APPROVED)
HEADER_FIELDS = ("organization_id", "kind", "visit_id", "journey_id", "checklist_version_id")


# ---- the phone's body, as the API parsed it --------------------------------------------------------

class CheckinBody(TypedDict):
    at: datetime
    latitude: NotRequired[float | None]
    longitude: NotRequired[float | None]
    accuracy_m: NotRequired[float | None]
    position_status: str


class AnswerBody(TypedDict):
    id: uuid.UUID
    item: int
    value: Any
    detail: NotRequired[dict[str, Any] | None]
    note: NotRequired[str]


class ExpectationBody(TypedDict):
    step: int
    level: NotRequired[int | None]
    effort: NotRequired[int | None]


class AuditBody(TypedDict):
    """`PUT /api/v1/audits/{uuid}` once parsed (the wire shape is `audits.api.fieldwork.AuditBodySerializer`)."""

    organization: int
    visit: NotRequired[int | None]
    journey: int
    checklist_version: int
    persona: NotRequired[int | None]
    kind: str
    revision: int
    state: Literal["draft", "submitted"] | str
    started_at: NotRequired[datetime | None]
    submitted_at: NotRequired[datetime | None]
    checkin: NotRequired[CheckinBody | None]
    responses: list[AnswerBody]
    expectations: NotRequired[list[ExpectationBody]]


def body_digest(body: Any) -> str:
    """The same body, however its keys are ordered, has the same digest."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class PutResult:
    audit: Audit
    created: bool
    stored: bool


def refuse_other_users_audit(*, user: User, audit_id: uuid.UUID) -> None:
    """Before the body is even read: another user's audit is not found (or not yours to write)."""
    row = Audit.objects.filter(pk=audit_id).values("auditor_id").first()
    if row is None or row["auditor_id"] == user.pk:
        return
    if Audit.objects.visible_to(user).filter(pk=audit_id).exists():
        raise NotAllowed("Only the auditor who made this audit can send it; reviewers correct it instead.")
    raise NotFound()


# ---- the header ------------------------------------------------------------------------------------

@dataclass
class Header:
    membership: Membership
    visit: Visit | None
    journey: Journey
    version: ChecklistVersion
    persona: Persona | None


def _resolve_header(*, user: User, data: AuditBody) -> Header:
    membership = membership_for(user, data["organization"])
    if membership is None:
        raise ValidationFailed.field("organization", "Not an organization of yours.")
    if not role_may(membership.role, Action.WRITE_AUDITS):
        raise NotAllowed(DENIED[Action.WRITE_AUDITS])
    errors: FieldErrors = {}
    kind = data["kind"]
    visit_id, persona_id = data.get("visit"), data.get("persona")

    visit = None
    if visit_id is not None:
        visit = (seen_through(Visit.objects.all(), membership).filter(pk=visit_id, auditor=user)
                 .select_related("wave__persona", "location").first())
        if visit is None:
            errors["visit"] = ["Not a visit assigned to you."]
    if kind == AuditKind.SELF and visit_id is not None:
        errors["visit"] = ["A self-audit has no visit."]
    if kind == AuditKind.SELF and not role_may(membership.role, Action.SELF_AUDIT):
        errors["kind"] = [DENIED[Action.SELF_AUDIT]]

    journey = seen_through(Journey.objects.all(), membership).filter(pk=data["journey"]).first()
    if journey is None:
        errors["journey"] = ["Not a journey of this organization."]
    version = seen_through(ChecklistVersion.objects.all(), membership).filter(pk=data["checklist_version"]).first()
    if version is None:
        errors["checklist_version"] = ["Not a checklist version of this organization."]
    elif journey is not None and version.journey_id not in (None, journey.pk):
        errors["checklist_version"] = ["This checklist version is for another journey."]
    if visit is not None and version is not None and visit.wave.checklist_version_id != version.pk:
        errors["checklist_version"] = ["Not the checklist version of this visit's wave."]
    if visit is not None and journey is not None and visit.wave.journey_id != journey.pk:
        errors["journey"] = ["Not the journey of this visit's wave."]

    personas = seen_through(Persona.objects.all(), membership)
    persona = None
    if persona_id is not None:
        persona = personas.filter(pk=persona_id).first()
        if persona is None:
            errors["persona"] = ["Not a persona of this organization."]
    elif visit is not None:
        persona = visit.wave.persona
    elif kind == AuditKind.SELF and journey is not None:
        # Fly economy: without a choice, the ordinary tier of the journey's client (or of the organization).
        persona = (personas.filter(is_ordinary=True, client_id=journey.client_id).first()
                   or personas.filter(is_ordinary=True, client__isnull=True).first())
    if errors:
        raise ValidationFailed.from_fields(errors)
    assert journey is not None and version is not None
    return Header(membership=membership, visit=visit, journey=journey, version=version, persona=persona)


# ---- the answers -----------------------------------------------------------------------------------

def _check_responses(*, data: AuditBody, items: list[Item], tags: dict[str, FrictionTag] | None,
                     photo_counts: dict[str, int]) -> FieldErrors:
    errors: FieldErrors = {}
    by_id = {item.pk: item for item in items}
    answers: dict[str, Any] = {}
    given: dict[str, Any] = {}
    seen: set[int] = set()
    for response in data["responses"]:
        item_id = response["item"]
        item = by_id.get(item_id)
        if item is None:
            errors[f"responses.{item_id}.item"] = ["Not an item of this checklist version."]
            continue
        if item.pk in seen:
            errors[f"responses.{item_id}.item"] = ["This item is answered twice."]
            continue
        seen.add(item.pk)
        problems = rules.check_answer(item, response["value"],
                                      friction_tags=None if tags is None else set(tags))
        if problems:
            errors[f"responses.{item_id}.value"] = [f"{item.name}: {p}" for p in problems]
        else:
            answers[item.name] = response["value"]
        given[item.name] = response["value"]
    # Visibility from every answer given, valid or not: a bad answer is named once, not again through
    # the items it controls.
    shown = rules.visible_items(items, given)
    for response in data["responses"]:
        item = by_id.get(response["item"])
        if item is not None and item.name not in shown and response["value"] is not None:
            errors.setdefault(f"responses.{item.pk}.value", []).append(
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
            errors[f"responses.{item.pk}"] = [message]
    return errors


def _check_expectations(*, data: AuditBody, steps: set[int]) -> FieldErrors:
    errors: FieldErrors = {}
    seen: set[int] = set()
    for expectation in data.get("expectations") or []:
        step = expectation["step"]
        if step not in steps:
            errors[f"expectations.{step}.step"] = ["Not a step of this journey."]
        elif step in seen:
            errors[f"expectations.{step}.step"] = ["This step has two expectations."]
        seen.add(step)
        level, effort = expectation.get("level"), expectation.get("effort")
        if level is not None and not 1 <= level <= 5:
            errors[f"expectations.{step}.level"] = ["Must be from 1 to 5."]
        if effort is not None and not 1 <= effort <= 7:
            errors[f"expectations.{step}.effort"] = ["Must be from 1 to 7."]
    return errors


def _photo_counts(audit_id: uuid.UUID) -> dict[str, int]:
    rows = (Photo.objects.filter(audit_id=audit_id, item__isnull=False)
            .values("item__name").annotate(n=Count("id")))
    return {row["item__name"]: row["n"] for row in rows}


def _apply_checkin(audit: Audit, checkin: CheckinBody | None, visit: Visit | None) -> None:
    """The check-in's fields, with its distance from the visit's location (flagged when far, never refused)."""
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
    location = visit.location if visit is not None else None
    distance = None if location is None else checkin_distance_m(
        place=(location.latitude, location.longitude), position=(audit.checkin_latitude, audit.checkin_longitude))
    audit.checkin_distance_m = None if distance is None else round(distance, 1)
    audit.checkin_flagged = is_far(distance)


# ---- the upsert ------------------------------------------------------------------------------------

def audit_put(*, user: User, audit_id: uuid.UUID, data: AuditBody, digest: str | None = None) -> PutResult:
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
                raise NotFound()
            if data["revision"] < audit.revision:
                return PutResult(audit=audit, created=False, stored=False)  # an older copy never wins
            if digest == audit.body_sha256:
                return PutResult(audit=audit, created=False, stored=True)  # the same body again: no change
            if audit.state in FROZEN_STATES:
                raise Conflict("This audit is submitted: it is frozen; reviewers correct it, with history.",
                               code="audit_frozen", extra={"revision": audit.revision, "state": audit.state})
            changed = [name for name in HEADER_FIELDS if getattr(audit, name) != header_values[name]]
            if changed:
                raise ValidationFailed.from_fields(
                    {name.removesuffix("_id"): "Cannot change once the audit exists." for name in changed})

        if header.visit is not None and header.visit.status in (VisitStatus.CANCELLED, VisitStatus.APPROVED):
            # Checked only now: a re-send or an older copy of an audit already approved is still answered above.
            raise ValidationFailed.field("visit", f"This visit is {header.visit.status}.")
        uses_friction = any(item.kind == "friction" for item in items)
        tags = friction_tags(org_id=org_id, audit_id=audit.pk, existing=not created) if uses_friction else {}
        photo_counts = _photo_counts(audit.pk) if (not created and data["state"] == AuditState.SUBMITTED) else {}
        errors = _check_responses(data=data, items=items, tags=tags, photo_counts=photo_counts)
        if data.get("expectations"):
            steps = set(Step.objects.filter(journey=header.journey).values_list("pk", flat=True))
            errors.update(_check_expectations(data=data, steps=steps))
        if data.get("expectations") and data["kind"] != AuditKind.SELF:
            errors["expectations"] = ["Only self-audits record expectations."]
        if data["state"] == AuditState.SUBMITTED and header.visit is not None and data.get("checkin") is None:
            errors["checkin"] = ["Check in at the location before submitting."]
        if errors:
            raise ValidationFailed.from_fields(errors)

        _write(audit=audit, header=header, data=data, items=items, tags=tags, digest=digest, created=created)
        return PutResult(audit=audit, created=created, stored=True)


def _fill(audit: Audit, *, header: Header, data: AuditBody, digest: str) -> None:
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


def _write(*, audit: Audit, header: Header, data: AuditBody, items: list[Item], tags: dict[str, FrictionTag],
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
        raise ValidationFailed.field("responses", "A response id is already used by another audit.") from exc
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
