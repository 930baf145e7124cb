"""Writes on checklist templates: create, edit the draft, delete, and publish the draft as an immutable,
numbered version (with its sections and items). Each is one keyword-only function in one transaction;
the draft is validated (`audits.checklists.draft`) on every write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.errors import Conflict, ValidationFailed
from accounts.models import Client, Organization, User
from audits.checklists.draft import validated_draft
from audits.checklists.selectors import latest_definition
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Section
from journeys.models import Journey


@transaction.atomic
def template_create(*, organization: Organization, name: str, client: Client | None = None,
                    journey: Journey | None = None, description: str = "", status: str = "active",
                    draft: Any = None) -> ChecklistTemplate:
    normalized = validated_draft(draft, journey_id=journey.pk if journey else None)
    return ChecklistTemplate.objects.create(organization=organization, client=client, journey=journey, name=name,
                                            description=description, status=status, draft=normalized,
                                            draft_changed=True)


@transaction.atomic
def template_update(*, template: ChecklistTemplate, **changes: Any) -> ChecklistTemplate:
    """Change the template's fields and its draft; published versions never change."""
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    for field, value in changes.items():
        setattr(template, field, value)
    template.draft = validated_draft(template.draft, journey_id=template.journey_id)
    latest = latest_definition(template)
    template.draft_changed = latest is None or latest != template.draft
    template.save()
    return template


def template_delete(*, template: ChecklistTemplate) -> None:
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as exc:
        raise Conflict("This template has published versions; archive it instead (status: archived).",
                       code="template_published") from exc


def template_publish(*, template: ChecklistTemplate, user: User | None = None) -> ChecklistVersion:
    """Freeze the draft as the next numbered version, with its sections and items, in one transaction."""
    try:
        with transaction.atomic():
            return _publish(template, user)
    except IntegrityError as exc:  # two publishes at once: the version number is unique per template
        raise Conflict("Another publish of this template happened at the same time; reload and try again.",
                       code="publish_conflict") from exc


def _publish(template: ChecklistTemplate, user: User | None) -> ChecklistVersion:
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    definition = validated_draft(template.draft, journey_id=template.journey_id)
    if not any(section["items"] for section in definition["sections"]):
        raise ValidationFailed.field("draft.sections", "Add at least one item before publishing.")
    latest = template.versions.order_by("-number").first()
    if latest is not None and latest.definition == definition and latest.journey_id == template.journey_id:
        raise Conflict(f"Nothing changed since version {latest.number}.", code="nothing_to_publish",
                       extra={"version": latest.pk})
    org_id = template.organization_id
    version = ChecklistVersion.objects.create(
        organization_id=org_id, template=template, number=latest.number + 1 if latest else 1, title=template.name,
        journey_id=template.journey_id, definition=definition, published_by=user)
    sections = Section.objects.bulk_create([
        Section(organization_id=org_id, version=version, title=s["title"], step_id=s["step"], position=position)
        for position, s in enumerate(definition["sections"])])
    Item.objects.bulk_create([
        Item(organization_id=org_id, version=version, section=section, name=item["name"], label=item["label"],
             help=item["help"], kind=item["kind"], required=item["required"], critical=item["critical"],
             weight=Decimal(str(item["weight"])), step_id=item["step"] or s["step"], options=item["options"],
             shown_when=item["shown_when"], position=position)
        for section, s in zip(sections, definition["sections"], strict=True)
        for position, item in enumerate(s["items"])])
    template.draft = definition
    template.draft_changed = False
    template.save(update_fields=["draft", "draft_changed", "updated_at"])
    return version
