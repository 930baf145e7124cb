"""The fieldwork demo (audits/demo_fieldwork.py): generated, idempotent, small."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from audits.demo import seed_demo
from audits.demo_fieldwork import seed_fieldwork
from audits.models import Audit, Expectation, FrictionMark, Photo, Response, Visit, Wave
from journeys.models import Step
from tests.fieldwork_makers import make_plan

pytestmark = pytest.mark.django_db


def counts():
    return tuple(m.objects.count() for m in (Wave, Visit, Audit, Response, FrictionMark, Photo, Expectation))


@pytest.fixture
def demo(settings):
    settings.TOUCHPOINT_DEMO_STEPS = []
    demo = seed_demo()
    for _ in range(2):  # stand-ins for the journeys seeder: a hotel stay with its light switch
        plan = make_plan(demo.organization)
        Step.objects.filter(pk=plan.steps[0].pk).update(name="Switch the room's lights on")
    return demo


def test_the_demo_walks_tell_their_stories_and_load_only_once(demo):
    started = time.monotonic()
    seed_fieldwork(demo)
    assert time.monotonic() - started < 20
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
    settings.TOUCHPOINT_DEMO_STEPS = []
    demo = seed_demo()
    seed_fieldwork(demo)
    assert counts() == (0, 0, 0, 0, 0, 0, 0)
