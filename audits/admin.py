from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audits.models import (
    Audit,
    AuditChange,
    ChecklistTemplate,
    ChecklistVersion,
    Expectation,
    FrictionMark,
    Item,
    Location,
    Photo,
    Report,
    Response,
    Scenario,
    Section,
    ShareLink,
    Visit,
    Wave,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published versions and synced evidence are changed through the product's own rules, not here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "journey", "status", "updated_at"]
    list_filter = ["organization", "status"]
    search_fields = ["name"]


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "template", "published_at"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "position"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "version", "required", "critical", "weight"]
    list_filter = ["kind"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "journey"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "address", "timezone"]
    search_fields = ["name", "address"]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "journey", "status", "starts_on", "ends_on"]
    list_filter = ["status"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["id", "wave", "location", "auditor", "window_start", "status"]
    list_filter = ["status"]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "journey", "auditor", "state", "revision", "updated_at"]
    list_filter = ["state", "kind"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "audit", "item", "kind", "value"]


@admin.register(FrictionMark)
class FrictionMarkAdmin(ReadOnlyAdmin):
    list_display = ["audit", "step", "tag", "severity"]


@admin.register(Expectation)
class ExpectationAdmin(ReadOnlyAdmin):
    list_display = ["audit", "step", "level", "effort"]


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["id", "audit", "state", "size", "width", "height", "created_at"]
    list_filter = ["state"]


@admin.register(AuditChange)
class AuditChangeAdmin(ReadOnlyAdmin):
    list_display = ["audit", "kind", "item", "user", "created_at"]


# Reports are compiled by Celery: the admin shows them (and their share links) read-only.

@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "state", "progress", "organization", "created_at", "finished_at"]
    list_filter = ["state", "organization"]
    search_fields = ["title"]
    exclude = ["result"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["report", "created_by", "expires_at", "revoked_at", "opened_count"]
    list_filter = ["organization"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
