"""The friction taxonomy (built in, plus each organization's own, retired but readable) and personas
with their tiers."""

from __future__ import annotations

import pytest

from accounts.models import Client, Membership
from audits.models import Expectation, FrictionMark, Item, Response, Section
from journeys.models import FrictionTag, Persona
from journeys.selectors import step_ids_in_use, usable_friction_tag_codes
from journeys.taxonomy import BUILTIN_FRICTION_TAGS
from tests.journeys.makers import make_journey, make_walk

pytestmark = pytest.mark.django_db
BUILTIN = [code for code, *_ in BUILTIN_FRICTION_TAGS]


def codes(api, user, query=""):
    return [t["code"] for t in api(user).get(f"/api/v1/friction-tags?page_size=100{query}").json()["results"]]


def test_every_member_reads_the_builtin_taxonomy(auditor, viewer, api):
    assert codes(api, auditor) == BUILTIN
    assert codes(api, viewer) == BUILTIN
    tag = api(auditor).get("/api/v1/friction-tags?search=orange").json()["results"][0]
    assert tag | {"id": 0} == {"id": 0, "organization": None, "code": "fragile",
                               "label": "Ordinary behaviour breaks the system", "description": "",
                               "example": "Scanning an orange disabled three of four self-checkouts",
                               "position": 5, "builtin": True, "retired": False, "retired_at": None}


def test_an_organization_adds_retires_and_restores_its_own_tags(manager, auditor, outsider, org, api):
    created = api(manager).post("/api/v1/friction-tags", {"organization": org.pk, "code": "queue_jump",
                                                          "label": "Served out of turn"}, format="json")
    assert created.status_code == 201, created.content
    tag = created.json()
    assert tag["builtin"] is False and tag["retired"] is False
    assert codes(api, auditor)[-1] == "queue_jump"
    assert "queue_jump" not in codes(api, outsider)
    assert "queue_jump" in usable_friction_tag_codes(org.pk)

    retired = api(manager).post(f"/api/v1/friction-tags/{tag['id']}/retire")
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert "queue_jump" in codes(api, auditor)                       # still readable on old data
    assert "queue_jump" not in codes(api, auditor, "&retired=false")  # no longer offered
    assert codes(api, auditor, "&retired=true") == ["queue_jump"]
    assert "queue_jump" not in usable_friction_tag_codes(org.pk)
    assert set(BUILTIN) <= usable_friction_tag_codes(org.pk)

    restored = api(manager).post(f"/api/v1/friction-tags/{tag['id']}/restore")
    assert restored.json()["retired"] is False
    renamed = api(manager).patch(f"/api/v1/friction-tags/{tag['id']}", {"label": "Queue jumped", "code": "other"},
                                 format="json")
    assert renamed.status_code == 200
    assert (renamed.json()["label"], renamed.json()["code"]) == ("Queue jumped", "queue_jump")
    assert api(manager).delete(f"/api/v1/friction-tags/{tag['id']}").status_code == 204


def test_tag_codes_are_unique_and_never_shadow_a_builtin(manager, org, api):
    body = {"organization": org.pk, "code": "dead_end", "label": "Mine"}
    answer = api(manager).post("/api/v1/friction-tags", body, format="json")
    assert answer.status_code == 400 and "code" in answer.json()["error"]["fields"]
    body["code"] = "mine"
    assert api(manager).post("/api/v1/friction-tags", body, format="json").status_code == 201
    assert api(manager).post("/api/v1/friction-tags", body, format="json").status_code == 400
    assert FrictionTag.objects.filter(organization=org).count() == 1


def test_builtin_tags_cannot_be_changed_and_members_cannot_add(manager, auditor, org, api):
    builtin = FrictionTag.objects.get(code="dead_end")
    for answer in (api(manager).patch(f"/api/v1/friction-tags/{builtin.pk}", {"label": "x"}, format="json"),
                   api(manager).post(f"/api/v1/friction-tags/{builtin.pk}/retire"),
                   api(manager).delete(f"/api/v1/friction-tags/{builtin.pk}")):
        assert answer.status_code == 403
    builtin.refresh_from_db()
    assert builtin.label != "x" and builtin.retired_at is None
    answer = api(auditor).post("/api/v1/friction-tags", {"organization": org.pk, "code": "x", "label": "X"},
                               format="json")
    assert answer.status_code == 403


def test_a_tag_on_recorded_walks_cannot_be_deleted_only_retired(manager, auditor, org, api):
    tag = FrictionTag.objects.create(organization=org, code="queue_jump", label="Served out of turn")
    audit, response = make_walk(org, auditor, kind="friction")
    FrictionMark.objects.create(organization=org, audit=audit, response=response, step=response.step, tag=tag,
                                severity=2)
    assert api(manager).delete(f"/api/v1/friction-tags/{tag.pk}").status_code == 409
    assert api(manager).post(f"/api/v1/friction-tags/{tag.pk}/retire").status_code == 200
    assert FrictionTag.objects.filter(pk=tag.pk).exists()


@pytest.mark.parametrize("reference", ["section", "item", "response", "friction_mark", "expectation"])
def test_every_kind_of_reference_keeps_a_step(org, auditor, reference):
    audit, response = make_walk(org, auditor, kind="friction")
    step = make_journey(org).steps.first()
    models = {"section": Section.objects.filter(pk=response.item.section_id),
              "item": Item.objects.filter(pk=response.item_id), "response": Response.objects.filter(pk=response.pk)}
    if reference in models:
        models[reference].update(step=step)
    elif reference == "friction_mark":
        tag = FrictionTag.objects.get(code="dead_end")
        FrictionMark.objects.create(organization=org, audit=audit, response=response, step=step, tag=tag, severity=1)
    else:
        Expectation.objects.create(organization=org, audit=audit, step=step, level=3)
    assert step_ids_in_use([step.pk]) == {step.pk}


def test_personas_carry_tiers(manager, auditor, org, client_brand, api):
    for body in ({"name": "Ordinary traveller", "tier": "economy", "tier_rank": 0, "is_ordinary": True},
                 {"name": "Premium traveller", "tier": "first", "tier_rank": 2, "is_ordinary": False}):
        answer = api(manager).post("/api/v1/personas", {"organization": org.pk, "client": client_brand.pk, **body},
                                   format="json")
        assert answer.status_code == 201, answer.content
    listed = api(auditor).get("/api/v1/personas").json()["results"]
    assert [(p["tier"], p["is_ordinary"]) for p in listed] == [("economy", True), ("first", False)]
    assert set(listed[0]) == {"id", "organization", "client", "name", "tier", "tier_rank", "is_ordinary",
                              "description"}
    assert [p["name"] for p in api(auditor).get("/api/v1/personas?tier=first").json()["results"]] == [
        "Premium traveller"]
    assert api(auditor).post("/api/v1/personas", {"organization": org.pk, "name": "x", "tier": "economy"},
                             format="json").status_code == 403
    pk = listed[1]["id"]
    assert api(manager).patch(f"/api/v1/personas/{pk}", {"organization": 999, "tier": "business"},
                              format="json").json()["organization"] == org.pk
    assert Persona.objects.get(pk=pk).tier == "business"


def test_a_persona_cannot_point_at_another_organizations_client(manager, org, other_org, api):
    Membership.objects.create(user=manager, organization=other_org, role="manager")
    foreign = Client.objects.create(organization=other_org, name="Foreign")
    answer = api(manager).post("/api/v1/personas", {"organization": org.pk, "client": foreign.pk, "name": "x",
                                                    "tier": "economy"}, format="json")
    assert answer.status_code == 400 and "client" in answer.json()["error"]["fields"]
