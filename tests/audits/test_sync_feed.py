"""GET /api/v1/sync: what changed for this user since the cursor (audits/fieldwork/feed.py, cursors.py)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.fieldwork import cursors
from audits.models import Scenario, Visit
from tests.fieldwork_makers import make_audit, make_photo, make_plan, make_visit, new_auditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org, auditor):
    return make_plan(org, auditor)


def feed(client, org, since=None):
    query = f"/api/v1/sync?organization={org.pk}" + (f"&since={since}" if since else "")
    answer = client.get(query)
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_the_first_sync_gives_an_auditor_everything_for_their_visits(plan, auditor, api, org):
    scenario = Scenario.objects.create(organization=org, client=plan.client, journey=plan.journey,
                                       title="Late arrival", brief="Arrive after 23:00 and ask for the light.")
    Visit.objects.filter(pk=plan.visits[0].pk).update(scenario=scenario)
    make_visit(plan, new_auditor(org))  # a colleague's visit: not sent
    audit = make_audit(plan, auditor, state="draft", revision=4)
    photo = make_photo(audit, item=plan.item("arrival_photo"))
    body = feed(api(auditor), org)
    visit = plan.visits[0]
    assert body["visits"] == [{
        "id": visit.pk, "wave": plan.wave.pk, "location": plan.location.pk, "scenario": scenario.pk,
        "journey": plan.journey.pk, "checklist_version": plan.version.pk, "persona": plan.persona.pk,
        "window_start": body["visits"][0]["window_start"], "window_end": body["visits"][0]["window_end"],
        "status": "scheduled", "review_comment": ""}]
    assert [j["id"] for j in body["journeys"]] == [plan.journey.pk]
    journey = body["journeys"][0]
    assert journey["checklist_version"] == plan.version.pk
    assert [[s["name"] for s in stage["steps"]] for stage in journey["stages"]] == [["Check in"],
                                                                                     ["Find the light switch"]]
    version = body["checklist_versions"][0]
    assert version["id"] == plan.version.pk
    items = [i for s in version["sections"] for i in s["items"]]
    assert [i["name"] for i in items] == list(plan.items)
    assert items[7]["shown_when"] == {"item": "switch_found", "equals": "yes"}
    assert body["scenarios"] == [{"id": scenario.pk, "title": "Late arrival",
                                  "brief": "Arrive after 23:00 and ask for the light."}]
    assert body["locations"] == [{"id": plan.location.pk, "name": plan.location.name,
                                  "address": plan.location.address, "latitude": 52.2297, "longitude": 21.0122,
                                  "timezone": "Europe/Warsaw"}]
    assert {p["tier"] for p in body["personas"]} == {"economy", "gold"}
    assert "hidden_control" in {t["code"] for t in body["friction_tags"]}
    assert body["audits"] == [{"id": str(audit.pk), "revision": 4, "state": "draft"}]
    assert body["photos"] == [{"id": str(photo.pk), "sha256": photo.sha256, "state": "ready"}]
    assert body["cursor"]


def test_the_next_sync_gives_only_what_changed(plan, auditor, manager, api, org):
    cursor = feed(api(auditor), org)["cursor"]
    # Nothing changed: repeats within the cursor's overlap are allowed, so move the clock past it.
    old = cursors.decode_cursor(cursor) + cursors.CURSOR_OVERLAP + cursors.CURSOR_OVERLAP
    later = cursors.encode_cursor(old)
    quiet = feed(api(auditor), org, later)
    assert (quiet["visits"], quiet["journeys"], quiet["checklist_versions"], quiet["audits"]) == ([], [], [], [])
    assert quiet["friction_tags"]  # small, always sent

    Visit.objects.filter(pk=plan.visits[0].pk).update(status="returned", review_comment="Photograph the switch",
                                                      updated_at=old)
    audit = make_audit(plan, auditor, state="returned")
    changed = feed(api(auditor), org, later)
    assert [(v["id"], v["status"], v["review_comment"]) for v in changed["visits"]] == [
        (plan.visits[0].pk, "returned", "Photograph the switch")]
    assert [a["id"] for a in changed["audits"]] == [str(audit.pk)]


def test_a_new_visit_brings_its_journey_and_checklist(plan, auditor, api, org):
    cursor = feed(api(auditor), org)["cursor"]
    other = make_plan(org)
    make_visit(other, auditor)
    body = feed(api(auditor), org, cursor)
    assert other.journey.pk in {j["id"] for j in body["journeys"]}
    assert other.version.pk in {v["id"] for v in body["checklist_versions"]}
    assert other.location.pk in {loc["id"] for loc in body["locations"]}
    assert cursors.decode_cursor(body["cursor"]) >= cursors.decode_cursor(cursor)


def test_executives_get_journeys_versions_and_personas_for_self_audits(plan, executive, api, org):
    body = feed(api(executive), org)
    assert body["visits"] == []
    assert [j["id"] for j in body["journeys"]] == [plan.journey.pk]
    assert [v["id"] for v in body["checklist_versions"]] == [plan.version.pk]
    assert any(p["is_ordinary"] for p in body["personas"])


def test_the_feed_takes_a_constant_number_of_queries(plan, auditor, api, org):
    def count():
        with CaptureQueriesContext(connection) as queries:
            feed(api(auditor), org)
        return len(queries)

    small = count()
    for _ in range(3):
        extra = make_plan(org)
        make_visit(extra, auditor)
        make_audit(extra, auditor, visit=make_visit(extra, auditor))
    assert count() == small


def test_a_cursor_the_server_did_not_give_is_refused(plan, auditor, api, org):
    answer = api(auditor).get(f"/api/v1/sync?organization={org.pk}&since=garbage")
    assert answer.status_code == 400 and "since" in answer.json()["error"]["fields"]


def test_another_organization_is_not_found(plan, outsider, api, org):
    assert api(outsider).get(f"/api/v1/sync?organization={org.pk}").status_code == 404
    assert api(outsider).get("/api/v1/sync").status_code == 400


def test_signed_out_is_refused(plan, api, org):
    assert api(None).get(f"/api/v1/sync?organization={org.pk}").status_code in (401, 403)


def test_only_this_users_audits_and_photos_are_listed(plan, auditor, api, org):
    theirs = make_audit(plan, new_auditor(org), state="draft")
    make_photo(theirs)
    body = feed(api(auditor), org)
    assert body["audits"] == [] and body["photos"] == []
    assert str(uuid.UUID(str(theirs.pk))) not in str(body)
