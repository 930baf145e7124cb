"""Compiling a report: outputs, versions, idempotence, failure and retry, a lost claim, beat and e-mail."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from accounts.errors import Conflict, ValidationFailed
from audits.models import Report, ReportState
from audits.reports import render
from audits.reports import requests as requesting
from audits.reports.compile import report_compile
from audits.reports.requests import report_request, report_retry, report_scope
from audits.tasks import compile_closed_waves
from tests.audits.report_factories import make_wave, make_world, small_wave, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Report ids queued on commit (the tests run the compile themselves)."""
    ids: list[int] = []
    monkeypatch.setattr(requesting, "_enqueue", ids.append)
    return ids


@pytest.fixture
def world(org, auditor):
    return make_world(org, auditor)


@pytest.fixture
def wave(world, manager):
    return small_wave(world, created_by=manager)


def request(user, wave, **kw):
    return report_request(user=user, scope=report_scope(user=user, wave=wave), **kw)


def storage_files(report: Report) -> list[str]:
    folder = f"reports/{report.organization_id}/{report.pk}"
    try:
        subfolders, _ = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{sub}/{name}" for sub in subfolders for name in default_storage.listdir(f"{folder}/{sub}")[1]]


def test_compile_writes_every_output_and_flips_to_ready(wave, manager, queued):
    report, was_queued = request(manager, wave)
    assert was_queued and queued == [report.pk] and report.state == ReportState.QUEUED and report.number == 1

    report = report_compile(report_id=report.pk)

    assert report.state == ReportState.READY and report.progress == 100 and report.attempts == 1
    assert report.result["totals"]["walks"] == 3
    page = report.html.read().decode()
    assert "Check in" in page and "Fix first" in page and "Methodology" in page
    assert "data:image/jpeg;base64," in page and "data:image/svg+xml;base64," in page
    assert report.pdf.read(5) == b"%PDF-"
    workbook = load_workbook(io.BytesIO(report.xlsx.read()), read_only=True)
    assert workbook.sheetnames == ["Steps", "Fix first", "Heat map", "Audits", "Methodology"]
    assert len(list(workbook["Audits"].iter_rows())) == 1 + 3
    with zipfile.ZipFile(io.BytesIO(report.csv.read())) as archive:
        assert sorted(archive.namelist()) == ["audits.csv", "fix_first.csv", "heatmap.csv", "steps.csv"]
        assert len(archive.read("audits.csv").decode().strip().splitlines()) == 1 + 3
        assert len(archive.read("steps.csv").decode().strip().splitlines()) == 1 + 3
    assert sorted(storage_files(report)) == sorted([report.html.name, report.pdf.name, report.xlsx.name,
                                                    report.csv.name])


def test_same_scope_over_the_same_data_is_the_same_report(wave, manager, queued):
    first, _ = request(manager, wave)
    again, was_queued = request(manager, wave)
    assert again.pk == first.pk and was_queued  # still queued: no second compile asked for
    report_compile(report_id=first.pk)
    again, was_queued = request(manager, wave)
    assert again.pk == first.pk and not was_queued and queued == [first.pk]


def test_new_data_gives_a_new_version_and_the_old_one_stays_readable(world, wave, manager, queued):
    first, _ = request(manager, wave)
    report_compile(report_id=first.pk)
    walk(world, wave=wave, location=0, when=dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC),
         steps={0: {"outcome": "gave_up", "effort": 7, "friction": [("dead_end", 3)]}})

    second, _ = request(manager, wave)
    report_compile(report_id=second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (1, 2) and first.scope_key == second.scope_key
    assert first.data_version != second.data_version
    assert (first.result["totals"]["walks"], second.result["totals"]["walks"]) == (3, 4)
    assert first.state == second.state == ReportState.READY and first.html.read()


def test_a_ready_report_is_not_compiled_again(wave, manager, queued):
    report, _ = request(manager, wave)
    report_compile(report_id=report.pk)
    assert report_compile(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_scope_without_approved_walks_is_refused(world, manager):
    empty = make_wave(world, "Empty", dt.date(2026, 5, 1))
    with pytest.raises(ValidationFailed, match="No approved field walk"):
        request(manager, empty)


def test_a_failed_compile_says_why_leaves_no_file_and_can_be_retried(wave, manager, queued, monkeypatch):
    report, _ = request(manager, wave)
    real_pdf = render.write_pdf

    def broken(page, target):
        raise RuntimeError("pango is missing")

    monkeypatch.setattr(render, "write_pdf", broken)
    failed = report_compile(report_id=report.pk)

    assert failed.state == ReportState.FAILED and failed.stage == "Failed"
    assert "pango is missing" in failed.error and "Retry" in failed.error
    assert not failed.html and storage_files(failed) == []

    monkeypatch.setattr(render, "write_pdf", real_pdf)
    queued.clear()
    assert report_retry(report=failed) is True and queued == [report.pk]
    assert report_compile(report_id=report.pk).state == ReportState.READY
    with pytest.raises(Conflict):
        report_retry(report=Report.objects.get(pk=report.pk))


def test_a_run_that_lost_its_claim_writes_nothing(wave, manager, queued, monkeypatch):
    """Another worker took the report over while this one was rendering (e.g. after a redelivery)."""
    report, _ = request(manager, wave)
    real_html = render.html

    def taken_over(result):
        Report.objects.filter(pk=report.pk).update(claim="someone-else")
        return real_html(result)

    monkeypatch.setattr(render, "html", taken_over)
    assert report_compile(report_id=report.pk) is None

    report.refresh_from_db()
    assert report.state == ReportState.RUNNING and report.claim == "someone-else"
    assert not report.html and report.result is None and storage_files(report) == []


def test_a_new_run_takes_over_a_running_report_and_removes_the_dead_runs_files(wave, manager, queued):
    report, _ = request(manager, wave)
    Report.objects.filter(pk=report.pk).update(state=ReportState.RUNNING, claim="dead", attempts=1)
    orphan = default_storage.save(f"reports/{report.organization_id}/{report.pk}/dead/half.pdf",
                                  io.BytesIO(b"%PDF-half"))

    report = report_compile(report_id=report.pk)

    assert report.state == ReportState.READY and report.attempts == 2
    assert not default_storage.exists(orphan)


def test_beat_compiles_a_closed_waves_report_and_emails_who_planned_it(wave, manager, queued, mailoutbox, settings):
    settings.TOUCHPOINT_PUBLIC_URL = "http://127.0.0.1:8000/"
    assert compile_closed_waves() == 1
    report = Report.objects.get(wave=wave)
    assert report.requested_by == manager and report.notify

    report_compile(report_id=report.pk)
    assert compile_closed_waves() == 0  # the wave has its report

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [manager.email] and "Friction report ready" in mailoutbox[0].subject
    assert f"http://127.0.0.1:8000/api/v1/reports/{report.pk}/html" in mailoutbox[0].body
    report_compile(report_id=report.pk)
    assert len(mailoutbox) == 1
