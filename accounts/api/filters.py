"""List filters. Every filter on a related row's id is an `IdFilter`: a whole number within the database's
range, compared as a plain id — so another organization's id answers exactly as an id that does not exist
(an empty page), never "Select a valid choice" (which told real ids of other tenants from unknown ones), and a
float, a huge number or text is a 400 in the API's format rather than a server error.

Viewsets list `filterset_fields` as usual; the backend builds their filter sets on `TenantFilterSet`. A view
that declares its own filter set derives it from `TenantFilterSet` and uses `IdFilter` for ids.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend

#: The largest id a bigint column holds.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.Filter):
    """`?wave=12`: rows whose wave is 12. Unknown and not-yours ids both match nothing."""

    field_class = IdField


class UUIDFilter(django_filters.UUIDFilter):
    """A UUID id (audits, photos): malformed is 400, unknown and not-yours both match nothing."""


_FK_OVERRIDES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.ForeignKey: {"filter_class": IdFilter},
    models.OneToOneField: {"filter_class": IdFilter},
    models.ManyToManyField: {"filter_class": IdFilter},
}


class TenantFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {**django_filters.FilterSet.FILTER_DEFAULTS, **_FK_OVERRIDES}

    @classmethod
    def filter_for_field(cls, field: models.Field[Any, Any], field_name: str, lookup_expr: str | None = None
                         ) -> django_filters.Filter:
        filter_ = super().filter_for_field(field, field_name, lookup_expr)
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            target = field.target_field
            if isinstance(target, models.UUIDField):
                return UUIDFilter(field_name=field_name, lookup_expr=lookup_expr or "exact")
            return IdFilter(field_name=field_name, lookup_expr=lookup_expr or "exact")
        return filter_


class FilterBackend(DjangoFilterBackend):
    filterset_base = TenantFilterSet
