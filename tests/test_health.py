import pytest
from django.test import Client as HttpClient

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_backend_ok():
    answer = HttpClient().get("/healthz")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}


def test_healthz_names_the_broker_when_it_is_down(monkeypatch):
    # Writes go to broker_write_url (it falls back to broker_url): point it at a port nothing listens on.
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    answer = HttpClient().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["down"] == ["broker"]


def test_healthz_names_the_storage_when_it_is_down(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    answer = HttpClient().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["down"] == ["storage"]
