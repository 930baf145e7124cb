"""The base of every API view on tenant data: querysets come only through `visible_to(user)`,
writes need a managing role in the row's organization, and related ids in a body are looked up
through the same door (another organization's id is "not found")."""

from __future__ import annotations

from rest_framework import permissions, serializers, viewsets

from accounts.access import Action, may, may_anywhere
from accounts.models import Organization


class IsManagerOrReadOnly(permissions.BasePermission):
    """Members read; owners and managers of the object's organization write."""

    message = "Only owners and managers of this organization can change it."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return may_anywhere(request.user, Action.MANAGE)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        org_id = obj.pk if isinstance(obj, Organization) else obj.organization_id
        return may(request.user, org_id, Action.MANAGE)


class TenantViewSet(viewsets.ModelViewSet):
    """Subclasses set `queryset` (for the model and its prefetches) and `serializer_class`."""

    permission_classes = [IsManagerOrReadOnly]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class TenantRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key in a request body, resolved only among rows the requesting user can see."""

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().visible_to(request.user if request else None)


class ManagedOrganizationField(serializers.PrimaryKeyRelatedField):
    """The organization a new row goes into: one the user owns or manages."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Organization.objects.managed_by(request.user if request else None)


def same_organization(attrs: dict, organization, *names: str) -> None:
    """Refuse related rows from another organization than the row's own (all visible to the user)."""
    errors = {}
    for name in names:
        value = attrs.get(name)
        if value is not None and getattr(value, "organization_id", organization.pk) != organization.pk:
            errors[name] = ["Belongs to another organization."]
    if errors:
        raise serializers.ValidationError(errors)
