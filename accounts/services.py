"""Writes of the accounts floor: API tokens and passwords."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.errors import NotFound, ValidationFailed
from accounts.models import ApiToken, User


@transaction.atomic
def token_create(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one device (the secret is returned once; only its digest is stored)."""
    token, key = ApiToken.objects.create(user=user, device=device.strip()[:100])
    return token, key


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired (expired ones are deleted on the way)."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return ApiToken.objects.filter(user=user).order_by("-created")


@transaction.atomic
def token_revoke(*, user: User, token_id: str) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_id).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Checks the old password and the new one against the validators; then every token is revoked (by the
    signal that watches passwords) and other sessions stop working (Django ties sessions to the password)."""
    if not user.check_password(old_password):
        raise ValidationFailed.field("old_password", "This is not your current password.")
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_fields({"new_password": list(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])


def revoke_tokens(*, user_id: int) -> int:
    """Every token of the user (a password change, or an account deactivated)."""
    deleted, _ = ApiToken.objects.filter(user_id=user_id).delete()
    return deleted
