"""`manage.py check --deploy`: where demo sign-ins are not allowed, an account of the demo domain, or a staff
account whose password is the demo password, is an error (sign-in refuses any account with the demo password
all the same; the check hashes only staff passwords, each hash costing a real hasher's time)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError

from accounts.models import User
from accounts.signin import DEMO_DOMAIN, DEMO_PASSWORD


@register("security", deploy=True)
def demo_accounts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEMO_ALLOWED:
        return []
    try:
        users = list(User.objects.filter(is_active=True).only("email", "password", "is_staff", "is_superuser"))
    except DatabaseError:  # no database yet (a build step): nothing to look at
        return []
    found = [user.email for user in users
             if user.email.lower().endswith(f"@{DEMO_DOMAIN}")
             or ((user.is_staff or user.is_superuser) and user.check_password(DEMO_PASSWORD))]
    if not found:
        return []
    return [Error(f"{len(found)} active account(s) use the demo domain or the demo password: "
                  f"{', '.join(sorted(found)[:5])}{' …' if len(found) > 5 else ''}. Sign-in refuses them here; "
                  "deactivate them or set a real password.", id="touchpoint.E001")]
