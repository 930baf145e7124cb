"""The demo organization, its client and its five sign-ins: run again and again, it converges on the same
rows (never duplicates). `audits.demo.seed_demo` runs this first, then the other seeders in order."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Client, Membership, Organization, User
from accounts.signin import DEMO_DOMAIN, DEMO_PASSWORD
from accounts.tenancy import Role

DEMO_USERS = [
    ("owner", "Olivia Owner", Role.OWNER),
    ("manager", "Marek Manager", Role.MANAGER),
    ("auditor", "Ana Auditor", Role.AUDITOR),
    ("executive", "Eleni Executive", Role.EXECUTIVE),
    ("viewer", "Victor Viewer", Role.CLIENT_VIEWER),
]


@dataclass
class Demo:
    organization: Organization
    client: Client
    users: dict[str, User]


def seed_accounts() -> Demo:
    if not settings.DEMO_ALLOWED:
        raise ImproperlyConfigured("Demo data is refused under production settings (TOUCHPOINT_DEMO is off).")
    org, _ = Organization.objects.update_or_create(slug="demo", defaults={"name": "Demo Consulting"})
    client, _ = Client.objects.update_or_create(organization=org, name="Northwind Group",
                                                defaults={"sector": "Hospitality, retail and travel"})
    users: dict[str, User] = {}
    for local, name, role in DEMO_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role == Role.OWNER and not user.is_staff:
            # The owner may also use the Django admin (for the demo); superuser keeps it simple.
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        Membership.objects.update_or_create(
            user=user, organization=org,
            defaults={"role": role, "client": client if role == Role.CLIENT_VIEWER else None},
        )
        users[local] = user
    return Demo(organization=org, client=client, users=users)


def sign_ins() -> list[tuple[str, str]]:
    return [(f"{local}@{DEMO_DOMAIN}", role.label) for local, _, role in DEMO_USERS]
