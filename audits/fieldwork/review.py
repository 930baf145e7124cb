"""Review: reviewers (owners and managers) correct answers with a reason, return an audit to its
auditor, or approve it. Every change after submission is an `AuditChange` (who, when, old, new, why).
Scores come from the checklist rules: stored on approval, recomputed on a later correction."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict, ValidationFailed
from accounts.models import User
from audits.checklists import rules
from audits.fieldwork.answers import friction_marks, friction_tags, typed_copies
from audits.models import (
    Audit,
    AuditChange,
    AuditState,
    ChangeKind,
    FrictionMark,
    Item,
    Response,
    Visit,
    VisitStatus,
)

REVIEWABLE = (AuditState.SUBMITTED, AuditState.APPROVED)


def _locked(audit: Audit) -> Audit:
    return Audit.objects.select_for_update().get(pk=audit.pk)


def _items(audit: Audit) -> list[Item]:
    return list(Item.objects.filter(version_id=audit.checklist_version_id)
                .order_by("section__position", "position", "id"))


def _answers(audit: Audit, items: list[Item]) -> dict[str, Any]:
    names = {item.pk: item.name for item in items}
    return {names[item_id]: value for item_id, value in
            Response.objects.filter(audit=audit).values_list("item_id", "value") if item_id in names}


def store_score(audit: Audit, items: list[Item] | None = None) -> None:
    items = items if items is not None else _items(audit)
    result = rules.score(items, _answers(audit, items))
    audit.score = None if result.percent is None else Decimal(str(result.percent)).quantize(Decimal("0.01"))
    audit.score_detail = result.as_dict()


def _set_visit(audit: Audit, status: str, comment: str | None = None) -> None:
    if audit.visit_id is None:
        return
    visit = Visit.objects.select_for_update().get(pk=audit.visit_id)
    visit.status = status
    fields = ["status", "updated_at"]
    if comment is not None:
        visit.review_comment = comment
        fields.append("review_comment")
    visit.save(update_fields=fields)


@transaction.atomic
def audit_correct(*, audit: Audit, user: User, item_id: int, value: Any, reason: str) -> Audit:
    """Change one answer of a submitted (or approved) audit, keeping the old value and the reason."""
    audit = _locked(audit)
    if audit.state not in REVIEWABLE:
        raise Conflict("Only a submitted or approved audit is corrected; a draft is the auditor's.",
                       code="audit_not_reviewable")
    if not reason.strip():
        raise ValidationFailed.field("reason", "Say why the answer changes.")
    items = _items(audit)
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise ValidationFailed.field("item", "Not an item of this audit's checklist.")
    tags = friction_tags(org_id=audit.organization_id, audit_id=audit.pk, existing=True)
    problems = rules.check_answer(item, value, friction_tags=set(tags))
    if problems:
        raise ValidationFailed.from_fields({"value": problems})
    answers = _answers(audit, items)
    answers[item.name] = value
    if value is not None and item.name not in rules.visible_items(items, answers):
        raise ValidationFailed.field("value", "This item is hidden by its shown-when rule.")

    response = Response.objects.filter(audit=audit, item=item).first()
    old = response.value if response else None
    if response is not None and response.value == value:
        return audit  # nothing changes: no history row either
    number, text = typed_copies(item.kind, value)
    if response is None:
        response = Response.objects.create(id=uuid.uuid4(), organization_id=audit.organization_id, audit=audit,
                                           item=item, step_id=item.step_id, kind=item.kind, value=value,
                                           number=number, text=text)
    else:
        response.value, response.number, response.text = value, number, text
        response.save(update_fields=["value", "number", "text", "updated_at"])
        FrictionMark.objects.filter(response=response).delete()
    FrictionMark.objects.bulk_create(friction_marks(response=response, tags=tags))
    AuditChange.objects.create(organization_id=audit.organization_id, audit=audit, kind=ChangeKind.CORRECTION,
                               item=item, old_value=old, new_value=value, reason=reason, user=user)
    fields = ["updated_at"]
    if audit.state == AuditState.APPROVED:
        store_score(audit, items)  # approved scores follow corrections
        fields += ["score", "score_detail"]
    audit.save(update_fields=fields)
    if audit.visit_id and audit.state == AuditState.SUBMITTED:
        Visit.objects.filter(pk=audit.visit_id, status=VisitStatus.SUBMITTED).update(
            status=VisitStatus.IN_REVIEW, updated_at=timezone.now())
    return audit


def _state_change(audit: Audit, user: User, new: str, reason: str) -> None:
    AuditChange.objects.create(organization_id=audit.organization_id, audit=audit, kind=ChangeKind.STATE,
                               old_value=audit.state, new_value=new, reason=reason, user=user)
    audit.state = new


@transaction.atomic
def audit_return(*, audit: Audit, user: User, comment: str) -> Audit:
    """Send a submitted audit back to its auditor with the reviewer's comments; they fix and submit again."""
    audit = _locked(audit)
    if audit.state != AuditState.SUBMITTED:
        raise Conflict(f"Only a submitted audit can be returned (this one is {audit.state}).",
                       code="audit_not_reviewable")
    if not comment.strip():
        raise ValidationFailed.field("comment", "Tell the auditor what to fix.")
    _state_change(audit, user, AuditState.RETURNED, comment)
    audit.review_comment = comment
    audit.save(update_fields=["state", "review_comment", "updated_at"])
    _set_visit(audit, VisitStatus.RETURNED, comment)
    return audit


@transaction.atomic
def audit_approve(*, audit: Audit, user: User) -> Audit:
    """Approve a submitted audit: its score is stored, and it counts in reports from now on."""
    audit = _locked(audit)
    if audit.state == AuditState.APPROVED:
        return audit
    if audit.state != AuditState.SUBMITTED:
        raise Conflict(f"Only a submitted audit can be approved (this one is {audit.state}).",
                       code="audit_not_reviewable")
    _state_change(audit, user, AuditState.APPROVED, "")
    audit.approved_at = timezone.now()
    audit.approved_by = user
    store_score(audit)
    audit.save(update_fields=["state", "approved_at", "approved_by", "score", "score_detail", "updated_at"])
    _set_visit(audit, VisitStatus.APPROVED)
    return audit
