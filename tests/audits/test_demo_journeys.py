"""The demo's journeys: the five stories, each with stages and steps, a published checklist made from
it, and a scenario; personas economy and first class; loading it again duplicates nothing."""

from __future__ import annotations

import pytest

from audits.checklists.draft import check_draft
from audits.demo import seed_demo
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Scenario, Section
from journeys.models import Journey, Persona, Stage, Step

pytestmark = pytest.mark.django_db

STORIES = ["Cancelled flight", "Hotel stay", "Insurance claim", "Job application", "Supermarket self-checkout"]


def counts():
    return tuple(model.objects.count() for model in (Journey, Stage, Step, Persona, ChecklistTemplate,
                                                    ChecklistVersion, Section, Item, Scenario))


def test_the_five_stories_load_again_and_again_without_duplicates():
    demo = seed_demo(upto="journeys")
    first = counts()
    ids = sorted(Step.objects.values_list("pk", flat=True))
    seed_demo(upto="journeys")
    assert counts() == first
    assert sorted(Step.objects.values_list("pk", flat=True)) == ids
    assert sorted(Journey.objects.values_list("name", flat=True)) == STORIES
    assert set(Journey.objects.values_list("client", flat=True)) == {demo.client.pk}


def test_each_journey_has_steps_with_promises_reach_and_moments_of_truth_and_a_published_checklist():
    seed_demo(upto="journeys")
    for journey in Journey.objects.all():
        steps = list(journey.steps.all())
        assert journey.stages.count() >= 2 and len(steps) >= 5
        assert any(s.moment_of_truth for s in steps) and not all(s.moment_of_truth for s in steps)
        assert all(1 <= s.promise_level <= 5 and s.promise_text for s in steps)
        assert len({s.reach for s in steps}) > 1  # not every customer passes every step
        version = ChecklistVersion.objects.get(journey=journey)
        assert version.number == 1
        sections = list(version.sections.all())
        assert {s.step_id for s in sections} == {s.pk for s in steps}
        kinds = set(version.items.values_list("kind", flat=True))
        assert {"outcome", "effort", "friction", "duration", "delivered_level", "photo", "text"} <= kinds
        assert version.items.filter(critical=True).exists()
        assert not check_draft(version.definition, steps={s.pk for s in steps})[1]
        assert Scenario.objects.filter(journey=journey).count() == 1


def test_the_stories_are_the_sources():
    seed_demo(upto="journeys")
    names = set(Step.objects.values_list("name", flat=True))
    assert {"Switch the room's lights on", "Ask the SMS assistant for help", "Add loose produce (the orange)",
            "Upload your CV", "Retype the CV into the form", "Reach a claims handler",
            "Reach customer support", "Rebook in the app"} <= names
    assert Item.objects.filter(name="reached_a_person", critical=True).exists()


def test_personas_economy_is_the_ordinary_one_and_first_class_pays_more():
    seed_demo(upto="journeys")
    economy, first = Persona.objects.order_by("tier_rank")
    assert (economy.tier, economy.is_ordinary) == ("economy", True)
    assert (first.tier, first.is_ordinary) == ("first_class", False)
    assert first.tier_rank > economy.tier_rank


def test_the_client_viewer_reads_the_demo_journeys(api):
    demo = seed_demo(upto="journeys")
    answer = api(demo.users["viewer"]).get("/api/v1/journeys")
    assert answer.json()["count"] == 5
    journey = answer.json()["results"][0]
    assert journey["checklist_version"] is not None
