import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_session_sign_in_needs_csrf_and_then_reads_me(auditor):
    browser = APIClient(enforce_csrf_checks=True)
    token = browser.get("/api/v1/auth/csrf").json()["csrfToken"]
    refused = browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": "pw-for-tests-123"})
    assert refused.status_code == 403  # no X-CSRFToken header
    answer = browser.post("/api/v1/auth/login", {"email": "AUDITOR@acme.test", "password": "pw-for-tests-123"},
                          HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200, answer.content
    me = browser.get("/api/v1/me").json()
    assert me["email"] == "auditor@acme.test"
    assert [(m["organization"]["slug"], m["role"]) for m in me["memberships"]] == [("acme", "auditor")]


def test_wrong_password_is_a_clear_error_in_the_one_format(auditor):
    answer = APIClient().post("/api/v1/auth/token", {"email": "auditor@acme.test", "password": "nope"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert "e-mail and password" in error["message"]


def test_token_sign_in_for_api_clients(manager):
    token = APIClient().post("/api/v1/auth/token", {"email": "manager@acme.test", "password": "pw-for-tests-123"})
    assert token.status_code == 201
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get("/api/v1/me").json()["memberships"][0]["role"] == "manager"


def test_anonymous_is_refused_with_the_error_format(db):
    answer = APIClient().get("/api/v1/me")
    assert answer.status_code in (401, 403)
    assert answer.json()["error"]["code"] == "not_authenticated"


def test_validation_errors_name_the_field(manager, org, api):
    answer = api(manager).post("/api/v1/clients", {"organization": org.pk, "name": ""})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert "name" in error["fields"]
    assert error["message"].startswith("name:")


def test_logout_ends_the_session(auditor):
    browser = APIClient()
    browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": "pw-for-tests-123"})
    assert browser.get("/api/v1/me").status_code == 200
    assert browser.post("/api/v1/auth/logout").status_code == 204
    assert browser.get("/api/v1/me").status_code in (401, 403)
