"""The one access check: "may this user do X in this organization?".

Roles are data: `GRANTS` (in `accounts.tenancy`, beside the roles) says which actions each role may take.
Which *rows* a user may read is the other door, `TenantQuerySet.visible_to(user)`. Services and views ask
`may` / `require` (or `membership_for`, when they need the role itself); nothing else compares roles to
decide what is allowed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.errors import NotAllowed
from accounts.models import Membership, User
from accounts.tenancy import DENIED, GRANTS, Action, roles_that

__all__ = ["DENIED", "GRANTS", "Action", "may", "may_anywhere", "membership_for", "organizations_where",
           "require", "role_may", "roles_that"]


def role_may(role: str, action: Action) -> bool:
    return action in GRANTS.get(role, frozenset())


def membership_for(user: User | None, organization_id: int | None) -> Membership | None:
    """The user's membership of the organization, or None (signed out, or not a member)."""
    if user is None or not user.is_authenticated or organization_id is None:
        return None
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id).first()


def may(user: User | None, organization_id: int | None, action: Action) -> bool:
    """Whether `user` may take `action` in the organization (one query)."""
    if user is None or not user.is_authenticated or organization_id is None:
        return False
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id,
                                     role__in=roles_that(action)).exists()


def require(user: User | None, organization_id: int | None, action: Action, message: str | None = None) -> None:
    """`may`, or NotAllowed (403) with a sentence that says who may."""
    if not may(user, organization_id, action):
        raise NotAllowed(message or DENIED[action])


def may_anywhere(user: User | None, action: Action) -> bool:
    """Whether `user` may take `action` in at least one of their organizations."""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(user_id=user.pk, role__in=roles_that(action)).exists()


def organizations_where(user: User | None, action: Action) -> QuerySet[Membership, Any]:
    """The ids of the organizations where `user` may take `action` (a subquery: `.values("organization_id")`)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none().values("organization_id")
    return Membership.objects.filter(user_id=user.pk, role__in=roles_that(action)).values("organization_id")
