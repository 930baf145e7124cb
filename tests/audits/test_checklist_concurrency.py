"""Publishing and journey writes race safely, for real: threads against PostgreSQL, each on its own
connection. The template row lock (and the unique version number) decides; nobody waits on a sleep."""

from __future__ import annotations

import pytest

from audits.models import ChecklistVersion, Item
from journeys.models import Step
from tests.concurrency import run_in_threads
from tests.conftest import api_as
from tests.journeys.makers import make_journey, make_template
from tests.services import require_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def at_once(call, threads: int = 8) -> list:
    """The same call on `threads` threads at once."""
    return run_in_threads([call] * threads, threads=threads)


def test_eight_publishes_at_once_make_one_version(org, manager):
    require_postgresql()
    template = make_template(org, sections=5, items_per_section=20)
    answers = at_once(lambda: api_as(manager).post(f"/api/v1/checklist-templates/{template.pk}/publish").status_code)
    assert sorted(answers) == [201] + [409] * 7
    version = ChecklistVersion.objects.get(template=template)
    assert version.number == 1 and Item.objects.filter(version=version).count() == 100


def test_journey_documents_written_at_once_leave_one_consistent_journey(org, manager):
    require_postgresql()
    journey = make_journey(org, stages=3, steps_per_stage=5)
    doc = api_as(manager).get(f"/api/v1/journeys/{journey.pk}").json()
    doc["stages"][0]["steps"].append({"name": "Added once"})
    answers = at_once(lambda: api_as(manager).put(f"/api/v1/journeys/{journey.pk}", doc, format="json").status_code)
    assert set(answers) == {200}
    # each writer replaced the whole journey with the same document, one after the other (the journey row
    # is locked): the step sent without an id is new each time and the previous one is gone, so one remains
    assert Step.objects.filter(journey=journey, name="Added once").count() == 1
    final = api_as(manager).get(f"/api/v1/journeys/{journey.pk}").json()
    names = [s["name"] for stage in final["stages"] for s in stage["steps"]]
    assert len(names) == len(set(names)) == 16
