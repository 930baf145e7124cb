"""Writes on the map: a journey is written as one document (stages and steps nested), and friction
tags are added, retired and restored. Each write is one function, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.errors import Conflict, NotAllowed, ValidationFailed
from accounts.models import Client, Organization, User
from journeys.models import FrictionTag, Journey, Stage, Step
from journeys.selectors import step_ids_in_use

STEP_FIELDS = ["name", "touchpoint", "channel", "promise_level", "promise_text", "reach", "expected_seconds",
               "moment_of_truth"]
MAX_STEPS = 1000


# ---- journey document -------------------------------------------------------------------------

def _check_ids(stages: Sequence[dict[str, Any]], stage_ids: set[int], step_ids: set[int]) -> None:
    """Ids in the document must be this journey's own, each once; rows without an id are new."""
    errors: dict[str, list[str]] = {}
    seen_stages: set[int] = set()
    seen_steps: set[int] = set()
    count = 0
    for i, stage in enumerate(stages):
        sid = stage.get("id")
        if sid is not None:
            if sid not in stage_ids:
                errors[f"stages.{i}.id"] = [f"This journey has no stage {sid}; leave the id out for a new stage."]
            elif sid in seen_stages:
                errors[f"stages.{i}.id"] = [f"Stage {sid} appears twice."]
            seen_stages.add(sid)
        for j, step in enumerate(stage.get("steps", [])):
            count += 1
            pid = step.get("id")
            if pid is None:
                continue
            if pid not in step_ids:
                errors[f"stages.{i}.steps.{j}.id"] = [
                    f"This journey has no step {pid}; leave the id out for a new step."]
            elif pid in seen_steps:
                errors[f"stages.{i}.steps.{j}.id"] = [f"Step {pid} appears twice."]
            seen_steps.add(pid)
    if count > MAX_STEPS:
        errors["stages"] = [f"A journey has at most {MAX_STEPS} steps ({count} sent)."]
    if errors:
        raise ValidationFailed.from_fields(errors)


@transaction.atomic
def journey_write(*, journey: Journey | None, client: Client, name: str, description: str = "",
                  stages: Sequence[dict[str, Any]], user: User | None = None) -> Journey:
    """Create a journey, or replace one with the document given, in one transaction.

    The order of `stages` and of each stage's `steps` is the order of the journey (positions are
    rewritten from it). A stage or step sent with its `id` keeps it (and everything that refers to
    it); one without an id is new, and steps may move between stages. Stages and steps left out are
    deleted, except steps something refers to (checklist items, responses…): those are archived, and
    so is a left-out stage that still holds one. Sending an archived row's id brings it back.
    """
    if journey is None:
        journey = Journey.objects.create(organization_id=client.organization_id, client=client, name=name,
                                         description=description, updated_by=user)
        existing_stages: dict[int, Stage] = {}
        existing_steps: dict[int, Step] = {}
    else:
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if client.organization_id != journey.organization_id:
            raise ValidationFailed.from_fields(
                {"client": "Belongs to another organization."},
                message="client: A journey cannot move to another organization's client.")
        journey.client, journey.name, journey.description, journey.updated_by = client, name, description, user
        journey.save(update_fields=["client", "name", "description", "updated_by", "updated_at"])
        existing_stages = {s.pk: s for s in Stage.objects.filter(journey=journey)}
        existing_steps = {s.pk: s for s in Step.objects.filter(journey=journey)}
    _check_ids(stages, set(existing_stages), set(existing_steps))

    org_id = journey.organization_id
    stage_rows: list[Stage] = []
    kept_stages: list[Stage] = []
    new_stages: list[Stage] = []
    for position, data in enumerate(stages):
        stage = existing_stages.get(data.get("id", 0)) or Stage(organization_id=org_id, journey=journey)
        stage.name, stage.position, stage.archived = data["name"], position, False
        stage_rows.append(stage)
        (kept_stages if stage.pk else new_stages).append(stage)
    Stage.objects.bulk_create(new_stages)
    Stage.objects.bulk_update(kept_stages, ["name", "position", "archived"])

    kept_steps: list[Step] = []
    new_steps: list[Step] = []
    for stage, data in zip(stage_rows, stages, strict=True):
        for position, step_data in enumerate(data.get("steps", [])):
            step = existing_steps.get(step_data.get("id", 0)) or Step(organization_id=org_id, journey=journey)
            for field in STEP_FIELDS:
                if field in step_data:
                    setattr(step, field, step_data[field])
            step.stage, step.position, step.archived = stage, position, False
            (kept_steps if step.pk else new_steps).append(step)
    Step.objects.bulk_create(new_steps)
    Step.objects.bulk_update(kept_steps, [*STEP_FIELDS, "stage", "position", "archived"])

    removed_steps = set(existing_steps) - {s.pk for s in kept_steps}
    in_use = step_ids_in_use(removed_steps)
    Step.objects.filter(pk__in=removed_steps - in_use).delete()
    Step.objects.filter(pk__in=in_use).update(archived=True)

    removed_stages = set(existing_stages) - {s.pk for s in stage_rows}
    holding = set(Step.objects.filter(stage_id__in=removed_stages).values_list("stage_id", flat=True))
    Stage.objects.filter(pk__in=removed_stages - holding).delete()
    Stage.objects.filter(pk__in=holding).update(archived=True)
    return journey


