"""Journeys read and write as one document: ids kept, new rows created, removed steps deleted or
archived, all in one transaction; constant queries whatever the size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Client
from audits.checklists.services import template_create, template_publish
from journeys.models import Journey, Stage, Step
from tests.journeys.makers import make_journey, stages_doc

pytestmark = pytest.mark.django_db

STEP_KEYS = {"id", "name", "touchpoint", "channel", "promise_level", "promise_text", "reach", "expected_seconds",
             "moment_of_truth", "position"}


def doc_of(api, user, journey_id):
    answer = api(user).get(f"/api/v1/journeys/{journey_id}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_manager_creates_a_journey_document_and_members_read_it_in_the_contract_shape(
        manager, auditor, client_brand, api):
    body = {"client": client_brand.pk, "name": "Hotel stay", "description": "Arrival to check-out",
            "stages": stages_doc(2, 2)}
    created = api(manager).post("/api/v1/journeys", body, format="json")
    assert created.status_code == 201, created.content
    doc = doc_of(api, auditor, created.json()["id"])
    assert set(doc) == {"id", "client", "name", "description", "checklist_version", "stages"}
    assert doc["checklist_version"] is None and doc["client"] == client_brand.pk
    assert [s["name"] for s in doc["stages"]] == ["Stage 1", "Stage 2"]
    assert [s["position"] for s in doc["stages"]] == [0, 1]
    step = doc["stages"][0]["steps"][1]
    assert set(step) == STEP_KEYS
    assert step | {"id": None} == {"id": None, "name": "Step 1.2", "touchpoint": "Desk", "channel": "in_store",
                                   "promise_level": 4, "promise_text": "Served within 5 minutes", "reach": 0.8,
                                   "expected_seconds": 300, "moment_of_truth": True, "position": 1}
    assert set(doc["stages"][0]) == {"id", "name", "position", "steps"}


def test_put_keeps_ids_creates_new_rows_reorders_and_moves_steps(manager, org, api):
    journey = make_journey(org, stages=2, steps_per_stage=2)
    doc = doc_of(api, manager, journey.pk)
    first, second = doc["stages"]
    moved = first["steps"].pop(0)               # Step 1.1 moves to stage 2, at the end
    second["steps"].append(moved)
    second["steps"].insert(0, {"name": "Brand new", "channel": "sms", "reach": 0.25})
    doc["stages"].reverse()                     # stage 2 now comes first
    doc["stages"].append({"name": "Departure", "steps": [{"name": "Check out"}]})
    answer = api(manager).put(f"/api/v1/journeys/{journey.pk}", doc, format="json")
    assert answer.status_code == 200, answer.content
    after = answer.json()
    assert [s["id"] for s in after["stages"][:2]] == [second["id"], first["id"]]
    assert [s["name"] for s in after["stages"][0]["steps"]] == ["Brand new", "Step 2.1", "Step 2.2", "Step 1.1"]
    assert after["stages"][0]["steps"][3]["id"] == moved["id"]
    assert [s["position"] for s in after["stages"][0]["steps"]] == [0, 1, 2, 3]
    assert after["stages"][2]["steps"][0] | {"id": 0} == {
        "id": 0, "name": "Check out", "touchpoint": "", "channel": "in_store", "promise_level": 3,
        "promise_text": "", "reach": 1.0, "expected_seconds": None, "moment_of_truth": False, "position": 0}
    assert Step.objects.get(pk=moved["id"]).stage_id == second["id"]
    assert after == doc_of(api, manager, journey.pk)


def test_removed_steps_are_deleted_unless_referenced_then_archived(manager, org, api):
    journey = make_journey(org, stages=2, steps_per_stage=2)
    doc = doc_of(api, manager, journey.pk)
    referenced = doc["stages"][1]["steps"][0]["id"]
    template_create(organization=org, journey=journey, name="Walk", draft={"sections": [
        {"title": "S", "step": None, "items": [{"name": "ok", "label": "OK?", "kind": "yes_no", "step": referenced}]}]})
    template_publish(template=journey.checklist_templates.get())
    unreferenced = doc["stages"][0]["steps"][0]["id"]
    doc["stages"][0]["steps"].pop(0)
    doc["stages"].pop(1)                        # the whole second stage, holding the referenced step
    answer = api(manager).put(f"/api/v1/journeys/{journey.pk}", doc, format="json")
    assert answer.status_code == 200, answer.content
    assert not Step.objects.filter(pk=unreferenced).exists()
    step = Step.objects.get(pk=referenced)
    assert step.archived and step.stage.archived
    assert [s["name"] for s in answer.json()["stages"]] == ["Stage 1"]
    assert [s["name"] for s in answer.json()["stages"][0]["steps"]] == ["Step 1.2"]
    # sending the archived ids again brings them back
    stage = step.stage
    doc = answer.json()
    doc["stages"].append({"id": stage.pk, "name": "Stage 2 again", "steps": [{"id": step.pk, "name": "Back"}]})
    answer = api(manager).put(f"/api/v1/journeys/{journey.pk}", doc, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["stages"][1]["steps"][0]["id"] == step.pk
    step.refresh_from_db()
    assert not step.archived and not step.stage.archived


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda doc, other: doc["stages"][0]["steps"][0].update(id=999_999), "stages.0.steps.0.id"),
    (lambda doc, other: doc["stages"][0]["steps"][0].update(id=other), "stages.0.steps.0.id"),
    (lambda doc, other: doc["stages"][1]["steps"][0].update(id=doc["stages"][0]["steps"][0]["id"]),
     "stages.1.steps.0.id"),
    (lambda doc, other: doc["stages"][1].update(id=doc["stages"][0]["id"]), "stages.1.id"),
    (lambda doc, other: doc["stages"][0]["steps"][1].update(promise_level=6), "stages.0.steps.1.promise_level"),
    (lambda doc, other: doc["stages"][0]["steps"][1].update(reach=1.5), "stages.0.steps.1.reach"),
    (lambda doc, other: doc["stages"][0]["steps"][1].update(channel="pigeon"), "stages.0.steps.1.channel"),
    (lambda doc, other: doc["stages"][0]["steps"][1].update(name=""), "stages.0.steps.1.name"),
    (lambda doc, other: doc["stages"][0]["steps"][1].update(expected_seconds=-1),
     "stages.0.steps.1.expected_seconds"),
    (lambda doc, other: doc.update(name=""), "name"),
])
def test_a_bad_document_is_refused_whole_naming_the_field(manager, org, api, mutate, field):
    journey = make_journey(org, stages=2, steps_per_stage=2)
    other_step = make_journey(org).steps.first().pk
    doc = doc_of(api, manager, journey.pk)
    before = doc_of(api, manager, journey.pk)
    doc["name"] = "Renamed"
    doc["stages"][0]["steps"].append({"name": "Would be new"})
    mutate(doc, other_step)
    answer = api(manager).put(f"/api/v1/journeys/{journey.pk}", doc, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["error"]["fields"]
    assert doc_of(api, manager, journey.pk) == before


def test_members_read_and_only_managers_write(auditor, executive, manager, org, api):
    journey = make_journey(org)
    doc = doc_of(api, auditor, journey.pk)
    assert doc_of(api, executive, journey.pk) == doc
    for user in (auditor, executive):
        assert api(user).put(f"/api/v1/journeys/{journey.pk}", doc, format="json").status_code == 403
        body = {"client": doc["client"], "name": "Mine", "stages": []}
        assert api(user).post("/api/v1/journeys", body, format="json").status_code == 403
    assert not Journey.objects.filter(name="Mine").exists()


def test_client_viewers_read_only_their_clients_journeys(viewer, client_brand, org, api):
    own = make_journey(org, client=client_brand)
    other = make_journey(org, client=Client.objects.create(organization=org, name="Another brand"))
    listed = [j["id"] for j in api(viewer).get("/api/v1/journeys").json()["results"]]
    assert listed == [own.pk]
    assert api(viewer).get(f"/api/v1/journeys/{other.pk}").status_code == 404


def test_cannot_write_a_journey_for_another_organizations_client(outsider, client_brand, api):
    answer = api(outsider).post("/api/v1/journeys", {"client": client_brand.pk, "name": "x", "stages": []},
                                format="json")
    assert answer.status_code == 400
    assert "client" in answer.json()["error"]["fields"]


def test_filters_on_client_and_text(manager, org, client_brand, api):
    hotel = make_journey(org, client=client_brand, name="Hotel stay")
    make_journey(org, client=Client.objects.create(organization=org, name="Air"), name="Cancelled flight")
    by_client = api(manager).get(f"/api/v1/journeys?client={client_brand.pk}").json()["results"]
    assert [j["id"] for j in by_client] == [hotel.pk]
    by_text = api(manager).get("/api/v1/journeys?search=flight").json()["results"]
    assert [j["name"] for j in by_text] == ["Cancelled flight"]


def test_checklist_version_is_the_latest_published_for_the_journey(manager, org, api):
    journey = make_journey(org)
    step = journey.steps.first().pk
    draft = {"sections": [{"title": "S", "items": [{"name": "ok", "label": "OK?", "kind": "yes_no", "step": step}]}]}
    template = template_create(organization=org, journey=journey, name="Walk", draft=draft)
    first = template_publish(template=template)
    assert doc_of(api, manager, journey.pk)["checklist_version"] == first.pk
    draft["sections"][0]["items"][0]["label"] = "All right?"
    template.draft = draft
    template.save()
    second = template_publish(template=template)
    assert doc_of(api, manager, journey.pk)["checklist_version"] == second.pk


def test_a_journey_in_use_cannot_be_deleted_but_an_unused_one_can(manager, org, api):
    unused = make_journey(org)
    assert api(manager).delete(f"/api/v1/journeys/{unused.pk}").status_code == 204
    assert not Stage.objects.filter(journey_id=unused.pk).exists()
    used = make_journey(org)
    template = template_create(organization=org, journey=used, name="Walk", draft={"sections": [
        {"title": "S", "items": [{"name": "ok", "label": "OK?", "kind": "yes_no"}]}]})
    template_publish(template=template)
    answer = api(manager).delete(f"/api/v1/journeys/{used.pk}")
    assert answer.status_code == 409
    assert Journey.objects.filter(pk=used.pk).exists()


def _queries(api, user, url) -> int:
    client = api(user)
    client.get(url)  # warm up (content types, sessions…)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_reading_a_60_step_journey_takes_as_many_queries_as_a_3_step_one(manager, org, api,
                                                                       django_assert_num_queries):
    small = make_journey(org, stages=1, steps_per_stage=3)
    big = make_journey(org, stages=6, steps_per_stage=10)
    assert Step.objects.filter(journey=big).count() == 60
    small_count = _queries(api, manager, f"/api/v1/journeys/{small.pk}")
    assert _queries(api, manager, f"/api/v1/journeys/{big.pk}") == small_count
    # memberships (tenancy), the journey with its latest version, its stages, its steps
    with django_assert_num_queries(4):
        api(manager).get(f"/api/v1/journeys/{big.pk}")
    assert _queries(api, manager, "/api/v1/journeys") == small_count + 1  # + the page's count
