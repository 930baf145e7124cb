import pytest
import yaml
from django.test import Client as HttpClient
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_and_lists_the_api():
    answer = HttpClient().get("/api/schema/")
    assert answer.status_code == 200
    schema = yaml.safe_load(answer.content)
    validate(schema)
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]


def test_browsable_docs_are_served_without_a_cdn():
    answer = HttpClient().get("/api/docs/")
    assert answer.status_code == 200
    assert b"swagger" in answer.content.lower()
    assert b"cdn.jsdelivr" not in answer.content


def test_admin_sign_in_page_and_every_model_registered(owner):
    from django.apps import apps
    from django.contrib import admin

    assert HttpClient().get("/admin/login/").status_code == 200
    ours = [m for m in apps.get_models() if m._meta.app_label in {"audits", "journeys"}]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert missing == []
