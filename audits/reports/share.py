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

from accounts.access import Action, require
from accounts.errors import Conflict, NotFound, ValidationFailed
from accounts.models import User
from audits.models import Report, ReportState, ShareLink

SALT = "audits.reports.share-link"
MAX_DAYS = 90
MAY_SHARE = "Only owners and managers of this organization share reports."


class LinkNotFound(NotFound):
    """A token that opens nothing. Its own message, not `NotFound`'s "not yours to see": the holder of a
    link has no account, and the usual cause is a link that expired or was revoked, which they should be
    told. Every such case answers alike, so a token says nothing about the report it once opened."""

    def __init__(self, message: str = "This link does not exist, has expired or was revoked.") -> None:
        super().__init__(message)


def share_token(link: ShareLink) -> str:
    return signing.Signer(salt=SALT).sign_object({"l": link.pk, "n": link.nonce}, compress=True)


@transaction.atomic
def share_link_create(*, user: User, report: Report, days: int = 14) -> ShareLink:
    require(user, report.organization_id, Action.MANAGE, MAY_SHARE)
    if report.state != ReportState.READY:
        raise Conflict("Only a ready report can be shared.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed.from_fields({"days": "Out of range."}, message=f"A link lasts 1 to {MAX_DAYS} days.")
    return ShareLink.objects.create(organization_id=report.organization_id, report=report,
                                    nonce=secrets.token_hex(8), created_by=user,
                                    expires_at=timezone.now() + dt.timedelta(days=days))


@transaction.atomic
def share_link_revoke(*, user: User, link: ShareLink) -> ShareLink:
    require(user, link.organization_id, Action.MANAGE, MAY_SHARE)
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


def share_link_open(*, token: str) -> ShareLink:
    """The link a token names, if it still opens; every other case is the same 404."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkNotFound() from None
    now = timezone.now()
    link = (ShareLink.objects.select_related("report")
            .filter(pk=data.get("l"), nonce=data.get("n"), revoked_at__isnull=True, expires_at__gt=now,
                    report__state=ReportState.READY).first())
    if link is None:
        raise LinkNotFound()
    ShareLink.objects.filter(pk=link.pk).update(opened_count=F("opened_count") + 1, last_opened_at=now)
    return link
