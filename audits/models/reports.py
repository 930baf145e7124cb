"""Friction reports: one row per (scope, data version), compiled by a Celery task into a result document
and output files; and the signed, expiring, revocable links that let a client read one without an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.tenancy import Role, TenantModel, TenantQuerySet


class ReportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ReportQuerySet(TenantQuerySet):
    """Auditors read none; a client viewer reads the finished reports of their own client, nothing else."""

    hidden_from = frozenset({Role.AUDITOR})
    viewer_client_field = "client_id"

    def for_membership(self, membership):
        q = super().for_membership(membership)
        if membership.role == Role.CLIENT_VIEWER:
            q &= models.Q(state=ReportState.READY)
        return q


def report_file_path(report: Report, filename: str) -> str:
    # Only used by FileField.save(); the compile service names its files itself (see audits.reports.compile).
    return f"reports/{report.organization_id}/{report.pk}/{filename}"


class Report(TenantModel):
    """A compiled friction report. The same scope over the same data (`scope_key`, `data_version`) is one
    row; new data makes a new row with the next `number`, and older versions stay readable. Output files and
    `result` become visible together, in the single UPDATE that sets the state to ready."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="reports")
    journey = models.ForeignKey("journeys.Journey", on_delete=models.CASCADE, related_name="reports")
    wave = models.ForeignKey("audits.Wave", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    title = models.CharField(max_length=300)
    scope = models.JSONField(help_text="The canonical scope: wave, or client + journey + locations + period + persona.")
    scope_key = models.CharField(max_length=64, help_text="SHA-256 of the canonical scope.")
    data_version = models.CharField(max_length=64, help_text="Fingerprint of the input data when requested.")
    number = models.PositiveIntegerField(help_text="Version of this scope: 1, 2, … as the data changes.")
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=60, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True, help_text="Token of the compile run that owns the row.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    notify = models.BooleanField(default=False, help_text="E-mail the requester when ready.")
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    result = models.JSONField(null=True, blank=True)
    html = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    pdf = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    csv = models.FileField(upload_to=report_file_path, max_length=300, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "scope_key", "data_version"],
                                    name="report_one_per_scope_and_data"),
            models.UniqueConstraint(fields=["organization", "scope_key", "number"], name="report_unique_number"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class ShareLinkQuerySet(TenantQuerySet):
    """Only owners and managers hand out links."""

    hidden_from = frozenset({Role.AUDITOR, Role.EXECUTIVE, Role.CLIENT_VIEWER})


class ShareLink(TenantModel):
    """A read-only link to one report. The token (django.core.signing) names the row and its nonce; the row
    says whether it still works (expiry, revocation), so revoking needs no token list."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="share_links")
    nonce = models.CharField(max_length=32)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share of report {self.report_id}"
