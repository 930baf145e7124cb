"""Requesting and compiling reports.

`report_request` finds or makes the row for (scope, data version) and queues its compile after commit.
`report_compile` is what the Celery task runs. It is safe to run twice and safe to lose:

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

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.errors import Conflict, NotAllowed, ValidationFailed
from accounts.models import Client
from accounts.tenancy import MANAGING_ROLES
from audits.models import Location, Report, ReportState, Wave
from audits.reports import render
from audits.reports.aggregate import build
from audits.reports.scope import Scope
from journeys.models import Journey, Persona

log = logging.getLogger(__name__)


class ReportLost(Exception):
    """Another run took this report over (or it was retried): this run stops and writes nothing."""


# -- requesting ----------------------------------------------------------------------------------------

def report_scope(*, user, wave: Wave | None = None, client: Client | None = None, journey: Journey | None = None,
                 locations: list[Location] | None = None, period_from=None, period_to=None,
                 persona: Persona | None = None) -> Scope:
    """Checks a requested scope (rows already visible to `user`) and makes it canonical."""
    locations = list(locations or [])
    if wave is not None:
        if journey is not None and journey.pk != wave.journey_id:
            raise ValidationFailed("The wave belongs to another journey.", fields={"journey": ["Not the wave's."]})
        journey, client = wave.journey, wave.client
    if journey is None:
        raise ValidationFailed("Name a wave, or a journey to report on.", fields={"journey": ["Required."]})
    if client is not None and client.pk != journey.client_id:
        raise ValidationFailed("The journey belongs to another client.", fields={"client": ["Not the journey's."]})
    if period_from and period_to and period_from > period_to:
        raise ValidationFailed("The period ends before it starts.", fields={"period_to": ["Before period_from."]})
    org_id = journey.organization_id
    if not user.memberships.filter(organization_id=org_id, role__in=MANAGING_ROLES).exists():
        raise NotAllowed("Only owners and managers of this organization compile reports.")
    for loc in locations:
        if loc.client_id != journey.client_id:
            raise ValidationFailed(f"{loc.name} is not a location of this client.", fields={"locations": [loc.name]})
    if persona is not None and persona.organization_id != org_id:
        raise ValidationFailed("Unknown persona.", fields={"persona": ["Not found."]})
    if wave is not None:
        return Scope(organization_id=org_id, client_id=journey.client_id, journey_id=journey.pk, wave_id=wave.pk,
                     location_ids=tuple(sorted(loc.pk for loc in locations)),
                     persona_id=persona.pk if persona else None)
    return Scope(organization_id=org_id, client_id=journey.client_id, journey_id=journey.pk,
                 location_ids=tuple(sorted(loc.pk for loc in locations)), period_from=period_from,
                 period_to=period_to, persona_id=persona.pk if persona else None)


def _title(scope: Scope) -> str:
    journey = Journey.objects.select_related("client").get(pk=scope.journey_id)
    wave = scope.wave()
    if wave is not None:
        return f"{journey.client.name} · {journey.name} · {wave.name}"
    if scope.period_from or scope.period_to:
        return f"{journey.client.name} · {journey.name} · {scope.period_from or '…'} to {scope.period_to or '…'}"
    return f"{journey.client.name} · {journey.name}"


def report_request(*, user, scope: Scope, notify: bool = False, enqueue: bool = True) -> tuple[Report, bool]:
    """The report of `scope` over the data as it is now: (report, whether a compile was queued).
    The same scope over the same data answers the existing report; a failed one is queued again."""
    data_version, walks = scope.fingerprint()
    if walks == 0:
        raise ValidationFailed("No approved field walk matches this scope yet: there is nothing to report.",
                               code="no_walks")
    key = scope.key()
    for _ in range(3):
        existing = Report.objects.filter(organization_id=scope.organization_id, scope_key=key,
                                         data_version=data_version).first()
        if existing is not None:
            queued = existing.state == ReportState.FAILED and report_retry(report=existing, enqueue=enqueue)
            return existing, bool(queued) or existing.state in (ReportState.QUEUED, ReportState.RUNNING)
        last = Report.objects.filter(organization_id=scope.organization_id, scope_key=key).aggregate(n=Max("number"))
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    organization_id=scope.organization_id, client_id=scope.client_id, journey_id=scope.journey_id,
                    wave_id=scope.wave_id, title=_title(scope), scope=scope.as_json(), scope_key=key,
                    data_version=data_version, number=(last["n"] or 0) + 1, requested_by=user, notify=notify)
        except IntegrityError:
            continue  # the same request at the same moment, or the next number taken: look again
        if enqueue:
            _enqueue(report.pk)
        return report, True
    raise Conflict("The report is being requested by someone else at this moment; try again.")


def _enqueue(report_id: int) -> None:
    compile_report.delay_on_commit(report_id)


@transaction.atomic
def report_retry(*, report: Report, enqueue: bool = True) -> bool:
    """A failed report goes back to the queue (conditional UPDATE: two retries queue it once)."""
    done = Report.objects.filter(pk=report.pk, state=ReportState.FAILED).update(
        state=ReportState.QUEUED, progress=0, stage="", error="", updated_at=timezone.now())
    if not done:
        if report.state == ReportState.READY:
            raise Conflict("This report is ready: there is nothing to retry.")
        return False
    report.refresh_from_db()
    if enqueue:
        _enqueue(report.pk)
    return True


# -- compiling -----------------------------------------------------------------------------------------

def _folder(report: Report, token: str) -> str:
    return f"reports/{report.organization_id}/{report.pk}/{token}"


def _remove_folder(folder: str) -> None:
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def _scope_text(scope: Scope, result: dict) -> str:
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
        result = build(scope, progress)
        result["meta"] = {
            "report_id": report.pk, "number": report.number, "data_version": report.data_version,
            "title": report.title, "client": report.client.name, "journey": report.journey.name,
            "scope_text": _scope_text(scope, result), "generated_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
            "methodology": render.METHODOLOGY,
        }
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


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return exc.message
    return (f"The report could not be compiled ({type(exc).__name__}: {str(exc)[:200]}). "
            "Retry it; if it fails again, tell your Touchpoint administrator.")


def _write_outputs(report: Report, result: dict, scope: Scope, folder: str, progress) -> dict[str, str]:
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
    send_mail(
        subject=f"Friction report ready: {report.title}",
        message=(f"Your friction report “{report.title}” (version {report.number}) is ready.\n\n"
                 f"{report.result['totals']['walks']} approved walks. Open it in Touchpoint: "
                 f"{settings.TOUCHPOINT_PUBLIC_URL.rstrip('/')}/api/v1/reports/{report.pk}/html\n"),
        from_email=None, recipient_list=[report.requested_by.email], fail_silently=False)


@shared_task(name="audits.compile_report", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=120,
             max_retries=5)
def compile_report(report_id: int) -> str:
    """The task that compiles one report. Acknowledged late and rejected on worker loss: a worker killed
    mid-compile leaves the message unacknowledged, so the broker hands it to another worker (with Redis,
    after the visibility timeout), which takes the report over; retries use countdowns far below it."""
    report = report_compile(report_id=report_id)
    return report.state if report is not None else "no-op"
