import pytest
import yaml
from django.apps import apps
from django.contrib import admin
from django.test import Client as HttpClient
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def served_schema() -> dict:
    answer = HttpClient().get("/api/schema/")
    assert answer.status_code == 200
    return yaml.safe_load(answer.content)


def test_openapi_schema_validates_and_lists_the_api():
    schema = served_schema()
    validate(schema)
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]


def test_the_phones_endpoints_are_typed_and_refuse_with_the_error_body():
    schema = served_schema()
    put = schema["paths"]["/api/v1/audits/{id}"]["put"]
    feed = schema["paths"]["/api/v1/sync"]["get"]

    def body(answer: dict) -> dict:
        return answer["content"]["application/json"]["schema"]

    assert body(put["requestBody"]) == {"$ref": "#/components/schemas/AuditBodyRequest"}
    assert body(put["responses"]["200"]) == body(put["responses"]["201"]) == {
        "$ref": "#/components/schemas/AuditStored"}
    assert body(feed["responses"]["200"]) == {"$ref": "#/components/schemas/SyncFeed"}
    assert all(body(put["responses"][code]) == ERROR_BODY for code in ("400", "403", "404"))
    assert body(put["responses"]["409"]) == {"$ref": "#/components/schemas/AuditFrozenBody"}
    assert all(body(feed["responses"][code]) == ERROR_BODY for code in ("400", "404"))
    components = schema["components"]["schemas"]
    assert set(components["SyncFeed"]["properties"]) == {
        "cursor", "visits", "journeys", "checklist_versions", "scenarios", "locations", "personas", "friction_tags",
        "audits", "photos"}


def test_browsable_docs_are_served_without_a_cdn():
    answer = HttpClient().get("/api/docs/")
    assert answer.status_code == 200
    assert b"swagger" in answer.content.lower()
    assert b"cdn.jsdelivr" not in answer.content


def test_admin_sign_in_page_and_every_model_registered(owner):
    assert HttpClient().get("/admin/login/").status_code == 200
    ours = [m for m in apps.get_models() if m._meta.app_label in {"audits", "journeys"}]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert missing == []
