"""Everything under /api/ answers in the one error format, with the right status, under dev settings too."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from journeys.models import Persona

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


@pytest.mark.parametrize("debug", [False, True], ids=["production-like", "debug"])
def test_unknown_api_routes_are_404_in_the_format(manager, api, settings, debug):
    settings.DEBUG = debug
    for path in ("/api/v1/nothing-here", "/api/v2/", "/api/v1/journeys/1/nope"):
        answer = api(manager).get(path)
        assert answer.status_code == 404, path
        assert error_of(answer)["code"] == "not_found"
    browser = APIClient(enforce_csrf_checks=True)  # an unsafe method without a CSRF token: still a 404
    assert browser.post("/api/v1/nothing-here", {}, format="json").status_code == 404


def test_a_body_over_the_limit_is_413_before_it_is_read(manager, api, settings):
    settings.TOUCHPOINT_MAX_BODY_BYTES = 1000
    answer = api(manager).post("/api/v1/clients", {"name": "x" * 2000}, format="json")
    assert answer.status_code == 413
    assert error_of(answer)["code"] == "too_large"


def test_a_csrf_failure_says_so(auditor):
    browser = APIClient(enforce_csrf_checks=True)
    browser.get("/api/v1/auth/csrf")
    refused = browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": "pw-for-tests-123"})
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "csrf_failed" and "CSRF" in error["message"]


def test_deleting_a_row_in_use_is_409_naming_what_uses_it(manager, org, api, client_brand):
    from tests.fieldwork_makers import make_plan

    plan = make_plan(org)
    answer = api(manager).delete(f"/api/v1/clients/{plan.wave.client_id}")
    assert answer.status_code == 409, answer.content
    error = error_of(answer)
    assert error["code"] == "in_use" and "in use" in error["message"]


def test_an_unexpected_exception_is_a_500_in_the_format_with_an_error_id_in_the_log(manager, api, monkeypatch,
                                                                                      caplog, settings):
    settings.DEBUG = True

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(Persona.objects, "visible_to", boom, raising=False)
    from accounts.api import base

    monkeypatch.setattr(base.TenantViewSet, "get_queryset", boom)
    client = api(manager)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="touchpoint.api"):
        answer = client.get("/api/v1/personas")
    assert answer.status_code == 500
    error = error_of(answer)
    assert error["code"] == "server_error" and error["error_id"] in error["message"]
    assert error["error_id"] in caplog.text and "kaboom" in caplog.text


@override_settings(DEBUG=True)
def test_method_not_allowed_is_405_in_the_format(manager, api):
    answer = api(manager).delete("/api/v1/me")
    assert answer.status_code == 405
    assert error_of(answer)["code"] == "method_not_allowed"
