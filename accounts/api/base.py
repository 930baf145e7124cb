"""The base of every API view on tenant data: querysets come only through `visible_to(user)`,
writes need a managing role in the row's organization, and related ids in a body are looked up
through the same door (another organization's id is "not found")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.request import Request

from accounts.access import Action, may, may_anywhere
from accounts.api.errors import ErrorBody
from accounts.models import Organization, User
from accounts.tenancy import TenantQuerySet


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

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        assert isinstance(queryset, TenantQuerySet), f"{type(self).__name__}.queryset must be a tenant queryset"
        return queryset.visible_to(self.request.user)


class TenantRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key in a request body, resolved only among rows the requesting user can see."""

    def get_queryset(self) -> TenantQuerySet:
        request = self.context.get("request")
        queryset = super().get_queryset()
        assert isinstance(queryset, TenantQuerySet), "a TenantRelatedField needs a tenant queryset"
        return queryset.visible_to(request.user if request else None)


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


def signed_in(request: Request) -> User:
    """The request's user, for views only signed-in users reach (DRF refused anyone else already)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


# ---- serializers: the model serializer every API serializer derives from ------------------------------

#: The range of each integer column (PostgreSQL's; SQLite would store more, so the API holds every database
#: to the same bounds, and the schema says them).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32768, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "BigIntegerField": (-9223372036854775808, 9223372036854775807),
    "PositiveBigIntegerField": (0, 9223372036854775807),
    "PositiveSmallIntegerField": (0, 32767),
    "PositiveIntegerField": (0, 2147483647),
    "SmallAutoField": (-32768, 32767),
    "AutoField": (-2147483648, 2147483647),
    "BigAutoField": (-9223372036854775808, 9223372036854775807),
}

CONTROL_CHARACTERS = {chr(c) for c in range(32)} | {"\x7f"}


def single_line(value: str) -> None:
    """A name, title or label is one line: no CR/LF (a name ends up in e-mail subjects and headers) and no
    other control character."""
    if any(ch in CONTROL_CHARACTERS for ch in value):
        raise serializers.ValidationError("Must be a single line of text (no line breaks or control characters).")


class SingleLineCharField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(single_line)


# Every API serializer's base: a model's CharField is a single line (TextFields may hold line breaks), and an
# integer field holds only what its column holds on every database. (A comment, not a docstring: the schema
# would show a base class's docstring as the description of every serializer without one of its own.)
class ModelSerializer(serializers.ModelSerializer):

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping}

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.CharField and model_field.get_internal_type() == "CharField" \
                and not kwargs.get("choices"):
            field_class = SingleLineCharField
        bounds = INTEGER_RANGES.get(model_field.get_internal_type())
        if bounds and issubclass(field_class, serializers.IntegerField) and not kwargs.get("read_only"):
            low, high = bounds
            kwargs["min_value"] = max(low, kwargs.get("min_value", low))
            kwargs["max_value"] = min(high, kwargs.get("max_value", high))
        return field_class, kwargs


class OrganizationOwnedSerializer(ModelSerializer):
    """A row whose `organization` is chosen on create (one the user manages) and never changes; the
    related rows named in `same_organization_fields` must be of that organization."""

    organization = ManagedOrganizationField()
    same_organization_fields: tuple[str, ...] = ("client",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["organization"].read_only = True

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = self.instance.organization if self.instance is not None else attrs["organization"]
        same_organization(attrs, organization, *self.same_organization_fields)
        return attrs


# ---- schema helpers: what a viewset answers, takes and refuses, for /api/schema/ ----------------

ViewSetClass = TypeVar("ViewSetClass", bound=Callable[..., Any])


def error_response(description: str, example: dict[str, Any] | None = None) -> OpenApiResponse:
    """A refusal in the one error body, with an example of it."""
    return OpenApiResponse(ErrorBody, description=description,
                           examples=[OpenApiExample("Refused", value=example)] if example else [])


def bad_field(field: str, message: str) -> dict[str, Any]:
    """The error body of one problem at one field (for examples)."""
    return {"error": {"code": "validation_error", "message": f"{field}: {message}", "fields": {field: [message]}}}


IN_USE_EXAMPLE = {"error": {"code": "conflict", "message": "It is in use (walks, waves or versions refer to it): kept.",
                            "fields": {}}}


def crud_schema(*, noun: str, serializer: type[serializers.BaseSerializer], example: dict[str, Any],
                write_example: dict[str, Any],
                bad_example: dict[str, Any]) -> Callable[[ViewSetClass], ViewSetClass]:
    """Examples for the usual operations of a viewset (what it answers, what it takes, a refusal)."""
    shown = [OpenApiExample(noun, value=example, response_only=True)]
    sent = [OpenApiExample(noun, value=write_example, request_only=True)]
    bad = error_response("Refused: every problem named by its field; nothing saved.", bad_example)
    return extend_schema_view(
        list=extend_schema(examples=shown),
        retrieve=extend_schema(examples=shown),
        create=extend_schema(examples=sent + shown, responses={201: serializer, 400: bad}),
        update=extend_schema(examples=sent + shown, responses={200: serializer, 400: bad}),
        partial_update=extend_schema(examples=sent + shown, responses={200: serializer, 400: bad}),
        destroy=extend_schema(responses={204: None, 409: error_response("Still in use: kept.", IN_USE_EXAMPLE)}),
    )
