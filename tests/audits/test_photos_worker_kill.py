"""A real `celery worker` process killed with SIGKILL half-way through a photo's renditions: the
unacknowledged task (acks_late + reject_on_worker_lost) comes back from Redis after its visibility timeout,
and a second worker makes the renditions. PostgreSQL shared with the workers."""

from __future__ import annotations

import hashlib
import os
import signal
import uuid

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audits.models import Photo
from tests.fieldwork_makers import jpeg_bytes, make_audit, make_plan
from tests.services import redis_url, require_postgresql
from tests.workers import database_url, start_worker, stop_workers, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3
APP = "tests.audits.rendition_worker_app"



def renditions() -> list[str]:
    found = []

    def walk(path):
        if not default_storage.exists(path):
            return
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    walk("renditions")
    return sorted(found)


def test_a_worker_killed_mid_rendition_leaves_the_photo_to_the_next_worker(org, auditor, tmp_path, monkeypatch):
    require_postgresql()
    broker = redis_url()
    # Celery prefers the CELERY_BROKER_URL environment variable to an app's own broker: point both the
    # sender and the workers at the test's Redis, whatever CI exported.
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    audit = make_audit(make_plan(org, auditor), auditor, state="draft")
    data = jpeg_bytes(2400, 1800)
    photo = Photo(organization_id=org.pk, audit=audit, sha256=hashlib.sha256(data).hexdigest(),
                  content_type="image/jpeg", size=len(data), width=2400, height=1800)
    photo.original.save(str(photo.pk), ContentFile(data))

    queue = f"renditions-kill-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "DATABASE_CONN_MAX_AGE": "0", "CELERY_BROKER_URL": broker,
           "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "TOUCHPOINT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "TOUCHPOINT_VAR_DIR": str(tmp_path / "var")}
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    # Not the current app: the shared tasks of later tests keep resolving to the project's app.
    sender = Celery("touchpoint-rendition-kill-test", broker=broker, set_as_current=False)
    sender.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    first = second = None
    try:
        first = start_worker(APP, "rkill1", queue, {**env, "TOUCHPOINT_TEST_RENDITION_PAUSE": "120"}, logs[0])
        sender.send_task("audits.make_photo_renditions", args=[str(photo.pk)], queue=queue)
        # Half-way: the 1600 px rendition is stored, the 400 px one is not, the row still says processing.
        wait_for(lambda: any(name.endswith("-1600.jpg") for name in renditions()), 90,
                 "the first worker to store the large rendition", logs)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        row = Photo.objects.get(pk=photo.pk)
        assert (row.state, row.attempts, bool(row.large), bool(row.small)) == ("processing", 1, False, False)

        second = start_worker(APP, "rkill2", queue, env, logs[1])
        done = wait_for(lambda: Photo.objects.filter(pk=photo.pk, state="ready").first(), 120,
                        "the redelivered task to finish on the second worker", logs)
    finally:
        stop_workers(first, second)
        sender.close()

    assert done.attempts == 2
    assert renditions() == sorted([done.large.name, done.small.name])  # the killed run left no stray copy
