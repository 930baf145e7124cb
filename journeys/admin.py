from django.contrib import admin

from journeys.models import FrictionTag, Journey, Persona, Stage, Step


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
