"""The rows one membership reads, through the tenancy door (`TenantQuerySet.for_membership`, what
`visible_to(user)` joins over all of a user's memberships): for services that already hold the membership
of the organization they work in (the phone's upsert and sync feed), without asking again for it."""

from __future__ import annotations

from typing import TypeVar

from accounts.models import Membership
from accounts.tenancy import TenantQuerySet

Rows = TypeVar("Rows", bound=TenantQuerySet)


def seen_through(rows: Rows, membership: Membership) -> Rows:
    """`rows` narrowed to what `membership` may read: its organization, and its role's share of it."""
    return rows.filter(rows.for_membership(membership))
