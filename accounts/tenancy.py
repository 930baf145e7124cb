"""The one door to tenant data.

Every domain row belongs to an organization. `TenantQuerySet.visible_to(user)` is the only way the API
reaches rows: a row of an organization the user is not a member of is simply not there, so "not yours"
and "not found" both answer 404. A model's queryset narrows by role with three declarations
(`hidden_from`, `own_rows_of` + `own_rows_field`, `viewer_client_field`), read here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from django.contrib.auth.models import AnonymousUser
from django.db import models

if TYPE_CHECKING:
    from accounts.models import Membership, User


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager (consultant)"
    AUDITOR = "auditor", "Auditor"
    EXECUTIVE = "executive", "Executive"
    CLIENT_VIEWER = "client_viewer", "Client viewer"


class Action(StrEnum):
    #: Author journeys, checklists and locations; plan waves and visits; review walks; compile and share reports.
    MANAGE = "manage"
    #: Be sent on a visit (assigned as its auditor) and walk it.
    WALK_VISITS = "walk_visits"
    #: Walk a journey oneself, with expectations ("flying economy").
    SELF_AUDIT = "self_audit"
    #: Make or change audits and photos at all (every field role; client viewers only read).
    WRITE_AUDITS = "write_audits"
    #: Read the organization's finished reports (a client viewer: their client's only, by `visible_to`).
    READ_REPORTS = "read_reports"


GRANTS: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset({Action.MANAGE, Action.WALK_VISITS, Action.SELF_AUDIT, Action.WRITE_AUDITS,
                           Action.READ_REPORTS}),
    Role.MANAGER: frozenset({Action.MANAGE, Action.WALK_VISITS, Action.SELF_AUDIT, Action.WRITE_AUDITS,
                             Action.READ_REPORTS}),
    Role.AUDITOR: frozenset({Action.WALK_VISITS, Action.WRITE_AUDITS}),
    Role.EXECUTIVE: frozenset({Action.SELF_AUDIT, Action.WRITE_AUDITS, Action.READ_REPORTS}),
    Role.CLIENT_VIEWER: frozenset({Action.READ_REPORTS}),
}

DENIED: dict[Action, str] = {
    Action.MANAGE: "Only owners and managers of this organization can do this.",
    Action.WALK_VISITS: "Only auditors, managers and owners are sent on visits.",
    Action.SELF_AUDIT: "Self-audits are for executives, managers and owners.",
    Action.WRITE_AUDITS: "Client viewers read reports; they do not make audits.",
    Action.READ_REPORTS: "Your role does not read reports.",
}


def roles_that(action: Action) -> frozenset[str]:
    """The roles granted `action` (for querysets: `memberships__role__in=roles_that(...)`)."""
    return frozenset(role for role, actions in GRANTS.items() if action in actions)


#: Roles that author journeys and checklists, plan visits, review and compile reports.
MANAGING_ROLES = roles_that(Action.MANAGE)


NOTHING = models.Q(pk__in=[])


class TenantQuerySet(models.QuerySet[Any]):
    #: Roles that read none of these rows (client viewers and raw audits, say).
    hidden_from: frozenset[str] = frozenset()
    #: Roles that read only their own rows, and the field that names the user a row is of.
    own_rows_of: frozenset[str] = frozenset()
    own_rows_field: str = ""
    #: Client viewers read only their client's rows, through this field (empty: every row of the organization).
    viewer_client_field: str = ""

    def visible_to(self, user: User | AnonymousUser | None) -> Self:
        """Rows of the organizations `user` is a member of, narrowed by role where the model says so."""
        if user is None or not user.is_authenticated:
            return self.none()
        memberships = list(user.memberships.select_related("organization"))
        if not memberships:
            return self.none()
        condition = models.Q(pk__in=[])
        for membership in memberships:
            condition |= self.for_membership(membership)
        return self.filter(condition)

    def for_membership(self, membership: Membership) -> models.Q:
        """The rows one membership may read, by the declarations above."""
        if membership.role in self.hidden_from:
            return NOTHING
        q = models.Q(organization_id=membership.organization_id)
        if membership.role in self.own_rows_of:
            q &= models.Q(**{self.own_rows_field: membership.user_id})
        if membership.role == Role.CLIENT_VIEWER and self.viewer_client_field:
            q &= models.Q(**{self.viewer_client_field: membership.client_id})
        return q

    def managed_by(self, user: User | AnonymousUser | None) -> Self:
        """Rows of organizations where `user` is an owner or manager: what they may change."""
        if user is None or not user.is_authenticated:
            return self.none()
        org_ids = user.memberships.filter(role__in=MANAGING_ROLES).values("organization_id")
        return self.filter(organization_id__in=org_ids)


class ClientScopedQuerySet(TenantQuerySet):
    """Members read their organization's rows; a client viewer only those of their own client."""

    viewer_client_field = "client_id"


class TenantModel(models.Model):
    """Base of every domain row: it belongs to one organization."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
