"""The wire contract with the phone: real answers of the sync feed and of the audit PUT (stored, refused,
frozen) and the error body, validated with openapi-core against the schema the server serves at
`/api/schema/` — strictly: an object may carry no property its schema does not name, and an answer must
carry every property its schema names, so the schema says exactly what is sent (the PWA's types are
generated from it)."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

import pytest
import yaml
from django.test import Client as HttpClient
from django.utils import timezone
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse

from audits.models import Audit, Scenario, Visit
from tests.fieldwork_makers import make_audit, make_photo, make_plan

pytestmark = pytest.mark.django_db

HOST = "http://testserver"


@functools.cache
def _served_contract() -> OpenAPI:
    answer = HttpClient().get("/api/schema/")
    assert answer.status_code == 200
    # The schema itself is checked by tests/test_schema.py; here it is only read.
    strict = Config(spec_validator_cls=None, additional_properties_default_policy="forbid",
                    response_properties_default_policy="required")
    return OpenAPI.from_dict(yaml.safe_load(answer.content), config=strict)


@pytest.fixture
def contract() -> OpenAPI:
    return _served_contract()


def _request(method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None) -> MockRequest:
    return MockRequest(HOST, method, path, args=query, cookies={"sessionid": "signed-in"},
                       data=None if body is None else json.dumps(body).encode())


def _response(answer) -> MockResponse:
    return MockResponse(answer.content, status_code=answer.status_code, content_type=answer["Content-Type"])


def put_audit(contract: OpenAPI, client, audit_id: uuid.UUID, body: dict[str, Any]):
    """PUT the audit (the body itself checked against the schema), and check the answer against it."""
    request = _request("put", f"/api/v1/audits/{audit_id}", body=body)
    contract.validate_request(request)
    answer = client.put(f"/api/v1/audits/{audit_id}", body, format="json")
    contract.validate_response(request, _response(answer))
    return answer


def get_feed(contract: OpenAPI, client, query: dict[str, Any]):
    answer = client.get("/api/v1/sync", query)
    contract.validate_response(_request("get", "/api/v1/sync", query=query), _response(answer))
    return answer


@pytest.fixture
def plan(org, auditor):
    return make_plan(org, auditor)


def test_the_sync_feed_is_what_the_schema_says(contract, plan, auditor, api, org):
    scenario = Scenario.objects.create(organization=org, client=plan.client, journey=plan.journey,
                                       title="Late arrival", brief="Arrive after 23:00.")
    Visit.objects.filter(pk=plan.visits[0].pk).update(scenario=scenario, review_comment="Photograph the switch")
    make_photo(make_audit(plan, auditor, state="draft"), item=plan.item("arrival_photo"))
    body = get_feed(contract, api(auditor), {"organization": org.pk}).json()
    # Every list has rows, so every row's schema was checked too.
    assert all(body[name] for name in ("visits", "journeys", "checklist_versions", "scenarios", "locations",
                                       "personas", "friction_tags", "audits", "photos"))
    later = get_feed(contract, api(auditor), {"organization": org.pk, "since": body["cursor"]})
    assert later.status_code == 200


def test_an_executives_feed_with_no_visits_is_what_the_schema_says(contract, plan, executive, api, org):
    body = get_feed(contract, api(executive), {"organization": org.pk}).json()
    assert body["visits"] == [] and body["journeys"]


def test_a_stored_audit_and_its_resend_answer_as_the_schema_says(contract, plan, auditor, api):
    audit_id = uuid.uuid4()
    first = put_audit(contract, api(auditor), audit_id, plan.body())
    again = put_audit(contract, api(auditor), audit_id, plan.body())
    older = put_audit(contract, api(auditor), audit_id, plan.body(revision=0))
    assert (first.status_code, again.status_code, older.json()["stored"]) == (201, 200, False)


def test_a_refused_audit_is_the_error_body_of_the_schema(contract, plan, auditor, api):
    body = plan.body(state="submitted", responses=plan.responses(arrival_effort=9))
    answer = put_audit(contract, api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [f"responses.{plan.item('arrival_effort').pk}.value"]


def test_a_missing_required_answer_is_keyed_by_its_item(contract, plan, auditor, api):
    body = plan.body(state="submitted", responses=plan.responses(arrival_effort=None))
    answer = put_audit(contract, api(auditor), uuid.uuid4(), body)
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert fields[f"responses.{plan.item('arrival_effort').pk}"] == ["Required before submitting."]


def test_a_frozen_audit_is_the_conflict_body_of_the_schema(contract, plan, auditor, api):
    audit_id = uuid.uuid4()
    put_audit(contract, api(auditor), audit_id, plan.body())
    Audit.objects.filter(pk=audit_id).update(state="submitted", submitted_at=timezone.now())
    answer = put_audit(contract, api(auditor), audit_id, plan.body(revision=2))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "audit_frozen" and answer.json()["error"]["revision"] == 1


def test_the_feeds_refusals_are_the_error_body_of_the_schema(contract, plan, auditor, outsider, api, org):
    bad_cursor = get_feed(contract, api(auditor), {"organization": org.pk, "since": "garbage"})
    not_yours = get_feed(contract, api(outsider), {"organization": org.pk})
    assert (bad_cursor.status_code, not_yours.status_code) == (400, 404)
    assert "since" in bad_cursor.json()["error"]["fields"]


@pytest.mark.parametrize("change", ["an undeclared property", "a missing property"])
def test_the_check_is_strict_about_properties(contract, plan, auditor, api, org, change):
    body = api(auditor).get("/api/v1/sync", {"organization": org.pk}).json()
    if change == "an undeclared property":
        body["visits"][0]["undeclared"] = 1
    else:
        del body["visits"][0]["review_comment"]
    request = _request("get", "/api/v1/sync", query={"organization": org.pk})
    with pytest.raises(OpenAPIError):
        contract.validate_response(request, MockResponse(json.dumps(body).encode(), status_code=200))
