"""The demo leaves a ready report of its closed wave, once; without a closed wave it does nothing."""

from __future__ import annotations

import pytest

from audits.demo import Demo, seed_demo
from audits.demo.reports import seed_demo_report
from audits.models import Report, ReportState
from tests.audits.report_factories import make_world, small_wave

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


def test_the_demo_report_has_something_in_every_section(settings):
    seed_demo()
    report = Report.objects.get()
    result = report.result
    assert report.state == ReportState.READY and "Cancelled flight" in report.title
    assert result["totals"]["walks"] == 12 and result["totals"]["locations"] == 3
    assert len(result["heatmap"]["locations"]) == 3

    trend = {row["name"]: row["friction_index"]["delta"] for row in result["trend"]["rows"]}
    assert result["trend"]["walks"] == 8
    assert trend["Reach customer support"] < 0 < trend["Rebook at the airport desk"]  # better and worse

    tiers = result["tiers"]
    assert (tiers["low"]["tier"], tiers["high"]["tier"]) == ("economy", "first_class")
    support = next(row for row in tiers["rows"] if row["name"] == "Reach customer support")
    assert support["friction_gap"] > 0.5 and support["effort_gap"] > 2  # first class is helped at once

    perception = result["perception"]
    assert perception["self_audits"] == 2
    assert all(row["level_gap"] < 0 and row["effort_gap"] > 0 for row in perception["rows"])

    assert len(result["fix_first"]) == 5
    assert all(card["photos"] and card["quotes"] for card in result["fix_first"])
