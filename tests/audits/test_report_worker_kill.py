"""A real `celery worker` process, killed with SIGKILL in the middle of a compile, leaves no half-written
report visible; the broker hands the unacknowledged task to a second worker, which takes the report over
and finishes it. Redis (visibility timeout of a few seconds) and PostgreSQL shared with the workers."""

from __future__ import annotations

import os
import signal
import uuid

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.storage import default_storage

from audits.models import Report, ReportState
from audits.reports.requests import report_request, report_scope
from tests.audits.report_factories import make_world, small_wave
from tests.services import redis_url, require_postgresql
from tests.workers import database_url, start_worker, stop_workers, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3


def test_a_worker_killed_mid_compile_leaves_nothing_visible_and_another_finishes_it(org, auditor, manager,
                                                                                    tmp_path, monkeypatch):
    require_postgresql()
    broker = redis_url()
    monkeypatch.setenv("CELERY_BROKER_URL", broker)  # Celery lets this variable override an app's broker
    world = make_world(org, auditor)
    wave = small_wave(world, created_by=manager)
    report, _ = report_request(user=manager, scope=report_scope(user=manager, wave=wave), enqueue=False)

    queue = f"reports-kill-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "DATABASE_CONN_MAX_AGE": "0", "CELERY_BROKER_URL": broker,
           "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "TOUCHPOINT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "TOUCHPOINT_VAR_DIR": str(tmp_path / "var")}
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    sender = Celery("touchpoint-kill-test", broker=broker, set_as_current=False)  # keep the project app current
    sender.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    first = second = None
    try:
        # The first worker sleeps on reaching 78 % (after the HTML was written, before the PDF).
        first = start_worker("tests.audits.report_worker_app", "kill1", queue,
                             {**env, "TOUCHPOINT_TEST_REPORT_PAUSE": "120"}, logs[0])
        sender.send_task("audits.compile_report", args=[report.pk], queue=queue)

        def paused():
            row = Report.objects.get(pk=report.pk)
            return row if row.state == ReportState.RUNNING and row.progress == 78 else None

        row = wait_for(paused, 90, "the first worker to reach the pause", logs)
        # Mid-compile: the HTML is already in storage under the run's temporary folder, but nothing points at it.
        assert row.attempts == 1 and not row.html and not row.pdf and row.result is None
        run_folder = f"reports/{report.organization_id}/{report.pk}/{row.claim}"
        assert default_storage.listdir(run_folder)[1], "the first run should have written its HTML already"

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        row = Report.objects.get(pk=report.pk)
        assert row.state == ReportState.RUNNING and not row.html and row.result is None

        second = start_worker("tests.audits.report_worker_app", "kill2", queue, env, logs[1])
        # The broker hands the unacknowledged task over once its visibility timeout has passed.
        wait_for(lambda: Report.objects.filter(pk=report.pk, attempts=2).exists(), 120, "the redelivery", logs)
        done = wait_for(lambda: Report.objects.filter(pk=report.pk, state=ReportState.READY).first(), 120,
                        "the second worker to finish the report", logs)
    finally:
        stop_workers(first, second)
        with sender.connection_for_write() as connection:  # the run's one-off queue leaves no keys behind
            client = connection.default_channel.client
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        sender.close()

    assert done.attempts == 2 and done.progress == 100 and done.result["totals"]["walks"] == 3
    assert done.html.read().startswith(b"<!doctype html>") and done.pdf.read(5) == b"%PDF-"
    # The killed run's files are gone (the next run removed them); nothing ever pointed at them.
    assert default_storage.listdir(run_folder)[1] == []