def journey_delete(*, journey: Journey) -> None:
    try:
        with transaction.atomic():
            journey.delete()
    except ProtectedError as exc:
        raise Conflict("This journey has audits, waves or published checklists; it cannot be deleted.",
                       code="journey_in_use") from exc


# ---- friction tags ----------------------------------------------------------------------------

def require_own_tag(tag: FrictionTag) -> None:
    """Built-in tags are read only (NotAllowed); an organization's own tags change."""
    if tag.organization_id is None:
        raise NotAllowed("Built-in friction tags cannot be changed; add a tag of your own instead.",
                         code="builtin_tag")


@transaction.atomic
def friction_tag_create(*, organization: Organization, code: str, label: str, description: str = "",
                        example: str = "", position: int = 100) -> FrictionTag:
    if FrictionTag.objects.filter(organization__isnull=True, code=code).exists():
        raise ValidationFailed.field("code", f'"{code}" is a built-in friction tag.')
    if FrictionTag.objects.filter(organization=organization, code=code).exists():
        raise ValidationFailed.field("code", f'Your organization already has a tag "{code}" (retired tags count: '
                                             "restore it).")
    return FrictionTag.objects.create(organization=organization, code=code, label=label, description=description,
                                      example=example, position=position)


@transaction.atomic
def friction_tag_update(*, tag: FrictionTag, **changes: Any) -> FrictionTag:
    """Label, description, example and position change; the code never does (old marks keep it)."""
    require_own_tag(tag)
    for field, value in changes.items():
        setattr(tag, field, value)
    tag.save(update_fields=list(changes))
    return tag


@transaction.atomic
def friction_tag_retire(*, tag: FrictionTag) -> FrictionTag:
    """A retired tag stays on old walks and in reports, and can no longer be chosen."""
    require_own_tag(tag)
    if tag.retired_at is None:
        tag.retired_at = timezone.now()
        tag.save(update_fields=["retired_at"])
    return tag


@transaction.atomic
def friction_tag_restore(*, tag: FrictionTag) -> FrictionTag:
    require_own_tag(tag)
    if tag.retired_at is not None:
        tag.retired_at = None
        tag.save(update_fields=["retired_at"])
    return tag


@transaction.atomic
def friction_tag_delete(*, tag: FrictionTag) -> None:
    require_own_tag(tag)
    if tag.marks.exists():
        raise Conflict("This tag is on recorded walks; retire it instead.", code="tag_in_use")
    tag.delete()

