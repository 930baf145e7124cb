import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.models import Client, Membership, Organization, User
from audits.demo import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db


def counts():
    return (Organization.objects.count(), Client.objects.count(), User.objects.count(),
            Membership.objects.count())


def test_demo_data_loads_again_and_again_without_duplicates():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first[2] == 5


def test_every_demo_role_signs_in_with_the_demo_password():
    seed_demo()
    roles = {}
    for user in User.objects.filter(email__endswith="@demo.touchpoint.test"):
        assert user.check_password(DEMO_PASSWORD)
        roles[user.email.split("@")[0]] = user.memberships.get().role
    assert roles == {"owner": "owner", "manager": "manager", "auditor": "auditor", "executive": "executive",
                     "viewer": "client_viewer"}


def test_demo_is_refused_when_production_turns_it_off(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        seed_demo()
    assert counts() == (0, 0, 0, 0)
