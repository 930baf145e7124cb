"""A real Celery worker (not eager mode) consumes tasks: on the default filesystem transport, and on
Redis. `start_worker` runs the worker in-process; the task writes to the real storage."""

from __future__ import annotations

import time
import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.storage import default_storage

from tests.services import redis_url

pytestmark = pytest.mark.django_db(transaction=True)


def make_app(broker_url: str, transport_options: dict) -> Celery:
    # Not the current app: shared tasks elsewhere in the suite keep resolving to the project's app.
    app = Celery("touchpoint-test", task_cls="celery.contrib.django.task:DjangoTask", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker_url, broker_transport_options=transport_options, task_always_eager=False)
    app.autodiscover_tasks(["audits"], force=True)
    return app


def run_probe(app: Celery) -> str:
    name = uuid.uuid4().hex
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        app.send_task("audits.write_probe", args=[name, "written by a worker"])
        deadline = time.monotonic() + 20
        path = f"probes/{name}.txt"
        while time.monotonic() < deadline and not default_storage.exists(path):
            time.sleep(0.1)
    assert default_storage.exists(path), "the worker did not run the task"
    with default_storage.open(path) as fh:
        return fh.read().decode()


def test_worker_on_the_default_filesystem_transport(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    app = make_app("filesystem://", {
        "data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"]),
    })
    assert run_probe(app) == "written by a worker"


@pytest.mark.services
def test_worker_on_redis():
    app = make_app(redis_url(), {"visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
        "visibility_timeout", 900)})
    assert run_probe(app) == "written by a worker"
