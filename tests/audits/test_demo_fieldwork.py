"""The fieldwork demo (audits/demo/fieldwork.py, showcase.py, walks.py): generated, idempotent, small."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.demo import seed_demo
from audits.demo.fieldwork import seed_fieldwork
from audits.demo.showcase import SHOWCASE
from audits.models import Audit, Expectation, FrictionMark, Photo, Response, Visit, Wave
from journeys.models import Step
from tests.fieldwork_makers import make_plan

pytestmark = pytest.mark.django_db


def counts():
    return tuple(m.objects.count() for m in (Wave, Visit, Audit, Response, FrictionMark, Photo, Expectation))


@pytest.fixture
def demo(settings):
    demo = seed_demo(upto="accounts")
    for _ in range(2):  # stand-ins for the journeys seeder: a hotel stay with its light switch
        plan = make_plan(demo.organization)
        Step.objects.filter(pk=plan.steps[0].pk).update(name="Switch the room's lights on")
    return demo


def test_the_demo_walks_tell_their_stories_and_load_only_once(demo):
    seed_fieldwork(demo)
    first = counts()
    seed_fieldwork(demo)
    assert counts() == first

    closed = Wave.objects.filter(status="closed")
    assert closed.count() == 2
    walked = Audit.objects.filter(visit__wave__in=closed)
    assert walked.count() == 6 and set(walked.values_list("state", flat=True)) == {"approved"}
    assert all(a.score is not None for a in walked)
    assert FrictionMark.objects.filter(tag__code="hidden_control").exists()  # the light switch
    assert Photo.objects.filter(state="ready").count() >= 4
    today = Visit.objects.filter(auditor=demo.users["auditor"], status="scheduled",
                                 window_start__date=timezone.localdate())
    assert today.count() == 2
    self_audit = Audit.objects.get(kind="self", auditor=demo.users["executive"])
    assert self_audit.expectations.count() == 2 and self_audit.state == "approved"


def test_without_journeys_the_seeder_does_nothing(settings):
    demo = seed_demo(upto="accounts")
    seed_fieldwork(demo)
    assert counts() == (0, 0, 0, 0, 0, 0, 0)


def test_the_showcase_journey_is_walked_in_both_tiers_over_two_waves_like_synced_data(settings):
    demo = seed_demo(upto="journeys")
    seed_fieldwork(demo)
    first = counts()
    seed_fieldwork(demo)
    assert counts() == first

    flight = Audit.objects.filter(journey__name=SHOWCASE, kind="visit")
    autumn, summer = (flight.filter(visit__wave__name__startswith=name) for name in ("Autumn", "Summer"))
    assert autumn.count() == 12 and summer.count() == 8
    assert set(flight.values_list("state", flat=True)) == {"approved"}
    assert autumn.values("location").distinct().count() == 3
    assert sorted(autumn.values_list("persona__tier", flat=True)) == ["economy"] * 6 + ["first_class"] * 6
    waves = Wave.objects.filter(journey__name=SHOWCASE, status="closed").order_by("starts_on")
    assert waves.count() == 2 and waves[0].ends_on < waves[1].starts_on
    # what a phone's sync makes: typed copies, friction marks on their step, notes on what went wrong
    waits = Response.objects.filter(audit__in=autumn, kind="duration", item__options__measure="wait")
    assert waits.filter(number__isnull=False).count() == waits.count() > 0
    marks = FrictionMark.objects.filter(audit__in=autumn)
    assert marks.filter(tag__code="long_wait").exists() and not marks.filter(step__isnull=True).exists()
    noted = Response.objects.filter(audit__in=autumn, kind="friction").exclude(note="")
    assert noted.count() == marks.values("audit", "step").distinct().count()
    photos = Photo.objects.filter(audit__in=autumn)
    assert photos.count() >= 10 and set(photos.values_list("state", flat=True)) == {"ready"}
    selfs = Audit.objects.filter(kind="self", journey__name=SHOWCASE, auditor=demo.users["executive"])
    assert selfs.count() == 2 and all(a.expectations.count() == 6 for a in selfs)
    assert all(waves[1].starts_on <= a.submitted_at.date() <= waves[1].ends_on for a in selfs)
    # the rest of the demo as before: today's visits for the auditor, the other journeys' walks
    today = Visit.objects.filter(auditor=demo.users["auditor"], status="scheduled",
                                 window_start__date=timezone.localdate())
    assert today.count() == 3
    assert Audit.objects.filter(kind="visit").exclude(journey__name=SHOWCASE).count() == 12
