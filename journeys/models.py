"""The map: journeys, stages and steps (touchpoints and channels, promises, reach), personas and
their tiers, and the friction taxonomy."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.tenancy import ClientScopedQuerySet, TenantModel, TenantQuerySet


class Channel(models.TextChoices):
    IN_STORE = "in_store", "In store"
    WEB = "web", "Web"
    APP = "app", "App"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    KIOSK = "kiosk", "Kiosk"
    OTHER = "other", "Other"


class Severity(models.IntegerChoices):
    ANNOYANCE = 1, "Annoyance"
    OBSTACLE = 2, "Obstacle (needed effort or help)"
    BLOCKER = 3, "Blocker (could not go on, or gave up)"


class FrictionTagQuerySet(TenantQuerySet):
    def for_membership(self, membership):
        # Built-in tags (no organization) are everyone's; an organization's own tags are its members'.
        return models.Q(organization__isnull=True) | models.Q(organization_id=membership.organization_id)

    def usable_by(self, organization_id: int) -> FrictionTagQuerySet:
        return self.filter(models.Q(organization__isnull=True) | models.Q(organization_id=organization_id))


class FrictionTag(TenantModel):
    """A kind of friction. Built-in tags have no organization; retired tags stay readable on old data."""

    # Nullable, unlike every other tenant row: built-in tags belong to no organization.
    organization = models.ForeignKey(  # type: ignore[assignment]
        "accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: built into Touchpoint.")
    code = models.SlugField(max_length=50)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    example = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = FrictionTagQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="friction_tag_unique_code"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(organization__isnull=True),
                                    name="friction_tag_unique_builtin_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Persona(TenantModel):
    """Who walks: an ordinary customer ("economy") or a premium one ("first class")."""

    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="personas")
    name = models.CharField(max_length=120)
    tier = models.SlugField(max_length=50, help_text="e.g. economy, business, first")
    tier_rank = models.PositiveSmallIntegerField(default=0, help_text="0 is the ordinary tier; higher pays more.")
    is_ordinary = models.BooleanField(default=False, help_text="The persona most customers are.")
    description = models.TextField(blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tier_rank", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tier})"


class Journey(TenantModel):
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="journeys")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(TenantModel):
    """A phase of the journey. A stage removed from the journey while it still holds steps that audits
    or checklists refer to is archived with them, never deleted."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["journey", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Step(TenantModel):
    """One touchpoint of the journey. Steps referenced by audits are never deleted: they are archived."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=200)
    touchpoint = models.CharField(max_length=200, blank=True, help_text="What the customer meets: a kiosk, an SMS bot…")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.IN_STORE)
    promise_level = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The level a customer is led to expect, 1–5.")
    promise_text = models.CharField(max_length=300, blank=True)
    reach = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("1"),
                                validators=[MinValueValidator(0), MaxValueValidator(1)],
                                help_text="Share of customers who pass this step, 0–1.")
    expected_seconds = models.PositiveIntegerField(null=True, blank=True)
    moment_of_truth = models.BooleanField(default=False, help_text="Peak or end: weighted more in rankings.")
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["journey", "stage__position", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(promise_level__gte=1, promise_level__lte=5),
                                   name="step_promise_level_1_5"),
            models.CheckConstraint(condition=models.Q(reach__gte=0, reach__lte=1), name="step_reach_0_1"),
        ]

    def __str__(self) -> str:
        return self.name
