"""Sign-in is defended: failures throttled per account and per address, tokens per device that expire and
are revoked by logout and by a password change, and no demo account under production settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def token_for(email: str, password: str = PASSWORD, device: str = "", address: str = "10.0.0.1"):
    return APIClient().post("/api/v1/auth/token", {"email": email, "password": password, "device": device},
                            REMOTE_ADDR=address)


def signed_in(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_failed_sign_ins_are_throttled_per_account_even_with_the_right_password_after(auditor, settings):
    settings.SIGNIN_FAILURES_PER_ACCOUNT = 5
    for _ in range(5):
        assert token_for("auditor@acme.test", "wrong").status_code == 400
    answer = token_for("auditor@acme.test")  # the right password, too late
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    error = answer.json()["error"]
    assert error["code"] == "throttled" and "try again in" in error["message"]
    # the session sign-in shares the count
    browser = APIClient()
    assert browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": PASSWORD}).status_code == 429


def test_failed_sign_ins_are_throttled_per_address_across_accounts(auditor, manager, settings):
    settings.SIGNIN_FAILURES_PER_ADDRESS = 3
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        assert token_for(email, "wrong", address="10.9.9.9").status_code == 400
    assert token_for("manager@acme.test", address="10.9.9.9").status_code == 429
    assert token_for("manager@acme.test", address="10.1.1.1").status_code == 201


def test_a_success_clears_the_account_count(auditor, settings):
    settings.SIGNIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(2):
        token_for("auditor@acme.test", "wrong")
    assert token_for("auditor@acme.test").status_code == 201
    for _ in range(2):
        token_for("auditor@acme.test", "wrong")
    assert token_for("auditor@acme.test").status_code == 201


def test_each_sign_in_is_a_new_token_listed_and_revocable_by_its_owner(auditor, manager):
    phone = token_for("auditor@acme.test", device="Pixel 8").json()
    laptop = token_for("auditor@acme.test", device="Laptop").json()
    assert phone["token"] != laptop["token"] and phone["expiry"]
    listed = signed_in(phone["token"]).get("/api/v1/auth/tokens").json()
    assert {t["device"] for t in listed} == {"Pixel 8", "Laptop"}
    assert [t["current"] for t in listed if t["device"] == "Pixel 8"] == [True]
    assert all("token" not in t for t in listed)  # the secret is shown once, at sign-in
    # someone else cannot revoke it (404, as for a token that does not exist)
    other = token_for("manager@acme.test").json()["token"]
    assert signed_in(other).delete(f"/api/v1/auth/tokens/{laptop['id']}").status_code == 404
    assert signed_in(phone["token"]).delete(f"/api/v1/auth/tokens/{laptop['id']}").status_code == 204
    assert signed_in(laptop["token"]).get("/api/v1/me").status_code == 401
    assert signed_in(phone["token"]).get("/api/v1/me").status_code == 200


def test_logout_revokes_the_token_it_was_called_with(auditor):
    one = token_for("auditor@acme.test").json()["token"]
    two = token_for("auditor@acme.test").json()["token"]
    assert signed_in(one).post("/api/v1/auth/logout").status_code == 204
    assert signed_in(one).get("/api/v1/me").status_code == 401
    assert signed_in(two).get("/api/v1/me").status_code == 200


def test_tokens_expire(auditor):
    key = token_for("auditor@acme.test").json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert signed_in(key).get("/api/v1/me").status_code == 401


def test_a_password_change_revokes_every_token_and_other_sessions(auditor):
    keys = [token_for("auditor@acme.test").json()["token"] for _ in range(2)]
    other_browser = APIClient()
    other_browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": PASSWORD})
    browser = APIClient()
    browser.post("/api/v1/auth/login", {"email": "auditor@acme.test", "password": PASSWORD})
    wrong = browser.post("/api/v1/auth/password", {"old_password": "nope", "new_password": "a-much-better-one-42"})
    assert wrong.status_code == 400 and "old_password" in wrong.json()["error"]["fields"]
    weak = browser.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "123"})
    assert weak.status_code == 400 and "new_password" in weak.json()["error"]["fields"]
    changed = browser.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "a-much-better-one-42"})
    assert changed.status_code == 204
    assert all(signed_in(key).get("/api/v1/me").status_code == 401 for key in keys)
    assert other_browser.get("/api/v1/me").status_code in (401, 403)
    assert browser.get("/api/v1/me").status_code == 200  # the session that changed it stays
    assert token_for("auditor@acme.test", "a-much-better-one-42").status_code == 201


def test_a_password_set_outside_the_api_revokes_tokens_too(auditor):
    key = token_for("auditor@acme.test").json()["token"]
    auditor.set_password("set-by-the-admin-77")
    auditor.save()
    assert signed_in(key).get("/api/v1/me").status_code == 401


def test_demo_accounts_and_the_demo_password_are_refused_without_demo(org, settings):
    from audits.demo import DEMO_PASSWORD, seed_demo

    seed_demo(upto="accounts")
    User.objects.create_user("someone@acme.test", DEMO_PASSWORD)
    assert token_for("owner@demo.touchpoint.test", DEMO_PASSWORD).status_code == 201
    settings.DEMO_ALLOWED = False
    for email in ("owner@demo.touchpoint.test", "someone@acme.test"):
        answer = token_for(email, DEMO_PASSWORD, address=f"10.2.0.{len(email)}")
        assert answer.status_code == 400, email
        assert answer.json()["error"]["code"] == "invalid_credentials"


def test_the_deploy_check_names_demo_accounts_where_demo_is_off(settings):
    from audits.demo import seed_demo

    seed_demo(upto="accounts")
    settings.DEMO_ALLOWED = False
    with pytest.raises(SystemCheckError, match=r"touchpoint\.E001.*demo"):
        call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])
    User.objects.filter(email__endswith="@demo.touchpoint.test").update(is_active=False)
    call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])
