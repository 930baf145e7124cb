"""Reads of the map: journeys as documents, a journey's live steps, the steps something refers to, and
the friction tags an organization may use."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import ForeignObjectRel, OuterRef, Prefetch, QuerySet, Subquery

from journeys.models import FrictionTag, Journey, Stage, Step

#: "A journey's checklist version", wherever it is asked for, is its latest published one.
LATEST_VERSION_FIRST = ("-published_at", "-id")

#: A journey's steps in the order a customer meets them: stage by stage, then within the stage.
JOURNEY_ORDER = ("stage__position", "stage_id", "position", "id")


def journey_documents(queryset: QuerySet[Journey] | None = None) -> QuerySet[Journey]:
    """Journeys ready to serialise as documents in three queries whatever their size: the journeys
    (with their latest published checklist version), their live stages, their live steps."""
    queryset = Journey.objects.all() if queryset is None else queryset
    # The checklist versions (a higher floor) point at the journey: reached through that relation, not imported.
    versions = Journey._meta.get_field("checklist_versions").related_model
    assert versions is not None and not isinstance(versions, str)
    latest = versions._default_manager.filter(journey=OuterRef("pk")).order_by(*LATEST_VERSION_FIRST).values("id")
    steps = Step.objects.filter(archived=False).order_by("position", "id")
    stages = Stage.objects.filter(archived=False).order_by("position", "id").prefetch_related(
        Prefetch("steps", queryset=steps))
    return queryset.annotate(checklist_version=Subquery(latest[:1])).prefetch_related(
        Prefetch("stages", queryset=stages))


def live_steps(journey_id: int) -> QuerySet[Step]:
    """The steps of a journey that are not archived, in journey order, each with its stage."""
    return (Step.objects.filter(journey_id=journey_id, archived=False).select_related("stage")
            .order_by(*JOURNEY_ORDER))


def live_step_ids(journey_id: int | None) -> set[int] | None:
    """The ids of a journey's live steps (None for no journey: then no step can be named)."""
    if journey_id is None:
        return None
    return set(Step.objects.filter(journey_id=journey_id, archived=False).values_list("pk", flat=True))


def step_ids_in_use(step_ids: Iterable[int]) -> set[int]:
    """Steps something else points at (checklist sections and items, responses, friction marks,
    expectations, and whatever comes later): those are archived, never deleted."""
    step_ids = list(step_ids)
    if not step_ids:
        return set()
    used: set[int] = set()
    relations = [f for f in Step._meta.get_fields(include_hidden=True) if isinstance(f, ForeignObjectRel)]
    for relation in relations:  # hidden ones too (related_name="+": checklist sections and items)
        model, field = relation.related_model, relation.field
        used.update(model._base_manager.filter(**{f"{field.name}__in": step_ids})
                    .values_list(field.attname, flat=True).distinct())
    return used


def usable_friction_tag_codes(organization_id: int) -> set[str]:
    """Codes an organization may tag new friction with: built-in and its own, not retired."""
    return set(FrictionTag.objects.usable_by(organization_id).filter(retired_at__isnull=True)
               .values_list("code", flat=True))
