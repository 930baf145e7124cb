"""The reports API: request (202), progress, downloads, who may read what, share links and /r/<token>."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Client
from audits.models import Report, ReportState, ShareLink
from audits.reports import requests as requesting
from audits.reports.compile import report_compile
from tests.audits.report_factories import make_world, small_wave
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    ids: list[int] = []
    monkeypatch.setattr(requesting, "_enqueue", ids.append)
    return ids


@pytest.fixture
def world(org, auditor, client_brand):
    return make_world(org, auditor, client=client_brand)


@pytest.fixture
def wave(world, manager):
    return small_wave(world, created_by=manager)


@pytest.fixture
def ready(api, manager, wave, queued) -> Report:
    answer = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json")
    assert answer.status_code == 202
    return report_compile(report_id=answer.json()["id"])


def test_a_manager_requests_a_report_and_gets_202_with_its_id(api, manager, wave, queued):
    answer = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json")

    assert answer.status_code == 202
    body = answer.json()
    assert body["state"] == "queued" and body["number"] == 1 and body["downloads"] == {}
    assert queued == [body["id"]] and answer["Location"] == f"/api/v1/reports/{body['id']}"


def test_progress_is_readable_while_it_runs(api, manager, wave, queued):
    report_id = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json").json()["id"]
    Report.objects.filter(pk=report_id).update(state=ReportState.RUNNING, progress=45, stage="Heat map")

    body = api(manager).get(f"/api/v1/reports/{report_id}").json()

    assert (body["state"], body["progress"], body["stage"]) == ("running", 45, "Heat map")


def test_a_ready_report_lists_its_downloads_and_serves_them(api, manager, ready):
    body = api(manager).get(f"/api/v1/reports/{ready.pk}").json()
    assert body["state"] == "ready" and body["summary"]["totals"]["walks"] == 3
    assert set(body["downloads"]) == {"html", "pdf", "xlsx", "csv"}

    html = api(manager).get(body["downloads"]["html"])
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in html["Content-Security-Policy"]
    assert b"Fix first" in b"".join(html.streaming_content)
    pdf = api(manager).get(body["downloads"]["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    xlsx = api(manager).get(body["downloads"]["xlsx"])
    assert "attachment" in xlsx["Content-Disposition"]
    assert api(manager).get(body["downloads"]["csv"])["Content-Type"] == "application/zip"


def test_the_same_request_again_answers_the_ready_report(api, manager, wave, ready):
    answer = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["id"] == ready.pk


def test_downloads_of_a_report_not_ready_are_a_conflict(api, manager, wave, queued):
    report_id = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json").json()["id"]
    answer = api(manager).get(f"/api/v1/reports/{report_id}/pdf")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_ready"


def test_a_filter_scope_by_journey_locations_and_period(api, manager, world, wave, queued):
    answer = api(manager).post("/api/v1/reports", {
        "journey": world.journey.pk, "locations": [world.locations[0].pk],
        "period_from": "2026-03-01", "period_to": "2026-03-31"}, format="json")
    assert answer.status_code == 202
    report = report_compile(report_id=answer.json()["id"])
    assert report.result["totals"]["walks"] == 2 and report.scope["locations"] == [world.locations[0].pk]


def test_a_scope_with_nothing_to_report_is_refused(api, manager, world, queued):
    answer = api(manager).post("/api/v1/reports", {"journey": world.journey.pk, "period_from": "2030-01-01"},
                               format="json")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "no_walks"


def test_auditors_and_client_viewers_cannot_request_reports(api, auditor, viewer, wave):
    for user in (auditor, viewer):
        assert api(user).post("/api/v1/reports", {"wave": wave.pk}, format="json").status_code == 403


def test_a_client_viewer_reads_only_ready_reports_of_their_client(api, org, manager, viewer, ready, wave, queued):
    other_client = Client.objects.create(organization=org, name="Another brand")
    other = make_member(org, "other-viewer@acme.test", "client_viewer", client=other_client)
    assert api(viewer).get(f"/api/v1/reports/{ready.pk}").status_code == 200
    assert api(viewer).get(f"/api/v1/reports/{ready.pk}/pdf").status_code == 200
    assert api(other).get(f"/api/v1/reports/{ready.pk}").status_code == 404
    Report.objects.filter(pk=ready.pk).update(state=ReportState.RUNNING)
    assert api(viewer).get(f"/api/v1/reports/{ready.pk}").status_code == 404


def test_auditors_do_not_read_reports(api, auditor, ready):
    assert api(auditor).get(f"/api/v1/reports/{ready.pk}").status_code == 404


def test_a_failed_report_can_be_retried(api, manager, ready, queued):
    Report.objects.filter(pk=ready.pk).update(state=ReportState.FAILED, error="boom")
    answer = api(manager).post(f"/api/v1/reports/{ready.pk}/retry")
    assert answer.status_code == 202 and answer.json()["state"] == "queued" and queued[-1] == ready.pk


# -- share links ---------------------------------------------------------------------------------------

def test_a_share_link_opens_the_report_without_an_account(api, manager, ready):
    answer = api(manager).post("/api/v1/share-links", {"report": ready.pk, "days": 7}, format="json")
    assert answer.status_code == 201
    url = answer.json()["url"]
    path = url.split("testserver", 1)[1]

    page = api(None).get(path)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert b"Fix first" in b"".join(page.streaming_content)
    assert page["X-Robots-Tag"].startswith("noindex") and page["Cache-Control"] == "private, no-store"
    pdf = api(None).get(path + "?format=pdf")
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert ShareLink.objects.get().opened_count == 2


def test_a_revoked_link_no_longer_opens(api, manager, ready):
    link = api(manager).post("/api/v1/share-links", {"report": ready.pk}, format="json").json()
    path = link["url"].split("testserver", 1)[1]

    answer = api(manager).delete(f"/api/v1/share-links/{link['id']}")

    assert answer.status_code == 200 and answer.json()["active"] is False
    assert api(None).get(path).status_code == 404


def test_an_expired_or_tampered_link_does_not_open(api, manager, ready):
    link = api(manager).post("/api/v1/share-links", {"report": ready.pk}, format="json").json()
    path = link["url"].split("testserver", 1)[1]
    assert api(None).get(path[:-3] + "xyz").status_code == 404
    ShareLink.objects.filter(pk=link["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(None).get(path).status_code == 404


def test_only_managers_share_and_only_ready_reports(api, viewer, manager, ready):
    assert api(viewer).post("/api/v1/share-links", {"report": ready.pk}, format="json").status_code == 403
    Report.objects.filter(pk=ready.pk).update(state=ReportState.RUNNING)
    answer = api(manager).post("/api/v1/share-links", {"report": ready.pk}, format="json")
    assert answer.status_code == 409


def test_the_result_document_of_a_ready_report(api, viewer, ready):
    body = api(viewer).get(f"/api/v1/reports/{ready.pk}/result").json()
    assert body["totals"]["walks"] == 3 and [s["name"] for s in body["steps"]] == [
        "Find the entrance", "Check in", "Room light"]


def test_lists_filter_by_wave_and_take_the_same_queries_for_more_reports(api, manager, ready, wave,
                                                                         django_assert_max_num_queries):
    from tests.audits.report_factories import make_report

    assert [r["id"] for r in api(manager).get(f"/api/v1/reports?wave={wave.pk}").json()["results"]] == [ready.pk]
    assert api(manager).get("/api/v1/reports?wave=999999").json()["results"] == []
    for _ in range(5):
        make_report(ready.organization)
    client = api(manager)
    with django_assert_max_num_queries(6):
        answer = client.get("/api/v1/reports")
    assert answer.status_code == 200 and len(answer.json()["results"]) == 6
    assert all(r["summary"] is None for r in answer.json()["results"])
