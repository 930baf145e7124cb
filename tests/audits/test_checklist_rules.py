"""The checklist rules over plain dicts, `RuleItem`s and `Item` rows: answers, shown-when, missing, score."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from audits.checklists.rules import (
    RuleItem,
    check_answer,
    check_answers,
    item_score,
    missing_required,
    rule_item,
    score,
    value_equals,
    visible_items,
)
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Section


def item(name, kind, **kw):
    return {"name": name, "kind": kind, "options": kw.pop("options", {}), **kw}


SCALE = {"min": 1, "max": 5, "labels": {"1": "Poor", "5": "Excellent"}}
CHOICES = {"choices": [{"value": "desk", "label": "At the desk"}, {"value": "app", "label": "In the app"}]}


# ---- check_answer -----------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "options", "value"), [
    ("score", SCALE, 1), ("score", SCALE, 5), ("score", SCALE, 3.0),
    ("yes_no", {}, "yes"), ("yes_no", {}, "no"), ("yes_no", {}, "na"),
    ("single_choice", CHOICES, "desk"),
    ("multi_choice", CHOICES, ["desk", "app"]), ("multi_choice", CHOICES, []),
    ("number", {"unit": "EUR", "min": 0, "max": 100}, 99.5), ("number", {}, -3),
    ("duration", {"measure": "wait"}, 0), ("duration", {"measure": None}, 7200.5),
    ("text", {}, "The switch hides behind the curtain"),
    ("photo", {"min_count": 2}, None),
    ("signature", {}, "data:image/png;base64,iVBORw0KGgo="),
    ("effort", {}, 1), ("effort", {}, 7),
    ("delivered_level", {}, 1), ("delivered_level", {}, 5),
    ("outcome", {}, "done"), ("outcome", {}, "done_with_help"), ("outcome", {}, "gave_up"),
    ("friction", {}, []), ("friction", {}, [{"tag": "dead_end", "severity": 3}, {"tag": "no_human", "severity": 1}]),
])
def test_valid_answers_pass(kind, options, value):
    assert check_answer(item("q", kind, options=options), value, friction_tags={"dead_end", "no_human"}) == []


@pytest.mark.parametrize(("kind", "options", "value", "message"), [
    ("score", SCALE, 0, "must be a whole number from 1 to 5"),
    ("score", SCALE, 6, "must be a whole number from 1 to 5"),
    ("score", SCALE, 2.5, "must be a whole number from 1 to 5"),
    ("score", SCALE, "3", "must be a whole number from 1 to 5"),
    ("score", SCALE, True, "must be a whole number from 1 to 5"),
    ("yes_no", {}, True, 'must be "yes", "no" or "na"'),
    ("yes_no", {}, "maybe", 'must be "yes", "no" or "na"'),
    ("single_choice", CHOICES, "phone", "must be one of: desk, app"),
    ("single_choice", CHOICES, ["desk"], "must be one of: desk, app"),
    ("multi_choice", CHOICES, "desk", "must be a list of choices"),
    ("multi_choice", CHOICES, ["desk", "fax"], '"fax" is not one of: desk, app'),
    ("multi_choice", CHOICES, ["desk", "desk"], "must not name a choice twice"),
    ("number", {}, "12", "must be a number"),
    ("number", {}, float("nan"), "must be a number"),
    ("number", {"min": 0, "max": 100}, 101, "must be a number from 0 to 100"),
    ("number", {"min": 0}, -1, "must be a number of at least 0"),
    ("number", {"max": 10}, 11, "must be a number of at most 10"),
    ("duration", {}, -1, "must be a number of seconds, 0 or more"),
    ("duration", {}, "01:20", "must be a number of seconds, 0 or more"),
    ("text", {}, 12, "must be text"),
    ("text", {}, "x" * 10_001, "must be at most 10000 characters"),
    ("photo", {}, "img.jpg", "must be null: photos are sent on their own"),
    ("signature", {}, "data:image/jpeg;base64,/9j/", 'must be a PNG data URL ("data:image/png;base64,...")'),
    ("signature", {}, "data:image/png;base64,", 'must be a PNG data URL ("data:image/png;base64,...")'),
    ("effort", {}, 0, "must be a whole number from 1 to 7"),
    ("effort", {}, 8, "must be a whole number from 1 to 7"),
    ("effort", {}, 3.5, "must be a whole number from 1 to 7"),
    ("delivered_level", {}, 6, "must be a whole number from 1 to 5"),
    ("outcome", {}, "abandoned", 'must be "done", "done_with_help" or "gave_up"'),
    ("friction", {}, "dead_end", 'must be a list of {"tag", "severity"}'),
    ("friction", {}, [{"tag": "dead_end", "severity": 4}], "0: severity must be 1, 2 or 3"),
    ("friction", {}, [{"tag": "dead_end", "severity": True}], "0: severity must be 1, 2 or 3"),
    ("friction", {}, [{"tag": "made_up", "severity": 1}], '0: "made_up" is not a friction tag in use'),
    ("friction", {}, [{"severity": 1}], '0: must be {"tag": code, "severity": 1, 2 or 3}'),
    ("friction", {}, [{"tag": "dead_end", "severity": 1}, {"tag": "dead_end", "severity": 2}],
     '1: "dead_end" is given twice'),
    ("mystery", {}, 1, 'has an unknown kind "mystery"'),
])
def test_invalid_answers_are_named(kind, options, value, message):
    assert message in check_answer(item("q", kind, options=options), value, friction_tags={"dead_end"})


def test_no_answer_is_always_valid_and_friction_tags_are_optional():
    assert check_answer(item("q", "effort"), None) == []
    assert check_answer(item("q", "friction"), [{"tag": "anything", "severity": 2}]) == []


def test_check_answers_names_unknown_items_and_bad_values():
    items = [item("effort", "effort"), item("ok", "yes_no")]
    assert check_answers(items, {"effort": 9, "ok": "yes", "ghost": 1}) == {
        "effort": ["must be a whole number from 1 to 7"], "ghost": ["is not an item of this checklist"]}


# ---- visible_items ----------------------------------------------------------------------------

CHAIN = [
    item("asked_for_help", "yes_no"),
    item("who_helped", "single_choice", options=CHOICES, shown_when={"item": "asked_for_help", "equals": "yes"}),
    item("app_rating", "score", options=SCALE, shown_when={"item": "who_helped", "equals": "app"}),
    item("note", "text"),
]


def test_items_without_rules_are_always_shown():
    assert visible_items(CHAIN, {}) == {"asked_for_help", "note"}


def test_shown_when_follows_the_answer():
    assert visible_items(CHAIN, {"asked_for_help": "yes"}) == {"asked_for_help", "who_helped", "note"}
    assert visible_items(CHAIN, {"asked_for_help": "no"}) == {"asked_for_help", "note"}


def test_an_item_whose_controller_is_hidden_is_hidden_even_if_the_stale_answer_matches():
    answers = {"asked_for_help": "no", "who_helped": "app"}
    assert "app_rating" not in visible_items(CHAIN, answers)
    answers["asked_for_help"] = "yes"
    assert "app_rating" in visible_items(CHAIN, answers)


def test_cycles_hide_and_unknown_controllers_do_not():
    items = [item("a", "yes_no", shown_when={"item": "b", "equals": "yes"}),
             item("b", "yes_no", shown_when={"item": "a", "equals": "yes"}),
             item("c", "yes_no", shown_when={"item": "nowhere", "equals": "yes"})]
    assert visible_items(items, {"a": "yes", "b": "yes"}) == {"c"}


@pytest.mark.parametrize(("actual", "expected", "equal"), [
    (["desk", "app"], "app", True), (["desk"], "app", False), (["desk"], ["desk"], True),
    (3, "3", True), ("3", 3, True), (3, 3.0, True), ("x", 3, False),
    ("yes", True, True), ("no", False, True), ("yes", False, False), ("na", "na", True),
])
def test_value_equals_reads_like_the_pwa(actual, expected, equal):
    assert value_equals(actual, expected) is equal


# ---- missing_required -------------------------------------------------------------------------

def test_missing_lists_required_shown_unanswered_items_in_order():
    items = [
        item("outcome", "outcome", required=True),
        item("effort", "effort", required=True),
        item("asked", "yes_no", required=True),
        item("why", "text", required=True, shown_when={"item": "asked", "equals": "no"}),
        item("optional", "text"),
        item("friction", "friction", required=True),
        item("choices", "multi_choice", options=CHOICES, required=True),
    ]
    assert missing_required(items, {}) == ["outcome", "effort", "asked", "friction", "choices"]
    answers = {"outcome": "done", "effort": 2, "asked": "no", "why": "   ", "friction": [], "choices": []}
    assert missing_required(items, answers) == ["why", "choices"]
    answers.update(why="Nobody at the desk", choices=["desk"])
    assert missing_required(items, answers) == []


def test_photos_below_their_minimum_are_missing():
    items = [item("evidence", "photo", options={"min_count": 2}),
             item("any_photo", "photo", required=True),
             item("optional_photo", "photo", options={"min_count": 0}),
             item("hidden_photo", "photo", options={"min_count": 1}, shown_when={"item": "q", "equals": "yes"}),
             item("q", "yes_no")]
    assert missing_required(items, {"q": "no"}, {"evidence": 1}) == ["evidence", "any_photo"]
    assert missing_required(items, {"q": "yes"}, {"evidence": 2, "any_photo": 1}) == ["hidden_photo"]


# ---- score ------------------------------------------------------------------------------------

def test_item_shares_by_kind():
    assert item_score(item("s", "score", options={"min": 1, "max": 5}), 4) == 0.75
    assert item_score(item("s", "score", options={"min": 0, "max": 10}), 10) == 1.0
    assert item_score(item("y", "yes_no"), "yes") == 1.0
    assert item_score(item("y", "yes_no"), "no") == 0.0
    assert item_score(item("y", "yes_no"), "na") is None
    assert item_score(item("e", "effort"), 1) == 1.0
    assert item_score(item("e", "effort"), 7) == 0.0
    assert item_score(item("e", "effort"), 4) == 0.5
    assert item_score(item("d", "delivered_level"), 1) == 0.0
    assert item_score(item("d", "delivered_level"), 4) == 0.75
    for kind, value in [("number", 3), ("duration", 30), ("text", "x"), ("outcome", "done"),
                        ("friction", []), ("single_choice", "desk"), ("photo", None)]:
        assert item_score(item("o", kind, options=CHOICES), value) is None
    assert item_score(item("e", "effort"), 9) is None  # invalid answers never score
    assert item_score(item("e", "effort"), None) is None


def test_weighted_sections_and_overall():
    items = [
        item("greeted", "yes_no", weight=1, section="arrival"),
        item("desk_score", "score", options=SCALE, weight=3, section="arrival"),
        item("effort", "effort", weight=2, section="room"),
        item("note", "text", section="room"),
    ]
    result = score(items, {"greeted": "yes", "desk_score": 3, "effort": 7, "note": "dark"})
    arrival, room = result.sections
    assert (arrival.section, arrival.percent, arrival.earned, arrival.possible) == ("arrival", 62.5, 2.5, 4)
    assert (room.section, room.percent, room.possible) == ("room", 0.0, 2)
    assert result.percent == round(100 * 2.5 / 6, 2)
    assert result.critical_failures == [] and result.failed_sections == []


def test_not_applicable_unanswered_and_hidden_items_are_left_out():
    items = [
        item("clean", "yes_no", section="s"),
        item("minibar", "yes_no", section="s"),
        item("asked", "yes_no", section="s"),
        item("helpful", "score", options=SCALE, section="s", shown_when={"item": "asked", "equals": "yes"}),
        item("unanswered", "effort", section="s"),
    ]
    result = score(items, {"clean": "yes", "minibar": "na", "asked": "no", "helpful": 1})
    assert result.section("s").items == {"clean": 1.0, "asked": 0.0}
    assert result.percent == 50.0


def test_a_failed_critical_item_zeroes_and_fails_its_section_only():
    items = [
        item("safety_briefing", "yes_no", critical=True, section="boarding"),
        item("smile", "score", options=SCALE, section="boarding"),
        item("seat_clean", "yes_no", section="cabin"),
    ]
    result = score(items, {"safety_briefing": "no", "smile": 5, "seat_clean": "yes"})
    boarding, cabin = result.sections
    assert boarding.failed and boarding.percent == 0.0 and boarding.critical_failures == ["safety_briefing"]
    assert not cabin.failed and cabin.percent == 100.0
    assert result.failed_sections == ["boarding"]
    assert result.critical_failures == ["safety_briefing"]
    assert result.percent == round(100 * 1 / 3, 2)  # boarding's two weights count, earning nothing


@pytest.mark.parametrize(("kind", "options", "passing", "failing"), [
    ("score", SCALE, 3, 2), ("effort", {}, 4, 5), ("delivered_level", {}, 3, 2), ("yes_no", {}, "yes", "no"),
])
def test_critical_fails_below_the_middle_of_the_scale(kind, options, passing, failing):
    items = [item("c", kind, options=options, critical=True, section=1)]
    assert not score(items, {"c": passing}).sections[0].failed
    assert score(items, {"c": failing}).sections[0].failed


def test_critical_not_applicable_does_not_fail():
    result = score([item("c", "yes_no", critical=True, section=1)], {"c": "na"})
    assert not result.sections[0].failed and result.percent is None


def test_zero_weight_items_do_not_move_the_score_but_can_fail_critically():
    items = [item("a", "yes_no", weight=0, section=1), item("b", "yes_no", weight=2, section=1)]
    assert score(items, {"a": "no", "b": "yes"}).percent == 100.0
    items[0]["critical"] = True
    result = score(items, {"a": "no", "b": "yes"})
    assert result.percent == 0.0 and result.sections[0].failed


def test_nothing_scored_is_none_not_zero():
    result = score([item("note", "text", section=1)], {"note": "fine"})
    assert result.percent is None and result.sections[0].percent is None
    assert result.as_dict() == {"percent": None, "critical_failures": [], "failed_sections": [], "sections": [
        {"section": 1, "percent": None, "earned": 0, "possible": 0, "failed": False, "critical_failures": [],
         "items": {}}]}


def test_rows_and_objects_work_like_dicts():
    row = SimpleNamespace(name="effort", kind="effort", required=True, critical=False, weight=Decimal("2.50"),
                          options={}, shown_when=None, section_id=7)
    as_item = rule_item(row)
    assert as_item == RuleItem(name="effort", kind="effort", required=True, weight=2.5, section=7)
    assert score([row], {"effort": 1}).sections[0].section == 7
    assert missing_required([row], {}) == ["effort"]


@pytest.mark.django_db
def test_rules_run_on_published_item_rows(org):
    template = ChecklistTemplate.objects.create(organization=org, name="Hotel")
    version = ChecklistVersion.objects.create(organization=org, template=template, number=1, title="Hotel")
    section = Section.objects.create(organization=org, version=version, title="Room")
    Item.objects.create(organization=org, version=version, section=section, name="light", label="Found the light?",
                        kind="yes_no", critical=True, weight=Decimal("2"))
    Item.objects.create(organization=org, version=version, section=section, name="effort", label="Effort",
                        kind="effort", required=True)
    rows = list(version.items.all())
    assert missing_required(rows, {"light": "yes"}) == ["effort"]
    result = score(rows, {"light": "no", "effort": 1})
    assert result.sections[0].section == section.pk and result.sections[0].failed
