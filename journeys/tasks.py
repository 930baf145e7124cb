"""Report tasks. They take ids, re-fetch, and do nothing when the work is done (see journeys.reports.compile).

Acknowledged late and rejected on worker loss: a worker killed mid-compile leaves the message unacknowledged,
so the broker hands it to another worker (with Redis, after the visibility timeout, 900 s by default:
`CELERY_VISIBILITY_TIMEOUT`), which takes the report over. Retries use countdowns far below that timeout,
so a delayed retry is never redelivered as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audits.models import Wave, WaveStatus
from journeys.models import Report, ReportState

log = logging.getLogger(__name__)

#: A queued or running report untouched this long lost its task (broker restart, purged queue): queue it again.
STUCK_AFTER = dt.timedelta(minutes=30)
#: Waves closed longer ago than this are not looked at by beat any more (a manager can still ask).
RECENTLY_CLOSED = dt.timedelta(days=30)


@shared_task(name="journeys.compile_report", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=120,
             max_retries=5)
def compile_report(report_id: int) -> str:
    from journeys.reports.compile import report_compile

    report = report_compile(report_id=report_id)
    return report.state if report is not None else "no-op"


@shared_task(name="journeys.compile_closed_waves", acks_late=True)
def compile_closed_waves() -> int:
    """Beat: every closed wave with approved walks gets its report (the wave's creator is e-mailed when it
    is ready); reports stuck in the queue are queued again. Returns how many compiles were queued."""
    from journeys.reports.compile import report_request, report_scope

    queued = 0
    has_report = Report.objects.filter(wave_id=OuterRef("pk"))
    recently = timezone.now() - RECENTLY_CLOSED
    waves = (Wave.objects.filter(status=WaveStatus.CLOSED, closed_at__gte=recently)
             .exclude(Exists(has_report)).select_related("created_by", "journey", "client"))
    for wave in waves.iterator():
        user = wave.created_by
        if user is None:
            continue
        try:
            scope = report_scope(user=user, wave=wave)
            _, was_queued = report_request(user=user, scope=scope, notify=True)
        except Exception as exc:  # one wave's problem (no walks yet, creator no longer a manager) skips it
            log.info("wave %s: no report compiled (%s)", wave.pk, exc)
            continue
        queued += int(was_queued)
    stuck = Report.objects.filter(state__in=[ReportState.QUEUED, ReportState.RUNNING],
                                  updated_at__lt=timezone.now() - STUCK_AFTER).values_list("pk", flat=True)
    for report_id in stuck:
        compile_report.delay(report_id)
        queued += 1
    return queued
