"""Fieldwork: locations, waves and visits; audits (made on the phone, synced by client UUID), their
responses, friction marks, expectations (self-audits), photos, and the history of every change
after submission."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from accounts.tenancy import ClientScopedQuerySet, Role, TenantModel, TenantQuerySet


class Location(TenantModel):
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WaveStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Wave(TenantModel):
    """A round of audits for a client: a journey, a published checklist version, a persona, a period."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="waves")
    journey = models.ForeignKey("journeys.Journey", on_delete=models.PROTECT, related_name="waves")
    checklist_version = models.ForeignKey("audits.ChecklistVersion", on_delete=models.PROTECT, related_name="waves")
    persona = models.ForeignKey("journeys.Persona", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="waves")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=20, choices=WaveStatus.choices, default=WaveStatus.PLANNED)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="wave_period_in_order")]

    def __str__(self) -> str:
        return self.name


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    RETURNED = "returned", "Returned to the auditor"
    APPROVED = "approved", "Approved"
    CANCELLED = "cancelled", "Cancelled"


class VisitQuerySet(TenantQuerySet):
    """Auditors read their own visits; executives walk self-audits, client viewers read reports: no visits."""

    hidden_from = frozenset({Role.EXECUTIVE, Role.CLIENT_VIEWER})
    own_rows_of = frozenset({Role.AUDITOR})
    own_rows_field = "auditor_id"


class Visit(TenantModel):
    """One assignment in a wave: a location, a scenario, an auditor and a time window."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="visits")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="visits")
    scenario = models.ForeignKey("audits.Scenario", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="visits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="visits")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    review_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["window_start", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(window_end__gt=models.F("window_start")),
                                              name="visit_window_in_order")]

    def __str__(self) -> str:
        return f"{self.location} {self.window_start:%Y-%m-%d}"


class AuditKind(models.TextChoices):
    VISIT = "visit", "Field visit"
    SELF = "self", "Self-audit (flying economy)"


class AuditState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"


class AuditQuerySet(TenantQuerySet):
    """Auditors and executives read their own walks; client viewers read reports, never raw audits."""

    hidden_from = frozenset({Role.CLIENT_VIEWER})
    own_rows_of = frozenset({Role.AUDITOR, Role.EXECUTIVE})
    own_rows_field = "auditor_id"


class Audit(TenantModel):
    """A walk. Its id is made on the phone; `PUT /api/v1/audits/{id}` is an idempotent upsert."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=AuditKind.choices, default=AuditKind.VISIT)
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="audits")
    journey = models.ForeignKey("journeys.Journey", on_delete=models.PROTECT, related_name="audits")
    checklist_version = models.ForeignKey("audits.ChecklistVersion", on_delete=models.PROTECT, related_name="audits")
    persona = models.ForeignKey("journeys.Persona", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="audits")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits")
    state = models.CharField(max_length=20, choices=AuditState.choices, default=AuditState.DRAFT, db_index=True)
    revision = models.PositiveIntegerField(default=0, help_text="The phone's counter; an older copy never wins.")
    body_sha256 = models.CharField(max_length=64, blank=True, help_text="Of the last body stored (idempotency).")
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    checkin_at = models.DateTimeField(null=True, blank=True)
    checkin_latitude = models.FloatField(null=True, blank=True)
    checkin_longitude = models.FloatField(null=True, blank=True)
    checkin_accuracy_m = models.FloatField(null=True, blank=True)
    checkin_position_status = models.CharField(max_length=20, blank=True, help_text="ok, denied or unavailable")
    checkin_distance_m = models.FloatField(null=True, blank=True)
    checkin_flagged = models.BooleanField(default=False, help_text="Checked in far from the location: review it.")
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                help_text="Overall score in percent, stored on approval.")
    score_detail = models.JSONField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return str(self.id)


class Response(TenantModel):
    """An answer to one item. `value` is what was answered; `number` and `text` are typed copies of it
    so reports aggregate in the database (effort, levels, durations; outcomes, choices)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey("audits.Item", on_delete=models.PROTECT, related_name="responses")
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    value = models.JSONField(null=True, blank=True)
    number = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(null=True, blank=True, help_text="e.g. stopwatch laps: {laps: [{label, seconds}]}")
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__section__position", "item__position"]
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="response_one_per_item")]
        indexes = [models.Index(fields=["step", "kind"], name="response_step_kind")]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value!r}"


class FrictionMark(TenantModel):
    """One friction tag on one step of one walk, with its severity (from a `friction` response)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="friction_marks")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="friction_marks")
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey("journeys.FrictionTag", on_delete=models.PROTECT, related_name="marks")
    severity = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "tag"], name="friction_mark_once_per_tag"),
            models.CheckConstraint(condition=models.Q(severity__gte=1, severity__lte=3), name="friction_severity_1_3"),
        ]


class Expectation(TenantModel):
    """Self-audits: what the executive expected of a step, recorded before walking it."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="expectations")
    step = models.ForeignKey("journeys.Step", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "step"], name="expectation_once_per_step")]


class PhotoState(models.TextChoices):
    PROCESSING = "processing", "Making renditions"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def photo_original_path(photo: Photo, filename: str) -> str:
    return f"private/originals/{photo.organization_id}/{photo.audit_id}/{photo.id}"


def photo_rendition_path(photo: Photo, filename: str) -> str:
    return f"renditions/{photo.organization_id}/{photo.audit_id}/{filename}"


class PhotoQuerySet(AuditQuerySet):
    own_rows_field = "audit__auditor_id"


class Photo(TenantModel):
    """Evidence. The original is private (it carries GPS and time: the proof of visit) with its SHA-256;
    people see renditions made by a Celery task (orientation fixed, metadata stripped)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey("audits.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    original = models.FileField(upload_to=photo_original_path, max_length=300)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    caption = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=20, choices=PhotoState.choices, default=PhotoState.PROCESSING, db_index=True)
    large = models.FileField(upload_to=photo_rendition_path, max_length=300, blank=True)
    small = models.FileField(upload_to=photo_rendition_path, max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]


class ChangeKind(models.TextChoices):
    CORRECTION = "correction", "Answer corrected"
    STATE = "state", "State changed"


class AuditChange(TenantModel):
    """History after submission: who, when, old value, new value, why."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    item = models.ForeignKey("audits.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
