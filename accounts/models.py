"""Who: users (signing in by e-mail), organizations, the clients (brands) they audit, and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken

from accounts.tenancy import MANAGING_ROLES, Role, TenantModel, TenantQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # knox has no stubs
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="Preferred language; empty: the browser's.")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def membership_in(self, organization_id: int) -> Membership | None:
        return self.memberships.filter(organization_id=organization_id).first()


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganizationQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def managed_by(self, user) -> OrganizationQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role__in=MANAGING_ROLES).distinct()


class Organization(models.Model):
    """A tenant: a consultancy or an in-house CX team. Every domain row belongs to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    checkin_radius_m = models.PositiveIntegerField(
        default=500, help_text="A check-in farther than this from the location (less the position's accuracy) is "
                               "flagged for the reviewer, never refused.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientQuerySet(TenantQuerySet):
    viewer_client_field = "pk"


class Client(TenantModel):
    """A brand an organization audits (a hotel chain, a supermarket, an airline)."""

    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="client_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in an organization. A client viewer is scoped to one client."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="viewer_memberships",
        help_text="Only for client viewers: the one client whose reports they read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_one_per_org"),
            models.CheckConstraint(
                condition=(models.Q(role="client_viewer", client__isnull=False)
                           | (~models.Q(role="client_viewer") & models.Q(client__isnull=True))),
                name="membership_client_only_for_viewers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.organization}"

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGING_ROLES


class ApiToken(AbstractAuthToken):
    """A token of one device or API client (django-rest-knox: only its digest is stored; it expires after
    `TOUCHPOINT_TOKEN_TTL_HOURS`). Every sign-in makes a new one; logout revokes the one it was called with;
    a password change revokes them all. The user lists and revokes theirs at /api/v1/auth/tokens."""

    device = models.CharField(max_length=100, blank=True, help_text="What the client called itself at sign-in.")

    class Meta:
        ordering = ["-created"]
