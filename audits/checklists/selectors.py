"""Reads of checklists: templates with their latest version, published versions as whole documents,
and each journey's latest version."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import User
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Section
from journeys.selectors import LATEST_VERSION_FIRST


def template_rows(user: User | AnonymousUser | None) -> QuerySet[ChecklistTemplate]:
    """The templates `user` may see, each with its latest version (`latest_version_id`, `latest_version_number`)."""
    latest = ChecklistVersion.objects.filter(template=OuterRef("pk")).order_by("-number")
    return ChecklistTemplate.objects.visible_to(user).annotate(
        latest_version_id=Subquery(latest.values("id")[:1]),
        latest_version_number=Subquery(latest.values("number")[:1]))


def latest_definition(template: ChecklistTemplate) -> dict[str, Any] | None:
    """The definition of the template's latest published version (None before the first publish)."""
    return template.versions.order_by("-number").values_list("definition", flat=True).first()


def version_documents(queryset: QuerySet[ChecklistVersion] | None = None) -> QuerySet[ChecklistVersion]:
    """Versions ready to serialise with their sections and items: three queries whatever their size."""
    queryset = ChecklistVersion.objects.all() if queryset is None else queryset
    items = Item.objects.order_by("position", "id")
    sections = Section.objects.order_by("position", "id").prefetch_related(Prefetch("items", queryset=items))
    return queryset.prefetch_related(Prefetch("sections", queryset=sections))


def latest_version_ids(organization_id: int) -> dict[int, int]:
    """Journey id -> the id of its latest published checklist version, for one organization."""
    latest: dict[int, int] = {}
    for journey_id, version_id in (ChecklistVersion.objects
                                   .filter(organization_id=organization_id, journey__isnull=False)
                                   .order_by("journey_id", *LATEST_VERSION_FIRST).values_list("journey_id", "pk")):
        latest.setdefault(journey_id, version_id)
    return latest
