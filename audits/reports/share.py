"""Read-only share links to a ready report, for client readers without an account.

The token is `django.core.signing` over (link id, a random nonce): it cannot be forged or guessed, and it
is the same every time it is printed, so a manager can copy it again from the list. Whether it still opens
is the row's business (expiry, revocation), so revoking is one UPDATE."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from accounts.tenancy import MANAGING_ROLES
from audits.models import Report, ReportState, ShareLink

SALT = "audits.reports.share-link"
MAX_DAYS = 90


class LinkNotFound(DomainError):
    status = 404
    code = "not_found"


def share_token(link: ShareLink) -> str:
    return signing.Signer(salt=SALT).sign_object({"l": link.pk, "n": link.nonce}, compress=True)


def _must_manage(user, organization_id: int) -> None:
    if not user.memberships.filter(organization_id=organization_id, role__in=MANAGING_ROLES).exists():
        raise NotAllowed("Only owners and managers of this organization share reports.")


@transaction.atomic
def share_link_create(*, user, report: Report, days: int = 14) -> ShareLink:
    _must_manage(user, report.organization_id)
    if report.state != ReportState.READY:
        raise Conflict("Only a ready report can be shared.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"A link lasts 1 to {MAX_DAYS} days.", fields={"days": ["Out of range."]})
    return ShareLink.objects.create(organization_id=report.organization_id, report=report,
                                    nonce=secrets.token_hex(8), created_by=user,
                                    expires_at=timezone.now() + dt.timedelta(days=days))


@transaction.atomic
def share_link_revoke(*, user, link: ShareLink) -> ShareLink:
    _must_manage(user, link.organization_id)
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


def share_link_open(*, token: str) -> ShareLink:
    """The link a token names, if it still opens; every other case is the same 404."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkNotFound("This link does not exist, has expired or was revoked.") from None
    now = timezone.now()
    link = (ShareLink.objects.select_related("report")
            .filter(pk=data.get("l"), nonce=data.get("n"), revoked_at__isnull=True, expires_at__gt=now,
                    report__state=ReportState.READY).first())
    if link is None:
        raise LinkNotFound("This link does not exist, has expired or was revoked.")
    ShareLink.objects.filter(pk=link.pk).update(opened_count=F("opened_count") + 1, last_opened_at=now)
    return link
