"""Review (audits/fieldwork/review.py): reviewers list, read answers beside photos, correct with a
reason, return or approve; every change after submission is kept; scores follow the checklist rules."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.checklists import rules
from audits.models import Audit, AuditChange, FrictionMark, Item, Response, Visit
from tests.fieldwork_makers import make_audit, make_photo, make_plan, make_visit, new_auditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org, auditor):
    return make_plan(org, auditor)


@pytest.fixture
def submitted(plan, auditor, api):
    """An audit sent by the phone as the PWA does: a draft, a photo, then the submitted revision."""
    audit_id = uuid.uuid4()
    assert api(auditor).put(f"/api/v1/audits/{audit_id}", plan.body(), format="json").status_code == 201
    audit = Audit.objects.get(pk=audit_id)
    make_photo(audit, item=plan.item("arrival_photo"))
    body = plan.body(revision=2, state="submitted", submitted_at=timezone.now().isoformat())
    assert api(auditor).put(f"/api/v1/audits/{audit_id}", body, format="json").status_code == 200
    return Audit.objects.get(pk=audit_id)


def url(audit, action=""):
    return f"/api/v1/audits/{audit.pk}" + (f"/{action}" if action else "")


def test_reviewers_list_submitted_audits_with_filters(plan, submitted, manager, api, org):
    other_auditor = new_auditor(org)
    other = make_audit(plan, other_auditor, state="draft", visit=make_visit(plan, other_auditor))
    client = api(manager)
    assert {a["id"] for a in client.get("/api/v1/audits").json()["results"]} == {str(submitted.pk), str(other.pk)}
    assert [a["id"] for a in client.get("/api/v1/audits?state=submitted").json()["results"]] == [str(submitted.pk)]
    assert [a["id"] for a in client.get(f"/api/v1/audits?auditor={other_auditor.pk}").json()["results"]] == [
        str(other.pk)]
    assert len(client.get(f"/api/v1/audits?wave={plan.wave.pk}&location={plan.location.pk}").json()["results"]) == 2
    assert client.get("/api/v1/audits?wave=999999").json()["results"] == []


def test_auditors_see_their_own_audits_and_viewers_none(plan, submitted, auditor, viewer, executive, api, org):
    theirs = make_audit(plan, new_auditor(org), state="submitted")
    assert [a["id"] for a in api(auditor).get("/api/v1/audits").json()["results"]] == [str(submitted.pk)]
    assert api(auditor).get(url(theirs)).status_code == 404
    assert api(viewer).get("/api/v1/audits").json()["results"] == []
    assert api(viewer).get(url(submitted)).status_code == 404
    assert api(executive).get("/api/v1/audits").json()["results"] == []


def test_the_detail_shows_answers_beside_ready_photos(plan, submitted, manager, api):
    make_photo(submitted, item=plan.item("arrival_photo"), state="processing")  # not shown yet
    body = api(manager).get(url(submitted)).json()
    photo_answers = [r for r in body["responses"] if r["item"] == plan.item("arrival_photo").pk]
    assert photo_answers == []  # photo items have no answer: their photos are listed beside the answers
    assert len(body["photos"]) == 1
    photo = body["photos"][0]
    assert photo["large"].endswith(f"/api/v1/photos/{photo['id']}/large") and photo["state"] == "ready"
    effort = next(r for r in body["responses"] if r["name"] == "arrival_effort")
    assert (effort["value"], effort["kind"], effort["step"]) == (5, "effort", plan.steps[0].pk)
    assert body["changes"] == [] and body["state"] == "submitted"


def test_the_detail_takes_a_constant_number_of_queries(plan, submitted, manager, api,
                                                       django_assert_max_num_queries):
    for _ in range(5):
        make_photo(submitted, item=plan.item("arrival_photo"))
    with django_assert_max_num_queries(12):
        assert api(manager).get(url(submitted)).status_code == 200


def test_a_correction_keeps_who_when_old_new_and_why(plan, submitted, manager, api):
    item = plan.item("arrival_effort")
    answer = api(manager).post(url(submitted, "correct"), {"item": item.pk, "value": 6,
                                                           "reason": "The video shows a long search"})
    assert answer.status_code == 200, answer.json()
    change = AuditChange.objects.get(audit=submitted)
    assert (change.kind, change.item, change.old_value, change.new_value, change.user) == (
        "correction", item, 5, 6, manager)
    assert change.reason == "The video shows a long search"
    assert Response.objects.get(audit=submitted, item=item).number == 6
    assert answer.json()["changes"][0]["user"] == manager.email
    assert Visit.objects.get(pk=plan.visits[0].pk).status == "in_review"


def test_a_friction_correction_rebuilds_the_marks(plan, submitted, manager, api):
    value = [{"tag": "no_human", "severity": 3}]
    api(manager).post(url(submitted, "correct"), {"item": plan.item("arrival_friction").pk, "value": value,
                                                  "reason": "No number to call"}, format="json")
    assert [(m.tag.code, m.severity) for m in FrictionMark.objects.filter(audit=submitted)] == [("no_human", 3)]


@pytest.mark.parametrize(("name", "value", "reason", "field"), [
    ("arrival_effort", 9, "typo", "value"),
    ("arrival_effort", 3, "", "reason"),
    ("switch_where", "door", "hidden", "value"),
])
def test_a_bad_correction_is_refused_and_nothing_changes(plan, submitted, manager, api, name, value, reason, field):
    Response.objects.filter(audit=submitted, item=plan.item("switch_found")).update(value="no", text="no")
    Response.objects.filter(audit=submitted, item=plan.item("switch_where")).delete()
    answer = api(manager).post(url(submitted, "correct"), {"item": plan.item(name).pk, "value": value,
                                                           "reason": reason}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not AuditChange.objects.exists()


def test_an_item_of_another_checklist_cannot_be_corrected(plan, submitted, manager, api, other_org):
    other = make_plan(other_org)
    answer = api(manager).post(url(submitted, "correct"), {"item": other.item("arrival_effort").pk, "value": 3,
                                                           "reason": "x"})
    assert answer.status_code == 400


def test_auditors_cannot_review(plan, submitted, auditor, api):
    for action, body in (("correct", {"item": plan.item("arrival_effort").pk, "value": 1, "reason": "x"}),
                         ("return", {"comment": "x"}), ("approve", {})):
        assert api(auditor).post(url(submitted, action), body).status_code == 403
    assert Audit.objects.get(pk=submitted.pk).state == "submitted"


def test_a_draft_is_not_reviewed(plan, auditor, manager, api):
    draft = make_audit(plan, auditor, state="draft")
    assert api(manager).post(url(draft, "approve")).status_code == 409
    assert api(manager).post(url(draft, "return"), {"comment": "x"}).status_code == 409


def test_return_sends_the_audit_back_with_the_comment(plan, submitted, manager, api):
    answer = api(manager).post(url(submitted, "return"), {"comment": "Photograph the switch, please"})
    assert answer.json()["state"] == "returned"
    visit = Visit.objects.get(pk=plan.visits[0].pk)
    assert (visit.status, visit.review_comment) == ("returned", "Photograph the switch, please")
    change = AuditChange.objects.get(audit=submitted)
    assert (change.kind, change.old_value, change.new_value, change.reason) == (
        "state", "submitted", "returned", "Photograph the switch, please")


def expected_score(audit) -> Decimal:
    items = list(Item.objects.filter(version=audit.checklist_version).order_by("section__position", "position"))
    names = {i.pk: i.name for i in items}
    answers = {names[r.item_id]: r.value for r in Response.objects.filter(audit=audit)}
    return Decimal(str(rules.score(items, answers).percent)).quantize(Decimal("0.01"))


def test_approval_stores_the_score_and_a_correction_recomputes_it(plan, submitted, manager, api):
    answer = api(manager).post(url(submitted, "approve"))
    assert answer.status_code == 200
    audit = Audit.objects.get(pk=submitted.pk)
    assert (audit.state, audit.approved_by) == ("approved", manager)
    assert audit.score == expected_score(audit) and audit.score_detail["sections"]
    assert Visit.objects.get(pk=plan.visits[0].pk).status == "approved"
    before = audit.score

    api(manager).post(url(submitted, "correct"), {"item": plan.item("room_score").pk, "value": 5,
                                                  "reason": "Re-read the scale"})
    audit.refresh_from_db()
    assert audit.score == expected_score(audit) and audit.score > before
    assert [c.kind for c in audit.changes.all()] == ["state", "correction"]


def test_approving_twice_is_harmless(plan, submitted, manager, api):
    api(manager).post(url(submitted, "approve"))
    assert api(manager).post(url(submitted, "approve")).status_code == 200
    assert AuditChange.objects.filter(audit=submitted).count() == 1


def test_the_list_takes_a_constant_number_of_queries(plan, submitted, manager, api, org):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(manager).get("/api/v1/audits").status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        someone = new_auditor(org)
        make_audit(plan, someone, visit=make_visit(plan, someone))
    assert count() == few
