"""The same photo sent concurrently (the field's most reported bug): one row, one stored file."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from audits.models import Photo
from audits.tasks import make_photo_renditions
from tests.audits.test_photos import form, stored_files
from tests.concurrency import run_in_threads
from tests.conftest import api_as
from tests.fieldwork_makers import jpeg_bytes, make_audit, make_plan
from tests.services import require_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]



def test_the_same_photo_sent_concurrently_is_stored_once(org, auditor, monkeypatch):
    require_postgresql()
    queued = []
    monkeypatch.setattr(make_photo_renditions, "delay_on_commit", queued.append)
    audit = make_audit(make_plan(org, auditor), auditor, state="draft")
    photo_id, data = uuid.uuid4(), jpeg_bytes(1200, 900)

    def send():
        answer = api_as(auditor).put(f"/api/v1/photos/{photo_id}", form(audit, data), format="multipart")
        return answer.status_code, answer.json()

    answers = run_in_threads([send for _ in range(40)], threads=12)
    assert sorted(status for status, _ in answers) == [200] * 39 + [201]
    assert {body["sha256"] for _, body in answers} == {hashlib.sha256(data).hexdigest()}
    assert Photo.objects.count() == 1
    assert stored_files() == [Photo.objects.get().original.name]
    assert queued == [str(photo_id)]
