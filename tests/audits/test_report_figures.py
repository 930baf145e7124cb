"""Every figure of a report over a hand-made data set, computed by hand here and compared exactly
(to the 4 decimals the report keeps): four approved walks over three steps and two locations, plus the
rows a report must ignore, a previous wave for the trend and two executives' self-audits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audits.models import AuditState
from audits.reports.aggregate import build
from audits.reports.scope import Scope
from tests.audits.report_factories import make_wave, make_world, self_audit, walk
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
ECONOMY, FIRST = 0, 1
AIRPORT, DOWNTOWN = 0, 1


def r4(x):
    return None if x is None else round(x, 4)


@pytest.fixture
def world(org, auditor):
    return make_world(org, auditor, steps=[
        {"name": "Find the entrance", "promise_level": 3, "reach": Decimal("1")},
        {"name": "Check in", "promise_level": 4, "reach": Decimal("0.8"), "moment_of_truth": True},
        {"name": "Room light", "promise_level": 4, "reach": Decimal("0.2")},
    ])


@pytest.fixture
def report(world, org, executive):
    previous = make_wave(world, "Winter", dt.date(2026, 1, 5))
    wave = make_wave(world, "Spring", dt.date(2026, 3, 1))
    second_auditor = make_member(org, "second@acme.test", "auditor")
    # A1 — airport, economy
    walk(world, wave=wave, location=AIRPORT, persona=ECONOMY, when=T, steps={
        0: {"outcome": "done", "effort": 2, "level": 3, "time": 60, "wait": 0},
        1: {"outcome": "gave_up", "effort": 7, "level": 1, "time": 300, "wait": 240,
            "friction": [("no_human", 3), ("dead_end", 2)], "note": "Nobody answered the bell for ten minutes.",
            "photos": [{"caption": "Empty desk"}]},
        2: {"outcome": "done", "effort": 3, "level": 3, "time": 50, "friction": [("hidden_control", 1)]},
    })
    # A2 — airport, first class
    walk(world, wave=wave, location=AIRPORT, persona=FIRST, when=T + dt.timedelta(days=1), auditor=second_auditor,
         steps={
        0: {"outcome": "done", "effort": 1, "level": 4, "time": 40, "wait": 10},
        1: {"outcome": "done", "effort": 2, "level": 4, "time": 100, "wait": 30, "note": "Smooth.",
            "photos": [{"caption": "Priority lane"}]},
        2: {"outcome": "done", "effort": 1, "level": 5, "time": 20},
    })
    # A3 — downtown, economy
    walk(world, wave=wave, location=DOWNTOWN, persona=ECONOMY, when=T + dt.timedelta(days=2), steps={
        0: {"outcome": "done_with_help", "effort": 4, "level": 2, "time": 120, "wait": 30,
            "friction": [("long_wait", 1)]},
        1: {"outcome": "done_with_help", "effort": 5, "level": 2, "time": 200, "wait": 180,
            "friction": [("long_wait", 2)], "remark": "Had to ask twice.", "photos": [{"caption": "Queue"}]},
        2: {"outcome": "done_with_help", "effort": 5, "level": 2, "time": 90, "friction": [("hidden_control", 2)]},
    })
    # A4 — downtown, economy; never reached the room
    walk(world, wave=wave, location=DOWNTOWN, persona=ECONOMY, when=T + dt.timedelta(days=3), steps={
        0: {"outcome": "done", "effort": 3, "level": 3, "time": 90, "wait": 20},
        1: {"outcome": "gave_up", "effort": 6, "level": 1, "time": 250, "wait": 200,
            "friction": [("no_human", 3)], "photos": [{"caption": "Still processing", "state": "processing"}]},
    })
    # Ignored: a walk still in review, and a walk of the same journey outside the wave.
    walk(world, wave=wave, location=AIRPORT, when=T, state=AuditState.SUBMITTED,
         steps={1: {"outcome": "gave_up", "effort": 7, "friction": [("fragile", 3)]}})
    walk(world, wave=None, location=AIRPORT, when=T, steps={1: {"outcome": "gave_up", "effort": 7}})
    # The previous wave.
    walk(world, wave=previous, location=AIRPORT, when=T - dt.timedelta(days=55), steps={
        0: {"outcome": "done", "effort": 2, "level": 3, "time": 30, "wait": 0},
        1: {"outcome": "done", "effort": 3, "level": 3, "time": 120, "friction": [("long_wait", 1)]},
    })
    walk(world, wave=previous, location=DOWNTOWN, when=T - dt.timedelta(days=54), steps={
        0: {"outcome": "done", "effort": 2, "level": 3, "time": 50},
        1: {"outcome": "done_with_help", "effort": 4, "level": 3, "time": 160},
    })
    # Executives' expectations (level, effort), before walking.
    self_audit(world, auditor=executive, when=T, expectations={0: (4, 1), 1: (5, 2)})
    self_audit(world, auditor=executive, when=T + dt.timedelta(days=1), expectations={0: (5, 2)})
    scope = Scope(organization_id=org.pk, client_id=world.client.pk, journey_id=world.journey.pk, wave_id=wave.pk)
    return build(scope)


def step(report, index):
    return report["steps"][index]["figures"]


def test_totals(report):
    assert report["totals"] == {"walks": 4, "locations": 2, "auditors": 2, "first": "2026-03-04",
                                "last": "2026-03-07"}


def test_find_the_entrance(report):
    f = step(report, 0)
    assert f["walks"] == 4
    assert f["friction_walks"] == 1 and f["friction_share"] == 0.25
    assert f["severity"] == 1 and f["friction_index"] == r4(1 / 12)
    assert f["tags"] == {"long_wait": {"walks": 1, "share": 0.25, "severity": 1, "marks": 1}}
    assert (f["done"], f["done_with_help"], f["gave_up"]) == (0.75, 0.25, 0.0)
    assert (f["outcome_n"], f["effort_n"], f["level_n"], f["time_n"], f["wait_n"]) == (4, 4, 4, 4, 4)
    assert f["effort_distribution"] == [1, 1, 1, 1, 0, 0, 0]
    assert (f["effort_median"], f["effort_mean"]) == (2.5, 2.5)          # 1 2 | 3 4
    assert (f["time_median"], f["time_p90"]) == (75.0, 120.0)             # 40 60 | 90 120; rank ceil(3.6)=4
    assert (f["wait_median"], f["wait_p90"]) == (15.0, 30.0)              # 0 10 | 20 30
    assert (f["delivered_mean"], f["value_gap"]) == (3.0, 0.0)            # (3+4+2+3)/4 − 3
    assert report["steps"][0]["priority"] == r4(1 / 12 * 1.0)


def test_check_in(report):
    f = step(report, 1)
    assert f["walks"] == 4
    assert f["friction_walks"] == 3 and f["friction_share"] == 0.75
    assert f["severity"] == 10 and f["friction_index"] == r4(10 / 12)
    assert f["tags"] == {
        "no_human": {"walks": 2, "share": 0.5, "severity": 6, "marks": 2},
        "dead_end": {"walks": 1, "share": 0.25, "severity": 2, "marks": 1},
        "long_wait": {"walks": 1, "share": 0.25, "severity": 2, "marks": 1},
    }
    assert (f["done"], f["done_with_help"], f["gave_up"]) == (0.25, 0.25, 0.5)
    assert f["effort_distribution"] == [0, 1, 0, 0, 1, 1, 1]
    assert (f["effort_median"], f["effort_mean"]) == (5.5, 5.0)          # 2 5 | 6 7
    assert (f["time_median"], f["time_p90"]) == (225.0, 300.0)
    assert (f["wait_median"], f["wait_p90"]) == (190.0, 240.0)            # 30 180 | 200 240
    assert (f["delivered_mean"], f["value_gap"]) == (2.0, -2.0)
    assert report["steps"][1]["priority"] == r4(10 / 12 * 0.8 * 1.5)    # a moment of truth: × 1.5


def test_room_light(report):
    f = step(report, 2)
    assert f["walks"] == 3                                                 # A4 never reached it
    assert f["friction_walks"] == 2 and f["friction_share"] == r4(2 / 3)
    assert f["severity"] == 3 and f["friction_index"] == r4(3 / 9)
    assert f["tags"] == {"hidden_control": {"walks": 2, "share": r4(2 / 3), "severity": 3, "marks": 2}}
    assert (f["done"], f["done_with_help"], f["gave_up"]) == (r4(2 / 3), r4(1 / 3), 0.0)
    assert (f["outcome_n"], f["effort_n"], f["level_n"], f["time_n"]) == (3, 3, 3, 3)
    assert f["effort_distribution"] == [1, 0, 1, 0, 1, 0, 0]
    assert (f["effort_median"], f["effort_mean"]) == (3.0, 3.0)
    assert (f["time_median"], f["time_p90"]) == (50.0, 90.0)              # 20 50 90; rank ceil(2.7)=3
    assert (f["wait_n"], f["wait_median"], f["wait_p90"]) == (0, None, None)
    assert (f["delivered_mean"], f["value_gap"]) == (r4(10 / 3), r4(10 / 3 - 4))
    assert report["steps"][2]["priority"] == r4(3 / 9 * 0.2)


def test_fix_first_ranks_by_friction_index_times_reach(report):
    # Room light has more friction than the entrance (0.333 > 0.083) but few customers reach it (0.2).
    assert [(f["rank"], f["name"], f["priority"]) for f in report["fix_first"]] == [
        (1, "Check in", r4(10 / 12 * 0.8 * 1.5)),
        (2, "Find the entrance", r4(1 / 12)),
        (3, "Room light", r4(3 / 9 * 0.2)),
    ]
    check_in = report["fix_first"][0]
    assert (check_in["friction_index"], check_in["reach"], check_in["weight"], check_in["moment_of_truth"]) == (
        r4(10 / 12), 0.8, 1.5, True)
    assert [(t["code"], t["share"], t["walks"]) for t in check_in["top_tags"]] == [
        ("no_human", 0.5, 2), ("dead_end", 0.25, 1), ("long_wait", 0.25, 1)]
    assert [r["weight"] for r in report["fix_first"][1:]] == [1.0, 1.0]
    # The worst walks' evidence first (severity met on the step: A1 5, A3 2, A2 0); a photo still
    # processing is not evidence yet.
    assert [p["caption"] for p in check_in["photos"]] == ["Empty desk", "Queue"]
    assert [(q["text"], q["location"]) for q in check_in["quotes"]] == [
        ("Nobody answered the bell for ten minutes.", "Airport"),
        ("Had to ask twice.", "Downtown"),
        ("Smooth.", "Airport"),
    ]


def test_heat_map_of_steps_and_locations(report):
    heat = report["heatmap"]
    assert [(loc["name"], loc["walks"]) for loc in heat["locations"]] == [("Airport", 2), ("Downtown", 2)]
    cells = [[(c["walks"], c["friction_index"], c["gave_up"], c["effort_mean"]) for c in row["cells"]]
             for row in heat["rows"]]
    assert cells == [        # (walks, friction index, gave up, effort mean): Airport = A1 A2, Downtown = A3 A4
        [(2, 0.0, 0.0, 1.5), (2, r4(1 / 6), 0.0, 3.5)],
        [(2, r4(5 / 6), 0.5, 4.5), (2, r4(5 / 6), 0.5, 5.5)],
        [(2, r4(1 / 6), 0.0, 2.0), (1, r4(2 / 3), 0.0, 5.0)],
    ]


def test_trend_against_the_previous_wave(report):
    trend = report["trend"]
    assert trend["wave"]["name"] == "Winter" and trend["walks"] == 2
    names = ("friction_index", "gave_up", "effort_median", "time_median", "wait_median", "value_gap")

    def row(now, before):
        return {name: {"now": r4(n), "before": r4(b), "delta": None if n is None or b is None else r4(n - b)}
                for name, n, b in zip(names, now, before, strict=True)}

    entrance, check_in, room = trend["rows"]
    # Winter: B1 (airport) and B2 (downtown); B1 met a long wait (1) at check-in and timed no wait there.
    assert {k: entrance[k] for k in names} == row((1 / 12, 0.0, 2.5, 75.0, 15.0, 0.0), (0.0, 0.0, 2.0, 40.0, 0.0, 0.0))
    assert {k: check_in[k] for k in names} == row((10 / 12, 0.5, 5.5, 225.0, 190.0, -2.0),
                                                  (1 / 6, 0.0, 3.5, 140.0, None, -1.0))
    assert {k: room[k] for k in names} == row((1 / 3, 0.0, 3.0, 50.0, None, 10 / 3 - 4),
                                              (None, None, None, None, None, None))
    assert check_in["friction_index"]["delta"] == r4(2 / 3)


def test_tier_gap_economy_against_first_class(report):
    tiers = report["tiers"]
    assert tiers["low"] == {"rank": 0, "tier": "economy", "walks": 3}
    assert tiers["high"] == {"rank": 2, "tier": "first", "walks": 1}
    entrance, check_in, room = tiers["rows"]
    assert entrance["low"] == {"walks": 3, "friction_index": r4(1 / 9), "gave_up": 0.0, "effort_mean": 3.0,
                               "value_gap": r4(-1 / 3)}
    assert entrance["high"] == {"walks": 1, "friction_index": 0.0, "gave_up": 0.0, "effort_mean": 1.0,
                                "value_gap": 1.0}
    assert room["low"] == {"walks": 2, "friction_index": 0.5, "gave_up": 0.0, "effort_mean": 4.0, "value_gap": -1.5}
    assert room["high"] == {"walks": 1, "friction_index": 0.0, "gave_up": 0.0, "effort_mean": 1.0, "value_gap": 1.0}
    assert (entrance["friction_gap"], entrance["effort_gap"], entrance["value_gap_gap"]) == (
        r4(1 / 9), 2.0, r4(-1 / 3 - 1))
    assert check_in["low"] == {"walks": 3, "friction_index": r4(10 / 9), "gave_up": r4(2 / 3), "effort_mean": 6.0,
                               "value_gap": r4(4 / 3 - 4)}
    assert check_in["high"] == {"walks": 1, "friction_index": 0.0, "gave_up": 0.0, "effort_mean": 2.0,
                                "value_gap": 0.0}
    assert (check_in["friction_gap"], check_in["effort_gap"], check_in["value_gap_gap"]) == (
        r4(10 / 9), 4.0, r4(4 / 3 - 4))
    assert (room["friction_gap"], room["effort_gap"], room["value_gap_gap"]) == (0.5, 3.0, -2.5)


def test_perception_gap_of_executives_expectations(report):
    perception = report["perception"]
    assert perception["self_audits"] == 2
    entrance, check_in, room = perception["rows"]
    assert (entrance["self_audits"], entrance["expected_level"], entrance["delivered_level"],
            entrance["level_gap"]) == (2, 4.5, 3.0, -1.5)
    assert (entrance["expected_effort"], entrance["field_effort"], entrance["effort_gap"]) == (1.5, 2.5, 1.0)
    assert (check_in["expected_level"], check_in["delivered_level"], check_in["level_gap"]) == (5.0, 2.0, -3.0)
    assert (check_in["expected_effort"], check_in["field_effort"], check_in["effort_gap"]) == (2.0, 5.0, 3.0)
    assert (room["self_audits"], room["expected_level"], room["level_gap"]) == (0, None, None)
