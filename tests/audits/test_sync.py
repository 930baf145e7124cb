"""PUT /api/v1/audits/{uuid}: the phone's idempotent upsert (see audits/fieldwork/upsert.py). Problems are keyed
by the item (`responses.<item id>.value`, `responses.<item id>` for what a submit lacks) or the step
(`expectations.<step id>.<field>`) they concern."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from audits.models import Audit, Expectation, FrictionMark, Photo, Response, Visit
from journeys.models import FrictionTag
from tests.fieldwork_makers import make_photo, make_plan, make_visit, new_auditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org, auditor):
    return make_plan(org, auditor)


def put(client, audit_id, body):
    return client.put(f"/api/v1/audits/{audit_id}", body, format="json")


def test_a_new_audit_is_created_with_typed_answers_and_friction_marks(plan, auditor, api):
    audit_id = uuid.uuid4()
    answer = put(api(auditor), audit_id, plan.body())
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"id": str(audit_id), "revision": 1, "state": "draft", "stored": True}
    audit = Audit.objects.get(pk=audit_id)
    assert (audit.auditor, audit.location, audit.persona) == (auditor, plan.location, plan.persona)
    effort = Response.objects.get(audit=audit, item=plan.item("arrival_effort"))
    assert (effort.number, effort.kind, effort.step) == (5.0, "effort", plan.steps[0])
    assert Response.objects.get(audit=audit, item=plan.item("arrival_outcome")).text == "done_with_help"
    assert Response.objects.get(audit=audit, item=plan.item("switch_found")).text == "yes"
    assert Response.objects.get(audit=audit, item=plan.item("arrival_wait")).number == 340
    assert Response.objects.get(audit=audit, item=plan.item("room_note")).text == "The switch hides behind the curtain."
    marks = {(m.tag.code, m.severity, m.step_id) for m in FrictionMark.objects.filter(audit=audit)}
    assert marks == {("hidden_control", 2, plan.steps[0].pk), ("long_wait", 1, plan.steps[0].pk)}
    assert Visit.objects.get(pk=plan.visits[0].pk).status == "in_progress"
    assert audit.checkin_distance_m == 0 and not audit.checkin_flagged


def test_the_same_body_twice_changes_nothing(plan, auditor, api):
    audit_id = uuid.uuid4()
    body = plan.body()
    put(api(auditor), audit_id, body)
    before = Audit.objects.values().get(pk=audit_id)
    responses = list(Response.objects.filter(audit_id=audit_id).values())
    answer = put(api(auditor), audit_id, body)
    assert answer.status_code == 200
    assert answer.json() == {"id": str(audit_id), "revision": 1, "state": "draft", "stored": True}
    assert Audit.objects.values().get(pk=audit_id) == before
    assert list(Response.objects.filter(audit_id=audit_id).values()) == responses


def test_a_newer_draft_replaces_the_answers(plan, auditor, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    answer = put(api(auditor), audit_id, plan.body(revision=2, responses=plan.responses(
        arrival_effort=2, arrival_friction=[], room_note=None)))
    assert answer.json() == {"id": str(audit_id), "revision": 2, "state": "draft", "stored": True}
    assert Response.objects.get(audit_id=audit_id, item=plan.item("arrival_effort")).number == 2
    assert not Response.objects.filter(audit_id=audit_id, item=plan.item("room_note")).exists()
    assert not FrictionMark.objects.filter(audit_id=audit_id).exists()


def test_an_older_revision_never_overwrites_a_newer_one(plan, auditor, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body(revision=5, responses=plan.responses(arrival_effort=1)))
    answer = put(api(auditor), audit_id, plan.body(revision=4, responses=plan.responses(arrival_effort=7)))
    assert answer.status_code == 200
    assert answer.json() == {"id": str(audit_id), "revision": 5, "state": "draft", "stored": False}
    assert Response.objects.get(audit_id=audit_id, item=plan.item("arrival_effort")).number == 1


def submit_body(plan, **changes):
    return plan.body(**{"revision": 3, "state": "submitted", "submitted_at": timezone.now().isoformat(), **changes})


def test_submit_freezes_the_audit_and_moves_the_visit(plan, auditor, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    make_photo(Audit.objects.get(pk=audit_id), item=plan.item("arrival_photo"))
    body = submit_body(plan)
    answer = put(api(auditor), audit_id, body)
    assert answer.json() == {"id": str(audit_id), "revision": 3, "state": "submitted", "stored": True}
    assert Visit.objects.get(pk=plan.visits[0].pk).status == "submitted"
    assert put(api(auditor), audit_id, body).json()["stored"] is True  # the identical re-send

    changed = put(api(auditor), audit_id, {**body, "revision": 4, "responses": plan.responses(arrival_effort=1)})
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "audit_frozen"
    assert Response.objects.get(audit_id=audit_id, item=plan.item("arrival_effort")).number == 5
    # the phone's draft step before a submit it already made: older, so simply not stored
    older = put(api(auditor), audit_id, plan.body(revision=2))
    assert older.json() == {"id": str(audit_id), "revision": 3, "state": "submitted", "stored": False}


def test_submit_needs_required_answers_minimum_photos_and_a_checkin(plan, auditor, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    answer = put(api(auditor), audit_id, submit_body(plan, checkin=None, responses=plan.responses(
        arrival_effort=None)))
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    effort, photo = (f"responses.{plan.item(name).pk}" for name in ("arrival_effort", "arrival_photo"))
    assert set(fields) == {effort, photo, "checkin"}
    assert fields[effort] == ["Required before submitting."]
    assert "0 stored" in fields[photo][0]
    assert Audit.objects.get(pk=audit_id).state == "draft"

    make_photo(Audit.objects.get(pk=audit_id), item=plan.item("arrival_photo"))  # photos already stored count
    assert put(api(auditor), audit_id, submit_body(plan)).status_code == 200


BAD_ANSWERS = [
    ("arrival_effort", 8), ("arrival_effort", "5"), ("arrival_effort", 2.5), ("arrival_outcome", "maybe"),
    ("arrival_level", 0), ("arrival_wait", -1), ("switch_found", True), ("switch_where", "ceiling"),
    ("room_score", 6), ("room_temp", 99), ("room_temp", "warm"), ("room_note", 12), ("room_issues", "noise"),
    ("room_issues", ["noise", "noise"]), ("arrival_friction", [{"tag": "no_such_tag", "severity": 1}]),
    ("arrival_friction", [{"tag": "long_wait", "severity": 4}]), ("arrival_friction", "long_wait"),
]


@pytest.mark.parametrize(("name", "value"), BAD_ANSWERS, ids=[f"{n}={v!r}" for n, v in BAD_ANSWERS])
def test_a_bad_answer_is_named_and_nothing_is_stored(plan, auditor, api, name, value):
    body = plan.body(responses=plan.responses(**{name: value}))
    answer = put(api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [f"responses.{plan.item(name).pk}.value"]
    assert name in answer.json()["error"]["message"]
    assert not Audit.objects.exists() and not Response.objects.exists()


def test_answers_to_hidden_items_and_unknown_items_are_refused(plan, auditor, api, other_org):
    other = make_plan(other_org)
    responses = plan.responses(switch_found="no")  # switch_where is shown only when found
    responses.append({"id": str(uuid.uuid4()), "item": other.item("room_note").pk, "value": "x", "detail": None,
                      "note": ""})
    answer = put(api(auditor), uuid.uuid4(), plan.body(responses=responses))
    fields = answer.json()["error"]["fields"]
    hidden = f"responses.{plan.item('switch_where').pk}.value"
    assert answer.status_code == 400
    assert set(fields) == {hidden, f"responses.{other.item('room_note').pk}.item"}
    assert "hidden" in fields[hidden][0]
    assert not Audit.objects.exists()


@pytest.mark.parametrize("field", ["journey", "checklist_version", "visit", "persona"])
def test_other_organizations_ids_in_the_body_are_refused(plan, auditor, api, other_org, field):
    other = make_plan(other_org, auditor=None)
    ids = {"journey": other.journey.pk, "checklist_version": other.version.pk, "persona": other.persona.pk,
           "visit": None}
    if field == "visit":
        ids["visit"] = make_visit(other, new_auditor(other_org)).pk
    answer = put(api(auditor), uuid.uuid4(), plan.body(**{field: ids[field]}))
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not Audit.objects.exists()


@pytest.mark.parametrize("body", [
    {}, {"name": "taken over"}, "not json at all", {"organization": "x"},
], ids=["empty", "unrelated", "string", "wrong-types"])
def test_malformed_bodies_are_refused(plan, auditor, api, body):
    answer = api(auditor).put(f"/api/v1/audits/{uuid.uuid4()}", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] in ("validation_error", "parse_error")
    assert not Audit.objects.exists()


def test_retired_tags_are_refused_for_new_answers(plan, auditor, api):
    FrictionTag.objects.filter(code="long_wait").update(retired_at=timezone.now())
    answer = put(api(auditor), uuid.uuid4(), plan.body())
    assert answer.status_code == 400
    assert "long_wait" in str(answer.json()["error"]["fields"])


def test_an_organizations_own_tag_is_usable(plan, auditor, api):
    FrictionTag.objects.create(organization=plan.org, code="cold_room", label="Cold room")
    audit_id = uuid.uuid4()
    body = plan.body(responses=plan.responses(arrival_friction=[{"tag": "cold_room", "severity": 3}]))
    assert put(api(auditor), audit_id, body).status_code == 201
    assert FrictionMark.objects.get(audit_id=audit_id).tag.organization == plan.org


def test_a_checkin_far_from_the_location_is_flagged_not_refused(plan, auditor, api):
    audit_id = uuid.uuid4()
    checkin = {"at": timezone.now().isoformat(), "latitude": 52.2397, "longitude": 21.0122, "accuracy_m": 30,
               "position_status": "ok"}  # about 1.1 km north
    assert put(api(auditor), audit_id, plan.body(checkin=checkin)).status_code == 201
    audit = Audit.objects.get(pk=audit_id)
    assert audit.checkin_flagged
    assert 1000 < audit.checkin_distance_m < 1200


def test_a_checkin_without_position_is_kept(plan, auditor, api):
    audit_id = uuid.uuid4()
    checkin = {"at": timezone.now().isoformat(), "latitude": None, "longitude": None, "accuracy_m": None,
               "position_status": "denied"}
    assert put(api(auditor), audit_id, plan.body(checkin=checkin)).status_code == 201
    audit = Audit.objects.get(pk=audit_id)
    assert (audit.checkin_position_status, audit.checkin_distance_m, audit.checkin_flagged) == ("denied", None, False)


def test_another_organizations_audit_is_not_found_and_never_overwritten(plan, auditor, api, outsider):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    before = Audit.objects.values().get(pk=audit_id)
    other = make_plan(outsider.memberships.get().organization)
    answer = put(api(outsider), audit_id, other.body(visit=None))
    assert answer.status_code == 404
    assert Audit.objects.values().get(pk=audit_id) == before


def test_a_colleagues_audit_cannot_be_overwritten(plan, auditor, api, manager, org):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    colleague = new_auditor(org)
    assert put(api(colleague), audit_id, plan.body(visit=None, revision=9)).status_code == 404
    assert put(api(manager), audit_id, plan.body(visit=None, revision=9)).status_code == 403
    assert Audit.objects.get(pk=audit_id).revision == 1


def test_a_visit_of_another_auditor_is_refused(plan, api, org):
    answer = put(api(new_auditor(org)), uuid.uuid4(), plan.body())
    assert answer.status_code == 400
    assert "visit" in answer.json()["error"]["fields"]


def test_client_viewers_make_no_audits(plan, viewer, api):
    assert put(api(viewer), uuid.uuid4(), plan.body(visit=None)).status_code == 403


def test_an_executive_self_audit_keeps_expectations_as_the_ordinary_persona(plan, executive, api):
    audit_id = uuid.uuid4()
    expectations = [{"step": plan.steps[0].pk, "level": 4, "effort": 2},
                    {"step": plan.steps[1].pk, "level": 5, "effort": 1}]
    answer = put(api(executive), audit_id, plan.body(visit=None, kind="self", checkin=None,
                                                    expectations=expectations))
    assert answer.status_code == 201, answer.json()
    audit = Audit.objects.get(pk=audit_id)
    assert (audit.kind, audit.persona, audit.visit) == ("self", plan.ordinary, None)
    assert {(e.step_id, e.level, e.effort) for e in Expectation.objects.filter(audit=audit)} == {
        (plan.steps[0].pk, 4, 2), (plan.steps[1].pk, 5, 1)}


def test_expectations_are_checked(plan, executive, api, other_org):
    other = make_plan(other_org)
    expectations = [{"step": other.steps[0].pk, "level": 4, "effort": 2},
                    {"step": plan.steps[1].pk, "level": 9, "effort": 0}]
    answer = put(api(executive), uuid.uuid4(), plan.body(visit=None, kind="self", expectations=expectations))
    assert set(answer.json()["error"]["fields"]) == {f"expectations.{other.steps[0].pk}.step",
                                                    f"expectations.{plan.steps[1].pk}.level",
                                                    f"expectations.{plan.steps[1].pk}.effort"}


def test_malformed_expectations_are_named_by_their_step(plan, executive, api):
    expectations = [{"step": plan.steps[0].pk, "level": "high", "effort": 2}, {"step": "first", "level": 4}]
    answer = put(api(executive), uuid.uuid4(), plan.body(visit=None, kind="self", expectations=expectations))
    fields = answer.json()["error"]["fields"]
    assert answer.status_code == 400
    assert set(fields) == {f"expectations.{plan.steps[0].pk}.level", "expectations"}
    assert "Expectation 2" in fields["expectations"][0]
    assert not Audit.objects.exists()


def test_auditors_walk_visits_not_self_audits(plan, auditor, api):
    answer = put(api(auditor), uuid.uuid4(), plan.body(visit=None, kind="self"))
    assert answer.status_code == 400
    assert "kind" in answer.json()["error"]["fields"]


def test_a_returned_audit_takes_a_new_revision_and_is_submitted_again(plan, auditor, manager, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    make_photo(Audit.objects.get(pk=audit_id), item=plan.item("arrival_photo"))
    put(api(auditor), audit_id, submit_body(plan))
    assert api(manager).post(f"/api/v1/audits/{audit_id}/return", {"comment": "Photo the switch"}).status_code == 200
    answer = put(api(auditor), audit_id, submit_body(plan, revision=4, responses=plan.responses(room_score=1)))
    assert answer.json() == {"id": str(audit_id), "revision": 4, "state": "submitted", "stored": True}
    assert Visit.objects.get(pk=plan.visits[0].pk).status == "submitted"


def test_photos_are_untouched_by_a_new_revision(plan, auditor, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    photo = make_photo(Audit.objects.get(pk=audit_id), item=plan.item("arrival_photo"))
    put(api(auditor), audit_id, plan.body(revision=2))
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_after_approval_a_re_send_or_an_older_copy_is_still_answered(plan, auditor, manager, api):
    audit_id = uuid.uuid4()
    put(api(auditor), audit_id, plan.body())
    make_photo(Audit.objects.get(pk=audit_id), item=plan.item("arrival_photo"))
    body = submit_body(plan)
    put(api(auditor), audit_id, body)
    assert api(manager).post(f"/api/v1/audits/{audit_id}/approve").status_code == 200
    assert put(api(auditor), audit_id, body).json() == {"id": str(audit_id), "revision": 3, "state": "approved",
                                                        "stored": True}
    assert put(api(auditor), audit_id, plan.body(revision=2)).json()["stored"] is False
    assert put(api(auditor), audit_id, {**body, "revision": 9}).status_code == 409


def test_a_cancelled_visit_takes_no_new_audit(plan, auditor, api):
    Visit.objects.filter(pk=plan.visits[0].pk).update(status="cancelled")
    answer = put(api(auditor), uuid.uuid4(), plan.body())
    assert answer.status_code == 400 and "visit" in answer.json()["error"]["fields"]
    assert not Audit.objects.exists()


def test_a_response_id_of_another_audit_is_refused(plan, auditor, api):
    first = uuid.uuid4()
    body = plan.body()
    put(api(auditor), first, body)
    second = put(api(auditor), uuid.uuid4(), plan.body(responses=body["responses"]))
    assert second.status_code == 400
    assert "responses" in second.json()["error"]["fields"]
    assert Audit.objects.count() == 1 and Response.objects.filter(audit_id=first).count() == len(body["responses"])


@pytest.mark.parametrize(("change", "field"), [
    ({"id": "not-a-uuid"}, "id"), ({"id": 12}, "id"), ({"detail": [1]}, "detail"), ({"note": 5}, "note"),
])
def test_malformed_answers_are_named_by_their_item(plan, auditor, api, change, field):
    body = plan.body()
    body["responses"][2] = {**body["responses"][2], **change}
    answer = put(api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [f"responses.{body['responses'][2]['item']}.{field}"]
    assert not Audit.objects.exists()


@pytest.mark.parametrize("item", ["7", True, None])
def test_an_answer_without_an_item_id_is_named_by_its_place(plan, auditor, api, item):
    body = plan.body()
    body["responses"][2] = {**body["responses"][2], "item": item}
    answer = put(api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert list(fields) == ["responses"] and fields["responses"][0].startswith("Answer 3: item:")
    assert not Audit.objects.exists()


def test_answers_must_be_a_list_of_objects(plan, auditor, api):
    assert put(api(auditor), uuid.uuid4(), plan.body(responses="x")).status_code == 400
    answer = put(api(auditor), uuid.uuid4(), plan.body(responses=[1]))
    fields = answer.json()["error"]["fields"]
    assert list(fields) == ["responses"] and fields["responses"][0].startswith("Answer 1:")
