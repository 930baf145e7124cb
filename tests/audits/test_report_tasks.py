"""The report tasks: the compile task is a no-op once done; beat re-queues reports whose task was lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits import tasks
from audits.models import Report, ReportState
from audits.reports import requests as requesting
from audits.reports.requests import report_request, report_scope
from tests.audits.report_factories import make_world, small_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(org, auditor, manager, monkeypatch):
    monkeypatch.setattr(requesting, "_enqueue", lambda report_id: None)
    wave = small_wave(make_world(org, auditor), created_by=manager)
    return report_request(user=manager, scope=report_scope(user=manager, wave=wave))[0]


def test_the_task_compiles_once_then_does_nothing(report):
    assert tasks.compile_report.run(report.pk) == ReportState.READY
    assert tasks.compile_report.run(report.pk) == "no-op"
    assert tasks.compile_report.run(999_999) == "no-op"


def test_the_task_acknowledges_late_and_is_rejected_on_worker_loss():
    assert tasks.compile_report.acks_late is True
    assert tasks.compile_report.reject_on_worker_lost is True


def test_beat_queues_again_a_report_whose_task_was_lost(report, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(tasks.compile_report, "delay", sent.append)
    stale = timezone.now() - tasks.REPORT_STUCK_AFTER - dt.timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(updated_at=stale)

    tasks.compile_closed_waves()

    assert sent == [report.pk]
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    sent.clear()
    tasks.compile_closed_waves()
    assert sent == []
