"""The served OpenAPI schema describes a real compiled report exactly: its result document and its detail
(summary and scope) validate against `/api/schema/` as openapi-core reads it (request, path and response),
with every section present, and with the optional ones null."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData

from audits.models import Report
from audits.reports.compile import report_compile
from tests.audits.report_factories import make_world, self_audit, small_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi(django_db_blocker) -> OpenAPI:
    with django_db_blocker.unblock():  # the schema is the same for every test here: served once
        answer = HttpClient().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return OpenAPI.from_dict(answer.json())


def compiled(api, manager, wave) -> Report:
    """Requested through the API (its compile queued after a commit that a test never makes), then compiled
    here as the worker would."""
    answer = api(manager).post("/api/v1/reports", {"wave": wave.pk}, format="json")
    assert answer.status_code == 202, answer.content
    report = report_compile(report_id=answer.json()["id"])
    assert report is not None and report.state == "ready", report and report.error
    return report


def check(openapi: OpenAPI, answer) -> None:
    assert answer.status_code == 200, answer.content
    openapi.validate_response(DjangoOpenAPIRequest(answer.wsgi_request), DjangoOpenAPIResponse(answer))


def test_a_report_with_every_section_matches_the_schema(api, openapi, org, auditor, manager, executive,
                                                        client_brand):
    world = make_world(org, auditor, client=client_brand)
    small_wave(world, "Winter", dt.date(2026, 1, 5), walks=2)
    wave = small_wave(world, "Spring", dt.date(2026, 3, 1), walks=4, created_by=manager)
    self_audit(world, auditor=executive, when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
               expectations={0: (4, 1), 1: (5, 2)})
    report = compiled(api, manager, wave)
    result = report.result
    assert result["trend"] and result["tiers"] and result["perception"] and result["fix_first"]
    assert any(card["photos"] and card["quotes"] for card in result["fix_first"])
    assert any(s["figures"] and s["figures"]["tags"] for s in result["steps"])

    check(openapi, api(manager).get(f"/api/v1/reports/{report.pk}/result"))
    check(openapi, api(manager).get(f"/api/v1/reports/{report.pk}"))
    check(openapi, api(manager).get("/api/v1/reports"))


def test_a_report_without_trend_tiers_or_perception_matches_the_schema(api, openapi, org, auditor, manager,
                                                                       client_brand):
    world = make_world(org, auditor, client=client_brand)
    wave = small_wave(world, walks=1, created_by=manager)
    report = compiled(api, manager, wave)
    assert (report.result["trend"], report.result["tiers"], report.result["perception"]) == (None, None, None)

    check(openapi, api(manager).get(f"/api/v1/reports/{report.pk}/result"))
    check(openapi, api(manager).get(f"/api/v1/reports/{report.pk}"))


def test_the_schema_refuses_a_document_that_drifts_from_it(api, openapi, org, auditor, manager, client_brand):
    """The check has teeth: a key the schema does not declare, or one it requires and is missing, fails."""
    world = make_world(org, auditor, client=client_brand)
    report = compiled(api, manager, small_wave(world, walks=2, created_by=manager))
    good = dict(report.result)
    for drifted in ({**good, "nps": 42}, {k: v for k, v in good.items() if k != "heatmap"},
                    {**good, "totals": {**good["totals"], "walks": "many"}}):
        Report.objects.filter(pk=report.pk).update(result=drifted)
        with pytest.raises(InvalidData):
            check(openapi, api(manager).get(f"/api/v1/reports/{report.pk}/result"))
