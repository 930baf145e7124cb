from django.contrib import admin

from .models import FrictionTag, Journey, Persona, Stage, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["stage", "position", "name", "channel", "promise_level", "reach", "moment_of_truth", "archived"]


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "organization", "updated_at"]
    list_filter = ["organization"]
    search_fields = ["name"]
    inlines = [StepInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "journey", "position"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["name", "journey", "stage", "channel", "promise_level", "reach", "moment_of_truth"]
    list_filter = ["channel", "moment_of_truth"]
    search_fields = ["name", "touchpoint"]


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "tier_rank", "is_ordinary", "organization"]


@admin.register(FrictionTag)
class FrictionTagAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "organization", "retired_at"]
    list_filter = ["organization"]


# Reports are compiled by Celery: the admin shows them (and their share links) read-only.
from .models import Report, ShareLink  # noqa: E402


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "state", "progress", "organization", "created_at", "finished_at"]
    list_filter = ["state", "organization"]
    search_fields = ["title"]
    exclude = ["result"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["report", "created_by", "expires_at", "revoked_at", "opened_count"]
    list_filter = ["organization"]

    def has_add_permission(self, request):
        return False
