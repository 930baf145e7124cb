"""The rules of a published checklist, as plain functions: is an answer valid for its item, which
items are shown, what is still missing before submit, and the score.

They work on `audits.models.Item` rows and on plain dicts alike (anything with `name`, `kind`,
`required`, `critical`, `weight`, `options`, `shown_when`, and a section: `section_id` on rows, a
`section` key or attribute otherwise), so the sync, the reviews and the reports share one
definition. Answers are keyed by item name; a missing key or `None` means "not answered".

Value shapes by kind (what the PWA sends):

    score            number, a whole number from options.min to options.max
    yes_no           "yes" | "no" | "na"
    single_choice    one of options.choices[].value
    multi_choice     [value, ...] from options.choices, no repeats
    number           number, within options.min / options.max when given
    duration         seconds >= 0
    text             string
    photo            null (the photos themselves are counted separately)
    signature        "data:image/png;base64,..."
    effort           whole number 1..7 (1 very easy, 7 very hard)
    delivered_level  whole number 1..5
    outcome          "done" | "done_with_help" | "gave_up"
    friction         [{"tag": code, "severity": 1 | 2 | 3}, ...] (an empty list: no friction here)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

YES_NO = ("yes", "no", "na")
OUTCOMES = ("done", "done_with_help", "gave_up")
SEVERITIES = (1, 2, 3)
SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_TEXT = 10_000

#: Kinds that count towards a score, and only these may be critical.
SCORING_KINDS = frozenset({"score", "yes_no", "effort", "delivered_level"})

#: A critical item fails below this share of its scale: "no", a score below the middle of its
#: scale, effort 5–7, a delivered level of 1–2.
PASS_MARK = 0.5


@dataclass(frozen=True)
class RuleItem:
    """What the rules need of an item, whatever it came from."""

    name: str
    kind: str
    required: bool = False
    critical: bool = False
    weight: float = 1.0
    options: Mapping[str, Any] = field(default_factory=dict)
    shown_when: Mapping[str, Any] | None = None
    section: Any = None


def rule_item(item: Any) -> RuleItem:
    """A `RuleItem` from an `Item` row, a dict (draft or API shape) or a `RuleItem`."""
    if isinstance(item, RuleItem):
        return item

    def get(key: str, default: Any = None) -> Any:
        return item.get(key, default) if isinstance(item, Mapping) else getattr(item, key, default)

    if isinstance(item, Mapping):
        section = item.get("section")
    else:
        section = getattr(item, "section_id", None)
        if section is None:
            section = getattr(item, "section", None)
    weight = get("weight", 1)
    return RuleItem(
        name=str(get("name")),
        kind=str(get("kind")),
        required=bool(get("required", False)),
        critical=bool(get("critical", False)),
        weight=float(weight if weight is not None else 1),
        options=get("options") or {},
        shown_when=get("shown_when") or None,
        section=section,
    )


def _items(items: Iterable[Any]) -> list[RuleItem]:
    return [rule_item(item) for item in items]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: Any) -> bool:
    return _is_number(value) and float(value).is_integer()


def _fmt(number: Any) -> str:
    number = float(number)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _whole_in(value: Any, low: Any, high: Any) -> list[str]:
    if not _is_whole(value) or not low <= value <= high:
        return [f"must be a whole number from {_fmt(low)} to {_fmt(high)}"]
    return []


def choice_values(options: Mapping[str, Any]) -> list[str]:
    return [str(choice.get("value")) for choice in options.get("choices") or [] if isinstance(choice, Mapping)]


def check_answer(item: Any, value: Any, *, friction_tags: Collection[str] | None = None) -> list[str]:
    """What is wrong with `value` as an answer to `item` (empty: nothing). `None` is "not answered"
    and always valid here; `missing_required` says whether an answer was needed. `friction_tags` are
    the codes the organization may use (built-in and its own, not retired); `None` skips that check."""
    item = rule_item(item)
    if value is None:
        return []
    kind, options = item.kind, item.options
    if kind == "score":
        low, high = options.get("min", 1), options.get("max", 5)
        return _whole_in(value, low, high)
    if kind == "effort":
        return _whole_in(value, 1, 7)
    if kind == "delivered_level":
        return _whole_in(value, 1, 5)
    if kind == "yes_no":
        return [] if value in YES_NO else ['must be "yes", "no" or "na"']
    if kind == "outcome":
        return [] if value in OUTCOMES else ['must be "done", "done_with_help" or "gave_up"']
    if kind == "single_choice":
        allowed = choice_values(options)
        if not isinstance(value, str) or value not in allowed:
            return [f"must be one of: {', '.join(allowed)}"]
        return []
    if kind == "multi_choice":
        allowed = choice_values(options)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return ["must be a list of choices"]
        errors = [f'"{v}" is not one of: {", ".join(allowed)}' for v in value if v not in allowed]
        if len(set(value)) != len(value):
            errors.append("must not name a choice twice")
        return errors
    if kind == "number":
        if not _is_number(value):
            return ["must be a number"]
        low, high = options.get("min"), options.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                return [f"must be a number from {_fmt(low)} to {_fmt(high)}"]
            if low is not None:
                return [f"must be a number of at least {_fmt(low)}"]
            return [f"must be a number of at most {_fmt(high)}"]
        return []
    if kind == "duration":
        if not _is_number(value) or value < 0:
            return ["must be a number of seconds, 0 or more"]
        return []
    if kind == "text":
        if not isinstance(value, str):
            return ["must be text"]
        return [f"must be at most {MAX_TEXT} characters"] if len(value) > MAX_TEXT else []
    if kind == "photo":
        return ["must be null: photos are sent on their own"]
    if kind == "signature":
        if not isinstance(value, str) or not value.startswith(SIGNATURE_PREFIX) or len(value) == len(SIGNATURE_PREFIX):
            return [f'must be a PNG data URL ("{SIGNATURE_PREFIX}...")']
        return []
    if kind == "friction":
        return _check_friction(value, friction_tags)
    return [f'has an unknown kind "{kind}"']


def _check_friction(value: Any, friction_tags: Collection[str] | None) -> list[str]:
    if not isinstance(value, list):
        return ['must be a list of {"tag", "severity"}']
    errors: list[str] = []
    seen: set[str] = set()
    for index, mark in enumerate(value):
        if not isinstance(mark, Mapping) or not isinstance(mark.get("tag"), str):
            errors.append(f'{index}: must be {{"tag": code, "severity": 1, 2 or 3}}')
            continue
        tag = mark["tag"]
        if friction_tags is not None and tag not in friction_tags:
            errors.append(f'{index}: "{tag}" is not a friction tag in use')
        if tag in seen:
            errors.append(f'{index}: "{tag}" is given twice')
        seen.add(tag)
        severity = mark.get("severity")
        if isinstance(severity, bool) or severity not in SEVERITIES:
            errors.append(f"{index}: severity must be 1, 2 or 3")
    return errors


def check_answers(items: Iterable[Any], answers: Mapping[str, Any], *,
                  friction_tags: Collection[str] | None = None) -> dict[str, list[str]]:
    """`check_answer` over a whole set of answers, keyed by item name; unknown names are errors too."""
    by_name = {item.name: item for item in _items(items)}
    errors: dict[str, list[str]] = {}
    for name, value in answers.items():
        item = by_name.get(name)
        problems = ["is not an item of this checklist"] if item is None else check_answer(
            item, value, friction_tags=friction_tags)
        if problems:
            errors[name] = problems
    return errors


def value_equals(actual: Any, expected: Any) -> bool:
    """The `equals` of a shown-when rule, as the PWA reads it: a list answer matches when it contains
    the value; numbers and their strings match; true/false match "yes"/"no"."""
    if isinstance(actual, list):
        if isinstance(expected, list):
            return actual == expected
        return any(value_equals(v, expected) for v in actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        def norm(v: Any) -> Any:
            return "yes" if v is True or v == "yes" else "no" if v is False or v == "no" else v
        return norm(actual) == norm(expected)
    if (_is_number(actual) and isinstance(expected, str)) or (isinstance(actual, str) and _is_number(expected)):
        number, text = (actual, expected) if _is_number(actual) else (expected, actual)
        try:
            return float(text) == float(number)
        except ValueError:
            return False
    return actual == expected


def visible_items(items: Iterable[Any], answers: Mapping[str, Any]) -> set[str]:
    """Names of the items shown given `answers`. An item with `shown_when` {"item", "equals"} is shown
    when that item is shown and answered with that value; a rule naming no item of the checklist is
    ignored (publishing refuses such rules); a cycle hides the items in it (publishing refuses those too)."""
    by_name = {item.name: item for item in _items(items)}
    memo: dict[str, bool] = {}

    def shown(name: str, path: frozenset[str]) -> bool:
        if name in memo:
            return memo[name]
        rule = by_name[name].shown_when
        if not rule:
            result = True
        else:
            controller = rule.get("item")
            if controller not in by_name:
                result = True
            elif controller in path:
                result = False
            else:
                value = answers.get(controller)
                result = (shown(controller, path | {name}) and value is not None
                          and value_equals(value, rule.get("equals")))
        memo[name] = result
        return result

    return {name for name in by_name if shown(name, frozenset())}


def min_photos(item: RuleItem) -> int:
    """Photos a shown item needs: `options.min_count`, and at least one when the item is required."""
    try:
        count = max(0, int(item.options.get("min_count") or 0))
    except (TypeError, ValueError):
        count = 0
    return max(count, 1) if item.required else count


def is_answered(item: Any, value: Any, photo_count: int = 0) -> bool:
    item = rule_item(item)
    if item.kind == "photo":
        return photo_count >= max(1, min_photos(item))
    if value is None:
        return False
    if item.kind == "friction":
        return isinstance(value, list)  # an explicit empty list means "no friction here"
    if item.kind == "multi_choice":
        return isinstance(value, list) and len(value) > 0
    if isinstance(value, str):
        return value.strip() != ""
    return True


def missing_required(items: Iterable[Any], answers: Mapping[str, Any],
                     photo_counts: Mapping[str, int] | None = None) -> list[str]:
    """Names of the shown items still missing before submit, in checklist order: required items with
    no answer, and photo items with fewer photos than `options.min_count` (at least one if required)."""
    items = _items(items)
    photo_counts = photo_counts or {}
    shown = visible_items(items, answers)
    missing = []
    for item in items:
        if item.name not in shown:
            continue
        if item.kind == "photo":
            if photo_counts.get(item.name, 0) < min_photos(item):
                missing.append(item.name)
        elif item.required and not is_answered(item, answers.get(item.name)):
            missing.append(item.name)
    return missing


def item_score(item: Any, value: Any) -> float | None:
    """The share of its scale an answer earns (0–1), or None when it does not score: a kind that
    does not score, no answer, "na", or a value that is not valid for the item."""
    item = rule_item(item)
    if item.kind not in SCORING_KINDS or value is None or check_answer(item, value):
        return None
    if item.kind == "yes_no":
        return {"yes": 1.0, "no": 0.0}.get(value)
    if item.kind == "effort":
        return (7 - value) / 6
    if item.kind == "delivered_level":
        return (value - 1) / 4
    low, high = float(item.options.get("min", 1)), float(item.options.get("max", 5))
    return 1.0 if high == low else (value - low) / (high - low)


@dataclass
class SectionScore:
    section: Any
    percent: float | None  # None: nothing in the section scored
    earned: float          # sum of weight × share (0 when a critical item failed)
    possible: float        # sum of the weights of the items that scored
    failed: bool = False   # a critical item failed
    critical_failures: list[str] = field(default_factory=list)
    items: dict[str, float] = field(default_factory=dict)  # item name -> share earned (0–1)

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.section, "percent": self.percent, "earned": round(self.earned, 4),
                "possible": round(self.possible, 4), "failed": self.failed,
                "critical_failures": self.critical_failures, "items": {k: round(v, 4) for k, v in self.items.items()}}


@dataclass
class ScoreResult:
    percent: float | None                   # overall; None when nothing scored
    sections: list[SectionScore]            # in checklist order, every section with an item
    critical_failures: list[str] = field(default_factory=list)

    @property
    def failed_sections(self) -> list[Any]:
        return [s.section for s in self.sections if s.failed]

    def section(self, key: Any) -> SectionScore:
        return next(s for s in self.sections if s.section == key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (e.g. for `Audit.score_detail`)."""
        return {"percent": self.percent, "critical_failures": self.critical_failures,
                "failed_sections": self.failed_sections, "sections": [s.as_dict() for s in self.sections]}


