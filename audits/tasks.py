"""Every Celery task of Touchpoint, for the worker's autodiscovery. Tasks take ids (or plain values),
re-fetch, and do nothing when the work is already done. A task that a service enqueues is defined beside
that service (the service calls `.delay_on_commit`); the periodic ones (Celery beat) live here."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audits.fieldwork.photos import make_photo_renditions, photos_stuck
from audits.models import Report, ReportState, Wave, WaveStatus
from audits.reports.requests import compile_report, report_request, report_scope

__all__ = ["compile_closed_waves", "compile_report", "make_photo_renditions", "requeue_stuck_photos", "write_probe"]

log = logging.getLogger(__name__)

#: A photo still processing this long after its last change has lost its task (renditions take seconds).
PHOTO_STUCK_AFTER = dt.timedelta(seconds=settings.TOUCHPOINT_PHOTO_STUCK_SECONDS)
#: A queued or running report untouched this long lost its task (broker restart, purged queue, a worker killed
#: on a broker that does not redeliver): queue it again. Safe if it was only slow: the claim token lets one
#: run finish and stops the other.
REPORT_STUCK_AFTER = dt.timedelta(seconds=settings.TOUCHPOINT_REPORT_STUCK_SECONDS)
#: Waves closed longer ago than this are not looked at by beat any more (a manager can still ask).
RECENTLY_CLOSED = dt.timedelta(days=30)


@shared_task(name="audits.write_probe")
def write_probe(name: str, content: str) -> str:
    """Writes a small file to the default storage: proves a worker, the broker and the storage work
    together (used by the service tests and `manage.py check_worker`). Idempotent by name."""
    path = f"probes/{name}.txt"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(content.encode()))
    return path


@shared_task(name="audits.requeue_stuck_photos")
def requeue_stuck_photos() -> int:
    """Beat: enqueue again the renditions of photos whose task was lost. Harmless when the task was only
    slow: the rendition task is a no-op once the renditions exist."""
    stuck = photos_stuck(older_than=PHOTO_STUCK_AFTER)
    for photo_id in stuck:
        make_photo_renditions.delay(photo_id)
    return len(stuck)


@shared_task(name="audits.compile_closed_waves", acks_late=True)
def compile_closed_waves() -> int:
    """Beat: every closed wave with approved walks gets its report (the wave's creator is e-mailed when it
    is ready); reports stuck in the queue are queued again. Returns how many compiles were queued."""
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
                                  updated_at__lt=timezone.now() - REPORT_STUCK_AFTER).values_list("pk", flat=True)
    for report_id in stuck:
        compile_report.delay(report_id)
        queued += 1
    return queued
