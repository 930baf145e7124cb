"""The demo leaves a ready report of its closed wave, once; without a closed wave it does nothing."""

from __future__ import annotations

import pytest

from audits.demo import Demo
from journeys.models import Report, ReportState
from journeys.reports.demo import seed_demo_report
from tests.journeys.report_factories import make_world, small_wave

pytestmark = pytest.mark.django_db


def test_the_demo_compiles_its_closed_wave_once(org, auditor, manager, owner, client_brand):
    world = make_world(org, auditor, client=client_brand)
    demo = Demo(organization=org, client=client_brand, users={"manager": manager, "owner": owner})
    seed_demo_report(demo)
    assert not Report.objects.exists()

    small_wave(world, created_by=manager)
    seed_demo_report(demo)
    seed_demo_report(demo)

    report = Report.objects.get()
    assert report.state == ReportState.READY and report.html and report.result["totals"]["walks"] == 3