def _percent(earned: float, possible: float) -> float | None:
    return round(100 * earned / possible, 2) if possible > 0 else None


def score(items: Iterable[Any], answers: Mapping[str, Any]) -> ScoreResult:
    """Per section and overall percentages.

    Each shown, answered item of a scoring kind earns its weight × its share: score
    (value − min) / (max − min), yes_no yes 1 / no 0 ("na" is left out, as are unanswered and hidden
    items), effort (7 − v) / 6, delivered_level (v − 1) / 4. A section's percent is earned over the
    weights that scored. A critical item below `PASS_MARK` fails its section: the section scores 0
    and is marked failed. The overall percent weighs the sections by the weights that scored in them,
    so without critical failures it equals the weighted mean of all scored items.
    """
    items = _items(items)
    shown = visible_items(items, answers)
    sections: dict[Any, SectionScore] = {}
    for item in items:
        section = sections.setdefault(item.section, SectionScore(section=item.section, percent=None,
                                                                 earned=0.0, possible=0.0))
        if item.name not in shown:
            continue
        share = item_score(item, answers.get(item.name))
        if share is None:
            continue
        weight = max(item.weight, 0.0)
        section.items[item.name] = share
        section.earned += weight * share
        section.possible += weight
        if item.critical and share < PASS_MARK:
            section.failed = True
            section.critical_failures.append(item.name)
    earned = possible = 0.0
    failures: list[str] = []
    for section in sections.values():
        if section.failed:
            section.earned = 0.0
            failures.extend(section.critical_failures)
        section.percent = _percent(section.earned, section.possible)
        if section.failed and section.possible == 0:
            section.percent = 0.0  # only weight-0 items, one of them a failed critical
        earned += section.earned
        possible += section.possible
    return ScoreResult(percent=_percent(earned, possible), sections=list(sections.values()),
                       critical_failures=failures)
