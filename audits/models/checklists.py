"""Checklist templates: edited as a draft document, published as immutable numbered versions whose
sections and items audits point at; and scenarios (the brief a mystery shopper follows)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from accounts.tenancy import Role, TenantModel, TenantQuerySet


class VersionQuerySet(TenantQuerySet):
    viewer_client_field = "template__client_id"


class FieldworkOnlyQuerySet(TenantQuerySet):
    """Drafts and mystery-shopper briefs are the consultancy's working material: members read them,
    client viewers (who read their brand's reports, nothing else) do not."""

    hidden_from = frozenset({Role.CLIENT_VIEWER})


class ItemKind(models.TextChoices):
    SCORE = "score", "Score on a scale"
    YES_NO = "yes_no", "Yes / no / not applicable"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    NUMBER = "number", "Number"
    DURATION = "duration", "Duration (seconds)"
    TEXT = "text", "Text"
    PHOTO = "photo", "Photo"
    SIGNATURE = "signature", "Signature"
    EFFORT = "effort", "Customer effort (1–7)"
    DELIVERED_LEVEL = "delivered_level", "Delivered level against the promise (1–5)"
    OUTCOME = "outcome", "Outcome (done / with help / gave up)"
    FRICTION = "friction", "Friction tags with severity"


class TemplateStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class ChecklistTemplate(TenantModel):
    """The editable side. `draft` is the whole definition as one document (sections, items, choices),
    the same shape the spreadsheet import/export and the API use; publishing freezes it as a version."""

    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="checklist_templates")
    journey = models.ForeignKey("journeys.Journey", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="checklist_templates")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.ACTIVE)
    draft = models.JSONField(default=dict, blank=True)
    draft_changed = models.BooleanField(default=True, help_text="The draft differs from the latest version.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FieldworkOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(TenantModel):
    """A published, immutable version. Audits always point at the version they were made with."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    journey = models.ForeignKey("journeys.Journey", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="checklist_versions")
    definition = models.JSONField(default=dict, help_text="The draft document as published (for export).")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Section(TenantModel):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Item(TenantModel):
    """One question of a published version. `options` by kind: score {min, max, labels}; single/multi
    choice {choices: [{value, label}]}; number {unit, min, max}; duration {measure: time_on_step|wait};
    photo {min_count}. `shown_when` is {"item": other item's name, "equals": value} or null."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    name = models.SlugField(max_length=80)
    label = models.CharField(max_length=300)
    help = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    required = models.BooleanField(default=False)
    critical = models.BooleanField(default=False, help_text="A fail fails the section.")
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    options = models.JSONField(default=dict, blank=True)
    shown_when = models.JSONField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="item_unique_name_in_version"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="item_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Scenario(TenantModel):
    """The brief a mystery shopper follows ("ask to return a gift without a receipt")."""

    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="scenarios")
    journey = models.ForeignKey("journeys.Journey", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="scenarios")
    title = models.CharField(max_length=200)
    brief = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = FieldworkOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
