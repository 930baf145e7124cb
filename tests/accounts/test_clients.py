import pytest

pytestmark = pytest.mark.django_db


def test_manager_creates_a_client_and_members_read_it(manager, auditor, org, api):
    created = api(manager).post("/api/v1/clients", {"organization": org.pk, "name": "SkyWays", "sector": "Airline"})
    assert created.status_code == 201, created.content
    names = [c["name"] for c in api(auditor).get("/api/v1/clients").json()["results"]]
    assert names == ["SkyWays"]


def test_auditor_cannot_write(auditor, org, api):
    answer = api(auditor).post("/api/v1/clients", {"organization": org.pk, "name": "SkyWays"})
    assert answer.status_code in (400, 403)
    from accounts.models import Client

    assert not Client.objects.filter(name="SkyWays").exists()


def test_client_viewer_sees_only_their_client(viewer, client_brand, org, api):
    from accounts.models import Client

    Client.objects.create(organization=org, name="Another Brand")
    names = [c["name"] for c in api(viewer).get("/api/v1/clients").json()["results"]]
    assert names == [client_brand.name]


def test_cannot_create_into_an_organization_one_does_not_manage(outsider, org, api):
    answer = api(outsider).post("/api/v1/clients", {"organization": org.pk, "name": "Sneaky"})
    assert answer.status_code == 400
    assert "organization" in answer.json()["error"]["fields"]
