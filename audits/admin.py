from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Client, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization", "client"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "sector"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "client"]
    list_filter = ["role", "organization"]
    autocomplete_fields = ["user", "organization", "client"]


from .models import (  # noqa: E402
    Audit,
    AuditChange,
    ChecklistTemplate,
    ChecklistVersion,
    Expectation,
    FrictionMark,
    Item,
    Location,
    Photo,
    Response,
    Scenario,
    Section,
    Visit,
    Wave,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published versions and synced evidence are changed through the product's own rules, not here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
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
