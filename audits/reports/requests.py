"""Requesting reports: a scope is checked and made canonical (`report_scope`), the report of that scope
over the data as it is now is found or made (`report_request`), and its compile is queued after commit
(the `compile_report` task, defined here beside the services that queue it; the compile itself is
`audits.reports.compile`). A failed report is queued again by `report_retry`.

Repeats are harmless: the same scope over the same data is the same row (a unique key on the scope and
the data version), and a retry is a conditional UPDATE, so two retries queue one compile.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import Action, require
from accounts.errors import Conflict, ValidationFailed
from accounts.models import Client, User
from audits.models import Location, Report, ReportState, Wave
from audits.reports.compile import report_compile
from audits.reports.scope import Scope
from journeys.models import Journey, Persona


def report_scope(*, user: User, wave: Wave | None = None, client: Client | None = None,
                 journey: Journey | None = None, locations: list[Location] | None = None,
                 period_from: dt.date | None = None, period_to: dt.date | None = None,
                 persona: Persona | None = None) -> Scope:
    """Checks a requested scope (rows already visible to `user`) and makes it canonical."""
    locations = list(locations or [])
    if wave is not None:
        if journey is not None and journey.pk != wave.journey_id:
            raise ValidationFailed.from_fields({"journey": "Not the wave's."},
                                               message="The wave belongs to another journey.")
        journey, client = wave.journey, wave.client
    if journey is None:
        raise ValidationFailed.from_fields({"journey": "Required."}, message="Name a wave, or a journey to report on.")
    if client is not None and client.pk != journey.client_id:
        raise ValidationFailed.from_fields({"client": "Not the journey's."},
                                           message="The journey belongs to another client.")
    if period_from and period_to and period_from > period_to:
        raise ValidationFailed.from_fields({"period_to": "Before period_from."},
                                           message="The period ends before it starts.")
    org_id = journey.organization_id
    require(user, org_id, Action.MANAGE, "Only owners and managers of this organization compile reports.")
    for loc in locations:
        if loc.client_id != journey.client_id:
            raise ValidationFailed.from_fields({"locations": loc.name},
                                               message=f"{loc.name} is not a location of this client.")
    if persona is not None and persona.organization_id != org_id:
        raise ValidationFailed.from_fields({"persona": "Not found."}, message="Unknown persona.")
    location_ids = tuple(sorted(loc.pk for loc in locations))
    persona_id = persona.pk if persona else None
    if wave is not None:
        return Scope(organization_id=org_id, client_id=journey.client_id, journey_id=journey.pk, wave_id=wave.pk,
                     location_ids=location_ids, persona_id=persona_id)
    return Scope(organization_id=org_id, client_id=journey.client_id, journey_id=journey.pk,
                 location_ids=location_ids, period_from=period_from, period_to=period_to, persona_id=persona_id)


def _title(scope: Scope) -> str:
    journey = Journey.objects.select_related("client").get(pk=scope.journey_id)
    wave = scope.wave()
    if wave is not None:
        return f"{journey.client.name} · {journey.name} · {wave.name}"
    if scope.period_from or scope.period_to:
        return f"{journey.client.name} · {journey.name} · {scope.period_from or '…'} to {scope.period_to or '…'}"
    return f"{journey.client.name} · {journey.name}"


def report_request(*, user: User, scope: Scope, notify: bool = False,
                   enqueue: bool = True) -> tuple[Report, bool]:
    """The report of `scope` over the data as it is now: (report, whether a compile was queued).
    The same scope over the same data answers the existing report; a failed one is queued again."""
    data_version, walks = scope.fingerprint()
    if walks == 0:
        raise ValidationFailed("No approved field walk matches this scope yet: there is nothing to report.",
                               code="no_walks")
    key = scope.key()
    # The organization is part of the report's identity (its unique key), not an access filter: `scope`
    # was checked by `report_scope`.
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


def _enqueue(report_id: int) -> None:
    compile_report.delay_on_commit(report_id)


@shared_task(name="audits.compile_report", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=120,
             max_retries=5)
def compile_report(report_id: int) -> str:
    """The task that compiles one report. Acknowledged late and rejected on worker loss: a worker killed
    mid-compile leaves the message unacknowledged, so the broker hands it to another worker (with Redis,
    after the visibility timeout), which takes the report over; retries use countdowns far below it."""
    report = report_compile(report_id=report_id)
    return report.state if report is not None else "no-op"
