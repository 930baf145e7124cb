"""Demo: a ready report of the demo's latest closed wave (of those that ended last, the one with the
most walks), compiled in-process, so a newcomer sees one at once. Runs after the fieldwork seeder; without a
closed wave with approved walks it does nothing. Run again, it finds the same report (same scope, same
data) and leaves it."""

from __future__ import annotations

import logging

from django.db.models import Count, Q

from audits.demo.accounts import Demo
from audits.models import AuditKind, AuditState, ReportState, Wave, WaveStatus
from audits.reports.compile import report_compile
from audits.reports.requests import report_request, report_scope

log = logging.getLogger(__name__)


def seed_demo_report(demo: Demo) -> None:
    walks = Count("visits__audits", distinct=True, filter=Q(visits__audits__state=AuditState.APPROVED,
                                                             visits__audits__kind=AuditKind.VISIT))
    # Of the closed waves that ended last, the one with the most approved walks (the demo's showcase).
    wave = (Wave.objects.filter(organization=demo.organization, status=WaveStatus.CLOSED).annotate(walks=walks)
            .filter(walks__gt=0).order_by("-ends_on", "-walks", "-id").first())
    if wave is None:
        return
    manager = demo.users.get("manager") or demo.users["owner"]
    report, _ = report_request(user=manager, scope=report_scope(user=manager, wave=wave), enqueue=False)
    if report.state != ReportState.READY:
        report = report_compile(report_id=report.pk) or report
        log.info("demo report %s: %s", report.pk, report.state)
