from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Client, Membership, Organization, User
from accounts.tenancy import Role


@pytest.fixture(scope="session", autouse=True)
def _var_folders():
    """The folders the defaults use (the filesystem broker's queue among them): settings never make them."""
    from django.conf import settings

    from config.var import prepare

    prepare(settings.VAR_DIR)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes files to its own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def make_member(org: Organization, email: str, role: str, client: Client | None = None) -> User:
    user = User.objects.create_user(email, "pw-for-tests-123", name=email.split("@")[0])
    Membership.objects.create(user=user, organization=org, role=role, client=client)
    return user


@pytest.fixture
def org(db) -> Organization:
    return Organization.objects.create(name="Acme Audits", slug="acme")


@pytest.fixture
def client_brand(org) -> Client:
    return Client.objects.create(organization=org, name="Hotel Lumen", sector="Hospitality")


@pytest.fixture
def other_org(db) -> Organization:
    return Organization.objects.create(name="Rival Research", slug="rival")


@pytest.fixture
def owner(org) -> User:
    return make_member(org, "owner@acme.test", Role.OWNER)


@pytest.fixture
def manager(org) -> User:
    return make_member(org, "manager@acme.test", Role.MANAGER)


@pytest.fixture
def auditor(org) -> User:
    return make_member(org, "auditor@acme.test", Role.AUDITOR)


@pytest.fixture
def executive(org) -> User:
    return make_member(org, "executive@acme.test", Role.EXECUTIVE)


@pytest.fixture
def viewer(org, client_brand) -> User:
    return make_member(org, "viewer@acme.test", Role.CLIENT_VIEWER, client=client_brand)


@pytest.fixture
def outsider(other_org) -> User:
    """A manager — of another organization."""
    return make_member(other_org, "manager@rival.test", Role.MANAGER)


def api_as(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def api():
    return api_as


@pytest.fixture(autouse=True)
def _builtin_friction_tags(request):
    """Transactional tests empty every table when they end, including the built-in friction tags that
    migration journeys/0002 installs; put them back for each transactional test."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        from journeys.models import FrictionTag
        from journeys.taxonomy import install_builtin_tags

        install_builtin_tags(FrictionTag)
