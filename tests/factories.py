"""One maker per model the API exposes. The cross-organization test refuses to pass for a viewset
whose model has no maker here, so every endpoint added later is walked without anyone remembering to."""

from __future__ import annotations

from collections.abc import Callable

import factory
from factory.django import DjangoModelFactory

from accounts.models import Client, Membership, Organization, User


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.django.Password("pw-for-tests-123")


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Brand {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "auditor"


#: model -> function(organization) -> a saved row of that organization
MAKERS: dict[type, Callable] = {
    Organization: lambda org: org,
    Client: lambda org: ClientFactory(organization=org),
    Membership: lambda org: MembershipFactory(organization=org),
}

# Fieldwork (locations, waves, visits, audits, photos): built with their journey and checklist.
from tests.fieldwork_makers import FIELDWORK_MAKERS  # noqa: E402

MAKERS.update(FIELDWORK_MAKERS)

# The map and checklists (journeys, personas, friction tags, templates, versions, scenarios).
from tests.journeys.makers import MAP_MAKERS  # noqa: E402

MAKERS.update(MAP_MAKERS)

# Reports and their share links.
from tests.audits.report_factories import REPORT_MAKERS  # noqa: E402

MAKERS.update(REPORT_MAKERS)
