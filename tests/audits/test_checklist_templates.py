"""Checklist templates: the draft is validated on every write, published as immutable numbered
versions, read nested in constant queries; generated from a journey; filters and roles."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Client
from audits.checklists.services import template_create, template_publish
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Scenario, Section
from journeys.models import Step
from tests.journeys.makers import draft_doc, make_journey, make_template, make_version

pytestmark = pytest.mark.django_db


def yes_no(name, **kw):
    return {"name": name, "label": name.title(), "kind": "yes_no", **kw}


def one_section(*items, step=None):
    return {"sections": [{"title": "Arrival", "step": step, "items": list(items)}]}


def create(api, user, org, draft, **extra):
    return api(user).post("/api/v1/checklist-templates",
                          {"organization": org.pk, "name": "Hotel walk", "draft": draft, **extra}, format="json")


def test_a_draft_is_stored_normalised(manager, org, api):
    answer = create(api, manager, org, one_section(yes_no("greeted")))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["draft"] == {"sections": [{"title": "Arrival", "step": None, "items": [
        {"name": "greeted", "label": "Greeted", "help": "", "kind": "yes_no", "required": False, "critical": False,
         "weight": 1, "step": None, "options": {}, "shown_when": None}]}]}
    assert body["latest_version"] is None and body["draft_changed"] is True


SCALE = {"min": 1, "max": 5, "labels": {"1": "Poor", "5": "Excellent"}}

BAD_DRAFTS = [
    ("shown_when cycle",
     one_section(yes_no("a", shown_when={"item": "b", "equals": "yes"}), yes_no("b", shown_when={"item": "a",
                                                                                                "equals": "yes"})),
     "draft.sections.0.items.0.shown_when.item", "circle"),
    ("shown_when on itself", one_section(yes_no("a", shown_when={"item": "a", "equals": "yes"})),
     "draft.sections.0.items.0.shown_when.item", "its own answer"),
    ("unknown item", one_section(yes_no("a"), yes_no("b", shown_when={"item": "ghost", "equals": "yes"})),
     "draft.sections.0.items.1.shown_when.item", 'No item named "ghost"'),
    ("value the controller never takes", one_section(yes_no("a"), yes_no("b", shown_when={"item": "a",
                                                                                          "equals": "maybe"})),
     "draft.sections.0.items.1.shown_when.equals", "Never an answer"),
    ("duplicate name", one_section(yes_no("a"), yes_no("a")), "draft.sections.0.items.1.name", "already the name"),
    ("negative weight", one_section(yes_no("a", weight=-1)), "draft.sections.0.items.0.weight", "0 or more"),
    ("scale without labels", one_section({"name": "s", "label": "S", "kind": "score", "options": {"min": 1, "max": 5}}),
     "draft.sections.0.items.0.options.labels", "needs labels"),
    ("label outside the scale",
     one_section({"name": "s", "label": "S", "kind": "score", "options": {**SCALE, "labels": {"9": "Wow"}}}),
     "draft.sections.0.items.0.options.labels.9", "from 1 to 5"),
    ("unknown kind", one_section({"name": "s", "label": "S", "kind": "stars"}), "draft.sections.0.items.0.kind",
     "Must be one of"),
    ("choice without choices", one_section({"name": "s", "label": "S", "kind": "single_choice"}),
     "draft.sections.0.items.0.options.choices", "Give the choices"),
    ("critical that does not score", one_section({"name": "t", "label": "T", "kind": "text", "critical": True}),
     "draft.sections.0.items.0.critical", "Only items that score"),
    ("bad name", one_section(yes_no("1st question")), "draft.sections.0.items.0.name", "starting with a letter"),
    ("missing label", one_section({"name": "a", "kind": "yes_no"}), "draft.sections.0.items.0.label", "required"),
    ("blank label", one_section(yes_no("a", label="   ")), "draft.sections.0.items.0.label", "required"),
    ("a kind that is not text", one_section({"name": "a", "label": "A", "kind": ["yes_no"]}),
     "draft.sections.0.items.0.kind", "Must be one of"),
    ("not a draft", ["sections"], "draft.sections", "must be an object"),
    ("a section without a title", {"sections": [{"title": "", "items": []}]}, "draft.sections.0.title", "required"),
    ("typo in a field", one_section(yes_no("a", requried=True)), "draft.sections.0.items.0.requried", "Unknown"),
    ("a step without a journey", one_section(yes_no("a", step=1)), "draft.sections.0.items.0.step", "no journey"),
]


@pytest.mark.parametrize(("case", "draft", "field", "words"), BAD_DRAFTS, ids=[c[0] for c in BAD_DRAFTS])
def test_bad_drafts_are_refused_naming_the_field_and_nothing_is_saved(manager, org, api, case, draft, field, words):
    answer = create(api, manager, org, draft)
    assert answer.status_code == 400, answer.content
    fields = answer.json()["error"]["fields"]
    assert field in fields, fields
    assert any(words in message for message in fields[field])
    assert not ChecklistTemplate.objects.exists()
    # and an edit of a good template with the same draft changes nothing either
    template = make_template(org)
    before = copy.deepcopy(template.draft)
    answer = api(manager).patch(f"/api/v1/checklist-templates/{template.pk}", {"draft": draft}, format="json")
    assert answer.status_code == 400
    template.refresh_from_db()
    assert template.draft == before


def test_every_problem_is_named_at_once(manager, org, api):
    draft = one_section(yes_no("a", weight=-2), yes_no("a"), yes_no("c", shown_when={"item": "x", "equals": "yes"}))
    fields = create(api, manager, org, draft).json()["error"]["fields"]
    assert set(fields) == {"draft.sections.0.items.0.weight", "draft.sections.0.items.1.name",
                           "draft.sections.0.items.2.shown_when.item"}


def test_steps_must_be_live_steps_of_the_templates_journey(manager, org, api):
    journey = make_journey(org)
    other = make_journey(org)
    own_step, foreign_step = journey.steps.first().pk, other.steps.first().pk
    answer = create(api, manager, org, one_section(yes_no("a", step=foreign_step), step=own_step),
                    journey=journey.pk)
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"draft.sections.0.items.0.step"}


def test_publish_freezes_the_draft_as_numbered_versions(manager, org, api):
    journey = make_journey(org)
    step = journey.steps.first().pk
    draft = one_section(yes_no("greeted", critical=True, weight=2.5),
                        {"name": "desk", "label": "Desk", "kind": "score", "options": SCALE, "required": True,
                         "shown_when": {"item": "greeted", "equals": "yes"}}, step=step)
    template = create(api, manager, org, draft, journey=journey.pk).json()
    answer = api(manager).post(f"/api/v1/checklist-templates/{template['id']}/publish")
    assert answer.status_code == 201, answer.content
    version = answer.json()
    assert set(version) == {"id", "template", "number", "title", "journey", "sections"}
    assert (version["number"], version["title"], version["journey"]) == (1, "Hotel walk", journey.pk)
    section = version["sections"][0]
    assert set(section) == {"id", "title", "step", "position", "items"}
    assert [i["name"] for i in section["items"]] == ["greeted", "desk"]
    greeted, desk = section["items"]
    assert set(greeted) == {"id", "name", "label", "help", "kind", "required", "critical", "weight", "step",
                            "options", "shown_when", "position"}
    assert greeted["weight"] == 2.5 and greeted["critical"] is True
    assert greeted["step"] == step  # an item without a step takes its section's
    assert desk["options"] == SCALE and desk["shown_when"] == {"item": "greeted", "equals": "yes"}
    stored = ChecklistVersion.objects.get(pk=version["id"])
    assert stored.definition == ChecklistTemplate.objects.get(pk=template["id"]).draft
    assert api(manager).get(f"/api/v1/checklist-templates/{template['id']}").json()["latest_version"] == {
        "id": version["id"], "number": 1}

    # publishing again with nothing changed is refused; a changed draft becomes version 2
    assert api(manager).post(f"/api/v1/checklist-templates/{template['id']}/publish").status_code == 409
    draft["sections"][0]["items"][0]["label"] = "Were you greeted by name?"
    changed = api(manager).patch(f"/api/v1/checklist-templates/{template['id']}", {"draft": draft}, format="json")
    assert changed.json()["draft_changed"] is True
    second = api(manager).post(f"/api/v1/checklist-templates/{template['id']}/publish").json()
    assert second["number"] == 2
    assert Item.objects.get(version_id=version["id"], name="greeted").label == "Greeted"
    assert Item.objects.get(version_id=second["id"], name="greeted").label == "Were you greeted by name?"


def test_an_empty_draft_cannot_be_published(manager, org, api):
    template = template_create(organization=org, name="Empty", draft={})
    answer = api(manager).post(f"/api/v1/checklist-templates/{template.pk}/publish")
    assert answer.status_code == 400
    assert "draft.sections" in answer.json()["error"]["fields"]
    assert not ChecklistVersion.objects.exists()


def test_a_draft_whose_step_was_archived_since_cannot_be_published(manager, org, api):
    journey = make_journey(org)
    template = make_template(org, journey=journey)
    Step.objects.filter(pk=template.draft["sections"][0]["items"][0]["step"]).update(archived=True)
    answer = api(manager).post(f"/api/v1/checklist-templates/{template.pk}/publish")
    assert answer.status_code == 400
    assert any(key.endswith(".step") for key in answer.json()["error"]["fields"])


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_edit_of_a_published_version_is_refused_naming_the_field(manager, org, api, method):
    version = make_version(org)
    answer = getattr(api(manager), method)(f"/api/v1/checklist-versions/{version.pk}", {"title": "Changed"},
                                           format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "version_published"
    if method != "delete":
        assert "title" in answer.json()["error"]["fields"]
    version.refresh_from_db()
    assert version.title != "Changed" and ChecklistVersion.objects.filter(pk=version.pk).exists()


def test_members_read_templates_and_versions_but_only_managers_write(auditor, manager, org, api):
    version = make_version(org)
    template = version.template
    assert api(auditor).get(f"/api/v1/checklist-versions/{version.pk}").status_code == 200
    assert api(auditor).get(f"/api/v1/checklist-templates/{template.pk}").status_code == 200
    assert api(auditor).post(f"/api/v1/checklist-templates/{template.pk}/publish").status_code == 403
    assert api(auditor).patch(f"/api/v1/checklist-templates/{template.pk}", {"name": "x"},
                              format="json").status_code == 403
    assert create(api, auditor, org, {}).status_code in (400, 403)
    assert ChecklistTemplate.objects.count() == 1


def test_client_viewers_read_their_clients_versions_but_no_drafts_or_briefs(viewer, client_brand, org, api):
    other_client = Client.objects.create(organization=org, name="Another")
    own = template_create(organization=org, client=client_brand, name="Own", draft=draft_doc(1, 2))
    other = template_create(organization=org, client=other_client, name="Other", draft=draft_doc(1, 2))
    own_version, other_version = template_publish(template=own), template_publish(template=other)
    Scenario.objects.create(organization=org, client=client_brand, title="Gift return", brief="No receipt.")
    assert [v["id"] for v in api(viewer).get("/api/v1/checklist-versions").json()["results"]] == [own_version.pk]
    assert api(viewer).get(f"/api/v1/checklist-versions/{other_version.pk}").status_code == 404
    assert api(viewer).get("/api/v1/checklist-templates").json()["results"] == []
    assert api(viewer).get(f"/api/v1/checklist-templates/{own.pk}").status_code == 404
    assert api(viewer).get("/api/v1/scenarios").json()["results"] == []


def test_filters_on_client_status_and_text(manager, org, client_brand, api):
    other_client = Client.objects.create(organization=org, name="Air")
    hotel = template_create(organization=org, client=client_brand, name="Hotel arrival", draft={})
    template_create(organization=org, client=other_client, name="Flight rebooking", draft={})
    archived = template_create(organization=org, client=client_brand, name="Old hotel", draft={}, status="archived")

    def names(query):
        return [t["name"] for t in api(manager).get(f"/api/v1/checklist-templates?{query}").json()["results"]]

    assert names(f"client={client_brand.pk}") == ["Hotel arrival", "Old hotel"]
    assert names("status=archived") == [archived.name]
    assert names(f"status=active&client={client_brand.pk}") == [hotel.name]
    assert names("search=rebooking") == ["Flight rebooking"]


def test_a_published_template_cannot_be_deleted_but_a_draft_can(manager, org, api):
    version = make_version(org)
    assert api(manager).delete(f"/api/v1/checklist-templates/{version.template_id}").status_code == 409
    draft_only = make_template(org)
    assert api(manager).delete(f"/api/v1/checklist-templates/{draft_only.pk}").status_code == 204


def test_generate_a_draft_from_a_journey(manager, org, api):
    journey = make_journey(org, stages=2, steps_per_stage=2)
    answer = api(manager).post("/api/v1/checklist-templates/from-journey", {"journey": journey.pk}, format="json")
    assert answer.status_code == 201, answer.content
    template = answer.json()
    assert template["journey"] == journey.pk and template["latest_version"] is None
    steps = list(journey.steps.order_by("stage__position", "position"))
    sections = template["draft"]["sections"]
    assert [s["step"] for s in sections] == [s.pk for s in steps]
    assert [s["title"] for s in sections] == [s.name for s in steps]
    first = sections[0]["items"]
    assert [(i["kind"], i["options"]) for i in first] == [
        ("outcome", {}), ("effort", {}), ("friction", {}), ("duration", {"measure": "time_on_step"}),
        ("duration", {"measure": "wait"}), ("delivered_level", {}), ("photo", {"min_count": 0}), ("text", {})]
    assert {i["step"] for s in sections for i in s["items"]} == {s.pk for s in steps}
    assert [i["name"] for i in first][:2] == ["step_11_outcome", "step_11_effort"]
    # ready to publish as it is
    assert api(manager).post(f"/api/v1/checklist-templates/{template['id']}/publish").status_code == 201


def test_generate_needs_a_manager_of_the_journeys_organization(auditor, outsider, org, api):
    journey = make_journey(org)
    assert api(auditor).post("/api/v1/checklist-templates/from-journey", {"journey": journey.pk},
                             format="json").status_code == 403
    assert api(outsider).post("/api/v1/checklist-templates/from-journey", {"journey": journey.pk},
                              format="json").status_code == 400
    assert not ChecklistTemplate.objects.exists()


def _queries(api, user, url) -> int:
    client = api(user)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_reading_a_300_item_version_takes_as_many_queries_as_a_small_one(manager, org, api,
                                                                       django_assert_num_queries):
    small = make_version(org, sections=1, items_per_section=2)
    big = make_version(org, sections=20, items_per_section=15)
    assert Item.objects.filter(version=big).count() == 300 and Section.objects.filter(version=big).count() == 20
    assert _queries(api, manager, f"/api/v1/checklist-versions/{big.pk}") == _queries(
        api, manager, f"/api/v1/checklist-versions/{small.pk}")
    # memberships (tenancy), the version, its sections, their items
    with django_assert_num_queries(4):
        body = api(manager).get(f"/api/v1/checklist-versions/{big.pk}").json()
    assert sum(len(s["items"]) for s in body["sections"]) == 300
    with django_assert_num_queries(5):  # + the page's count
        api(manager).get("/api/v1/checklist-versions")


def test_scenarios_crud_and_filters(manager, auditor, org, client_brand, api):
    journey = make_journey(org, client=client_brand)
    created = api(manager).post("/api/v1/scenarios", {
        "organization": org.pk, "client": client_brand.pk, "journey": journey.pk, "title": "Gift return",
        "brief": "Ask to return a gift without a receipt."}, format="json")
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert api(manager).patch(f"/api/v1/scenarios/{sid}", {"title": "Gift return, no receipt"},
                              format="json").status_code == 200
    assert api(auditor).get(f"/api/v1/scenarios?journey={journey.pk}").json()["results"][0]["title"] == \
        "Gift return, no receipt"
    assert api(auditor).get("/api/v1/scenarios?search=receipt").json()["count"] == 1
    assert api(auditor).delete(f"/api/v1/scenarios/{sid}").status_code == 403
    assert api(manager).delete(f"/api/v1/scenarios/{sid}").status_code == 204
