"""Compiling a report: the figures (`aggregate.build`), the document's `meta`, the four files, then the
report made visible and its requester e-mailed. `report_compile` is what the `compile_report` task runs
(the task and the services that queue it are in `audits.reports.requests`). It is safe to run twice and
safe to lose:

- a run claims the row with a conditional UPDATE (queued or running → running, with a fresh claim token);
  a later run — another worker after this one was killed — takes the row over the same way, and every
  progress write and the final one check the token, so a run that lost its claim stops;
- outputs are written under a folder named by the claim token, which no row points at yet;
- one UPDATE sets the result, the output names and the state `ready` together: a killed worker leaves
  nothing half-visible (at worst orphan files, removed by the next run).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from typing import cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from accounts.errors import ValidationFailed
from audits.models import Location, Report, ReportState
from audits.reports import render
from audits.reports.aggregate import Progress, build
from audits.reports.document import ReportDocument, ReportFigures, ReportMeta
from audits.reports.scope import Scope
from journeys.models import Persona

log = logging.getLogger(__name__)


class ReportLost(Exception):
    """Another run took this report over (or it was retried): this run stops and writes nothing."""


def _folder(report: Report, token: str) -> str:
    return f"reports/{report.organization_id}/{report.pk}/{token}"


def _remove_folder(folder: str) -> None:
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def _scope_text(scope: Scope) -> str:
    parts = []
    wave = scope.wave()
    if wave is not None:
        parts.append(f"wave {wave.name} ({wave.starts_on} to {wave.ends_on})")
    elif scope.period_from or scope.period_to:
        parts.append(f"walks submitted {scope.period_from or '…'} to {scope.period_to or '…'}")
    else:
        parts.append("all approved walks")
    if scope.location_ids:
        names = list(Location.objects.filter(pk__in=scope.location_ids).values_list("name", flat=True))
        parts.append("locations " + ", ".join(sorted(names)))
    if scope.persona_id:
        persona = Persona.objects.filter(pk=scope.persona_id).first()
        parts.append(f"persona {persona}")
    return "; ".join(parts)


def report_compile(*, report_id: int) -> Report | None:
    """Compiles the report (idempotent: a ready or failed report is left as it is)."""
    before = Report.objects.filter(pk=report_id).values("claim", "state").first()
    if before is None or before["state"] not in (ReportState.QUEUED, ReportState.RUNNING):
        return None
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = Report.objects.filter(pk=report_id, state__in=[ReportState.QUEUED, ReportState.RUNNING]).update(
        state=ReportState.RUNNING, claim=token, attempts=F("attempts") + 1, started_at=now, progress=1,
        stage="Starting", error="", updated_at=now)
    if not claimed:
        return None
    report = Report.objects.select_related("journey", "client").get(pk=report_id)
    if before["claim"] and before["claim"] != token:
        _remove_folder(_folder(report, before["claim"]))  # a killed run's files: never visible, now gone

    def progress(percent: int, stage: str) -> None:
        moved = Report.objects.filter(pk=report_id, claim=token, state=ReportState.RUNNING).update(
            progress=percent, stage=stage, updated_at=timezone.now())
        if not moved:
            raise ReportLost(report_id)

    folder = _folder(report, token)
    try:
        scope = Scope.from_json(report.organization_id, report.scope)
        result = _document(report, scope, build(scope, progress))
        names = _write_outputs(report, result, scope, folder, progress)
        finished = Report.objects.filter(pk=report_id, claim=token, state=ReportState.RUNNING).update(
            state=ReportState.READY, progress=100, stage="Ready", result=result, finished_at=timezone.now(),
            updated_at=timezone.now(), claim="", **names)
        if not finished:
            raise ReportLost(report_id)
    except ReportLost:
        log.warning("report %s: this run lost its claim; another run owns it", report_id)
        _remove_folder(folder)
        return None
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task retries; the next run takes the row over
    except Exception as exc:
        log.exception("report %s failed", report_id)
        _remove_folder(folder)
        Report.objects.filter(pk=report_id, claim=token).update(
            state=ReportState.FAILED, error=_reason(exc), stage="Failed", updated_at=timezone.now(), claim="")
        return Report.objects.get(pk=report_id)
    report.refresh_from_db()
    _notify(report)
    return report


def _document(report: Report, scope: Scope, figures: ReportFigures) -> ReportDocument:
    meta: ReportMeta = {
        "report_id": report.pk, "number": report.number, "data_version": report.data_version,
        "title": report.title, "client": report.client.name, "journey": report.journey.name,
        "scope_text": _scope_text(scope), "generated_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "methodology": render.METHODOLOGY,
    }
    return {**figures, "meta": meta}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return exc.message
    return (f"The report could not be compiled ({type(exc).__name__}: {str(exc)[:200]}). "
            "Retry it; if it fails again, tell your Touchpoint administrator.")


def _write_outputs(report: Report, result: ReportDocument, scope: Scope, folder: str,
                   progress: Progress) -> dict[str, str]:
    base = f"touchpoint-report-{report.pk}-v{report.number}"
    audits = scope.field_audits()
    names: dict[str, str] = {}

    progress(70, "Writing the HTML page")
    page = render.html(result)
    with tempfile.TemporaryFile() as fh:
        fh.write(page.encode())
        fh.seek(0)
        names["html"] = default_storage.save(f"{folder}/{base}.html", File(fh))

    progress(78, "Printing the PDF")
    with tempfile.TemporaryFile() as fh:
        render.write_pdf(page, fh)
        fh.seek(0)
        names["pdf"] = default_storage.save(f"{folder}/{base}.pdf", File(fh))
    del page

    progress(90, "Writing the XLSX workbook")
    with tempfile.TemporaryFile() as fh:
        render.write_xlsx(result, audits, fh)
        fh.seek(0)
        names["xlsx"] = default_storage.save(f"{folder}/{base}.xlsx", File(fh))

    progress(95, "Writing the CSV files")
    with tempfile.TemporaryFile() as fh:
        render.write_csv_zip(result, audits, fh)
        fh.seek(0)
        names["csv"] = default_storage.save(f"{folder}/{base}-csv.zip", File(fh))
    return names


def _notify(report: Report) -> None:
    """E-mail the requester once (conditional UPDATE on notified_at), after the report is visible."""
    if not report.notify or report.requested_by is None or not report.requested_by.email:
        return
    won = Report.objects.filter(pk=report.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not won:
        return
    document = cast(ReportDocument, report.result)
    send_mail(
        subject=f"Friction report ready: {report.title}",
        message=(f"Your friction report “{report.title}” (version {report.number}) is ready.\n\n"
                 f"{document['totals']['walks']} approved walks. Open it in Touchpoint: "
                 f"{settings.TOUCHPOINT_PUBLIC_URL.rstrip('/')}/api/v1/reports/{report.pk}/html\n"),
        from_email=None, recipient_list=[report.requested_by.email], fail_silently=False)
