"""What an answer is stored as, beside its JSON value: the typed copies reports read (a number, a text)
and the friction marks a `friction` answer carries. Shared by the phone's upsert and the reviewers'
corrections, so an answer reads the same whoever wrote it."""

from __future__ import annotations

import uuid
from typing import Any

from audits.models import FrictionMark, Response
from journeys.models import FrictionTag

#: Item kinds whose answer is kept as a number, and as text, beside the JSON value (for reports).
NUMBER_KINDS = frozenset({"effort", "delivered_level", "duration", "number", "score"})
# Text answers get a (truncated) typed copy too: reports quote auditors' notes from it.
TEXT_KINDS = frozenset({"outcome", "yes_no", "single_choice", "text"})


def typed_copies(kind: str, value: Any) -> tuple[float | None, str]:
    """The number and the text an answer of `kind` is also kept as (None / "" when it has none)."""
    number = float(value) if kind in NUMBER_KINDS and isinstance(value, int | float) and not isinstance(
        value, bool) else None
    text = value[:200] if kind in TEXT_KINDS and isinstance(value, str) else ""
    return number, text


def friction_marks(*, response: Response, tags: dict[str, FrictionTag]) -> list[FrictionMark]:
    """The friction marks a `friction` answer carries (unsaved), one per tag with its severity."""
    if response.kind != "friction" or not isinstance(response.value, list):
        return []
    return [FrictionMark(organization_id=response.organization_id, audit_id=response.audit_id, response=response,
                         step_id=response.step_id, tag=tags[mark["tag"]], severity=mark["severity"])
            for mark in response.value]


def friction_tags(*, org_id: int, audit_id: uuid.UUID, existing: bool) -> dict[str, FrictionTag]:
    """Codes usable for new answers (not retired; the organization's own tag wins over a built-in one
    of the same code), plus retired tags this audit already carried (old data stays readable)."""
    tags: dict[str, FrictionTag] = {}
    already: set[int] = set()
    if existing:
        already = set(FrictionMark.objects.filter(audit_id=audit_id).values_list("tag_id", flat=True))
    for tag in FrictionTag.objects.usable_by(org_id).order_by("organization_id"):
        if tag.retired_at is not None and tag.pk not in already:
            continue
        if tag.code not in tags or tag.organization_id is not None:
            tags[tag.code] = tag
    return tags
