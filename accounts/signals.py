"""A changed password (through the API, the admin or `manage.py changepassword`) or a deactivated account
revokes every API token of the user. Sessions need no help: Django ties them to the password's hash."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.services import revoke_tokens


@receiver(pre_save, sender=User)
def _remember_credentials(sender: type[User], instance: User, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._revoke_tokens = False
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._revoke_tokens = before is not None and (  # type: ignore[attr-defined]
        before["password"] != instance.password or (before["is_active"] and not instance.is_active))


@receiver(post_save, sender=User)
def _revoke_on_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    if getattr(instance, "_revoke_tokens", False):
        revoke_tokens(user_id=instance.pk)
        instance._revoke_tokens = False  # type: ignore[attr-defined]
