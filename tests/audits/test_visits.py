"""Planning (audits/fieldwork/planning.py): locations, waves, visits one by one and from a CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import Location, Visit, Wave
from tests.fieldwork_makers import make_plan, make_visit, new_auditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org):
    return make_plan(org)


def window(hours_from_now=24, length=2):
    start = timezone.now() + timedelta(hours=hours_from_now)
    return start.isoformat(), (start + timedelta(hours=length)).isoformat()


def test_managers_create_locations_with_a_time_zone(plan, manager, api, org):
    body = {"organization": org.pk, "client": plan.client.pk, "name": "Lumen Kraków", "address": "Rynek 1",
            "latitude": "50.061700", "longitude": "19.937300", "timezone": "Europe/Warsaw"}
    answer = api(manager).post("/api/v1/locations", body)
    assert answer.status_code == 201, answer.json()
    assert Location.objects.get(pk=answer.json()["id"]).timezone == "Europe/Warsaw"
    bad = api(manager).post("/api/v1/locations", {**body, "timezone": "Mars/Olympus"})
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["timezone"])


def test_a_location_cannot_point_at_another_organizations_client(plan, manager, api, org, other_org):
    other = make_plan(other_org)
    answer = api(manager).post("/api/v1/locations", {"organization": org.pk, "client": other.client.pk,
                                                     "name": "X"})
    assert answer.status_code == 400 and "client" in answer.json()["error"]["fields"]


def test_auditors_cannot_plan(plan, auditor, api, org):
    assert api(auditor).post("/api/v1/locations", {"organization": org.pk, "client": plan.client.pk,
                                                   "name": "X"}).status_code in (400, 403)
    start, end = window()
    assert api(auditor).post("/api/v1/visits", {"wave": plan.wave.pk, "location": plan.location.pk,
                                                "auditor": auditor.pk, "window_start": start,
                                                "window_end": end}).status_code == 403
    assert not Visit.objects.exists()


def test_a_wave_needs_a_checklist_of_its_journey(plan, manager, api, org, other_org):
    body = {"organization": org.pk, "client": plan.client.pk, "journey": plan.journey.pk,
            "checklist_version": plan.version.pk, "persona": plan.persona.pk, "name": "Winter wave",
            "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    created = api(manager).post("/api/v1/waves", body)
    assert created.status_code == 201, created.json()
    assert Wave.objects.get(pk=created.json()["id"]).created_by == manager
    second = make_plan(org)
    answer = api(manager).post("/api/v1/waves", {**body, "checklist_version": second.version.pk})
    assert answer.status_code == 400 and "checklist_version" in answer.json()["error"]["fields"]
    backwards = api(manager).post("/api/v1/waves", {**body, "ends_on": "2026-11-01"})
    assert backwards.status_code == 400 and "ends_on" in backwards.json()["error"]["fields"]


def test_closing_a_wave_cancels_visits_not_walked(plan, manager, auditor, api):
    waiting, walked = make_visit(plan, auditor), make_visit(plan, auditor, status="submitted")
    answer = api(manager).post(f"/api/v1/waves/{plan.wave.pk}/close")
    assert answer.json()["status"] == "closed" and answer.json()["closed_at"]
    assert Visit.objects.get(pk=waiting.pk).status == "cancelled"
    assert Visit.objects.get(pk=walked.pk).status == "submitted"
    assert api(manager).post(f"/api/v1/waves/{plan.wave.pk}/close").status_code == 200  # again: no change


def test_a_visit_is_planned_one_by_one(plan, manager, auditor, api):
    start, end = window()
    answer = api(manager).post("/api/v1/visits", {"wave": plan.wave.pk, "location": plan.location.pk,
                                                  "auditor": auditor.pk, "window_start": start,
                                                  "window_end": end})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["auditor_email"], body["journey"], body["checklist_version"]) == (
        "scheduled", auditor.email, plan.journey.pk, plan.version.pk)


@pytest.mark.parametrize("problem", ["window", "auditor", "location"])
def test_a_bad_visit_is_refused(plan, manager, auditor, viewer, api, org, other_org, problem):
    start, end = window()
    body = {"wave": plan.wave.pk, "location": plan.location.pk, "auditor": auditor.pk, "window_start": start,
            "window_end": end}
    if problem == "window":
        body["window_end"] = body["window_start"]
    elif problem == "auditor":
        body["auditor"] = viewer.pk  # a member, but a client viewer
    else:
        body["location"] = make_plan(org).location.pk  # another client's location
    answer = api(manager).post("/api/v1/visits", body)
    assert answer.status_code == 400
    field = {"window": "window_end", "auditor": "auditor", "location": "location"}[problem]
    assert field in answer.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_auditors_read_only_their_own_visits(plan, auditor, executive, viewer, api, org):
    mine, theirs = make_visit(plan, auditor), make_visit(plan, new_auditor(org))
    assert [v["id"] for v in api(auditor).get("/api/v1/visits").json()["results"]] == [mine.pk]
    assert api(auditor).get(f"/api/v1/visits/{theirs.pk}").status_code == 404
    assert api(executive).get("/api/v1/visits").json()["results"] == []
    assert api(viewer).get("/api/v1/visits").json()["results"] == []


def test_a_visit_is_rescheduled_and_cancelled(plan, manager, auditor, api):
    visit = make_visit(plan, auditor)
    start, end = window(48)
    answer = api(manager).patch(f"/api/v1/visits/{visit.pk}", {"window_start": start, "window_end": end})
    assert answer.status_code == 200, answer.json()
    assert api(manager).post(f"/api/v1/visits/{visit.pk}/cancel").json()["status"] == "cancelled"
    assert api(manager).patch(f"/api/v1/visits/{visit.pk}", {"window_start": start}).status_code == 409


def csv_upload(text: str):
    return SimpleUploadedFile("visits.csv", text.encode(), content_type="text/csv")


def test_visits_are_created_in_bulk_from_a_csv(plan, manager, auditor, api, org):
    second = new_auditor(org)
    text = ("location,auditor,window_start,window_end\n"
            f"{plan.location.name},{auditor.email},2026-12-01T10:00,2026-12-01T12:00\n"
            f"{plan.location.pk},{second.email.upper()},2026-12-02T10:00:00+00:00,2026-12-02T12:00:00+00:00\n")
    answer = api(manager).post("/api/v1/visits/bulk", {"wave": plan.wave.pk, "file": csv_upload(text)},
                               format="multipart")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["created"] == 2
    first = Visit.objects.get(auditor=auditor)
    assert first.window_start.isoformat() == "2026-12-01T09:00:00+00:00"  # 10:00 in Warsaw
    assert Visit.objects.get(auditor=second).status == "scheduled"


def test_every_bad_row_is_reported_and_nothing_is_created(plan, manager, auditor, viewer, api):
    text = ("location,auditor,window_start,window_end\n"
            f"{plan.location.name},{auditor.email},2026-12-01T10:00,2026-12-01T12:00\n"
            f"Nowhere,{auditor.email},2026-12-01T10:00,2026-12-01T12:00\n"
            f"{plan.location.name},nobody@example.test,tomorrow,2026-12-01T12:00\n"
            f"{plan.location.name},{viewer.email},2026-12-01T12:00,2026-12-01T10:00\n")
    answer = api(manager).post("/api/v1/visits/bulk", {"wave": plan.wave.pk, "file": csv_upload(text)},
                               format="multipart")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {
        "rows.3.location", "rows.4.auditor", "rows.4.window_start", "rows.5.auditor", "rows.5.window_end"}
    assert "3 row(s)" in answer.json()["error"]["message"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("text", ["", "location,auditor\nx,y\n", "location,auditor,window_start,window_end\n"])
def test_a_csv_without_the_columns_or_rows_is_refused(plan, manager, api, text):
    answer = api(manager).post("/api/v1/visits/bulk", {"wave": plan.wave.pk, "file": csv_upload(text)},
                               format="multipart")
    assert answer.status_code == 400
    assert not Visit.objects.exists()


def test_bulk_into_another_organizations_wave_is_refused(plan, outsider, api):
    answer = api(outsider).post("/api/v1/visits/bulk", {"wave": plan.wave.pk, "file": csv_upload("x")},
                                format="multipart")
    assert answer.status_code == 400 and "wave" in answer.json()["error"]["fields"]


def test_client_viewers_see_only_their_clients_locations_and_waves(plan, viewer, api, client_brand, org):
    own = make_plan(org)
    Location.objects.filter(pk=own.location.pk).update(client=client_brand)
    Wave.objects.filter(pk=own.wave.pk).update(client=client_brand)
    assert [loc["id"] for loc in api(viewer).get("/api/v1/locations").json()["results"]] == [own.location.pk]
    assert [w["id"] for w in api(viewer).get("/api/v1/waves").json()["results"]] == [own.wave.pk]
    assert api(viewer).get(f"/api/v1/locations/{plan.location.pk}").status_code == 404


def test_the_visit_list_takes_a_constant_number_of_queries(plan, manager, api, org):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(manager).get("/api/v1/visits").status_code == 200
        return len(queries)

    make_visit(plan, new_auditor(org))
    few = count()
    for _ in range(5):
        make_visit(make_plan(org), new_auditor(org))
    assert count() == few
