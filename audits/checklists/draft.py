"""The draft document of a checklist template and its validation.

The draft document (`ChecklistTemplate.draft`, the API's `draft`, what the spreadsheets carry):

    {"sections": [
        {"title": "Arrival", "step": 31,
         "items": [{"name": "greeted", "label": "Were you greeted?", "help": "", "kind": "yes_no",
                    "required": true, "critical": false, "weight": 1, "step": null,
                    "options": {}, "shown_when": null}, ...]}, ...]}

`check_draft` returns the draft normalised (every key present, options complete for the kind) and
every problem found, each named by its path (`sections.0.items.3.shown_when`), so the API and the
spreadsheet import (which maps paths to cells) report all of them at once. `validated_draft` checks a
draft against the live steps of its journey and raises `DraftInvalid` naming every problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from accounts.errors import ValidationFailed
from audits.checklists.rules import SCORING_KINDS, check_answer, choice_values
from audits.models import ItemKind
from journeys.selectors import live_step_ids

Path = tuple[str | int, ...]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
KINDS = frozenset(ItemKind.values)
ITEM_KEYS = ("name", "label", "help", "kind", "required", "critical", "weight", "step", "options", "shown_when")
SECTION_KEYS = ("title", "step", "items")
OPTION_KEYS = {
    "score": ("min", "max", "labels"),
    "single_choice": ("choices",),
    "multi_choice": ("choices",),
    "number": ("unit", "min", "max"),
    "duration": ("measure",),
    "photo": ("min_count",),
}
MEASURES = ("time_on_step", "wait")
#: Kinds whose answer can show or hide another item (the others never equal a fixed value usefully).
CONTROLLER_KINDS = frozenset({"score", "yes_no", "single_choice", "multi_choice", "number", "effort",
                              "delivered_level", "outcome"})
MAX_ITEMS = 2000
MAX_WEIGHT = Decimal("9999.99")


def dotted(path: Path) -> str:
    """A path as the API names it: `sections.0.items.3.weight`."""
    return ".".join(str(p) for p in path)


@dataclass(frozen=True)
class DraftError:
    """A problem at `path`; when it concerns another place too (a duplicate name), `ref` is that place
    and the message says "{ref}" where it names it (the API names paths, the spreadsheet rows)."""

    path: Path
    template: str
    ref: Path | None = None

    @property
    def field(self) -> str:
        return dotted(self.path)

    def render(self, describe: Callable[[Path], str] = dotted) -> str:
        return self.template.replace("{ref}", describe(self.ref)) if self.ref is not None else self.template

    @property
    def message(self) -> str:
        return self.render()


class DraftInvalid(ValidationFailed):
    """The draft has problems; `errors` names each by its path in the document."""

    errors: list[DraftError]

    @classmethod
    def of(cls, errors: list[DraftError], *, prefix: str = "draft") -> Self:
        fields: dict[str, list[str]] = {}
        for error in errors:
            fields.setdefault(dotted((prefix, *error.path)) if prefix else error.field, []).append(error.message)
        refusal = cls.from_fields(fields)
        refusal.errors = errors
        return refusal


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _whole(value: Any) -> int | None:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    return None


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _Checker:
    def __init__(self, steps: Collection[int] | None):
        self.steps = steps
        self.errors: list[DraftError] = []

    def error(self, path: Path, message: str, ref: Path | None = None) -> None:
        self.errors.append(DraftError(path, message, ref))

    def unknown_keys(self, data: Mapping, allowed: Collection[str], path: Path) -> None:
        for key in data:
            if key not in allowed:
                self.error((*path, key), f"Unknown field; known: {', '.join(allowed)}.")

    def text(self, data: Mapping, key: str, path: Path, *, max_length: int, required: bool) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error((*path, key), "This field is required.")
            return ""
        if not isinstance(value, str):
            self.error((*path, key), "Must be text.")
            return ""
        value = value.strip()
        if required and not value:
            self.error((*path, key), "This field is required.")
        if len(value) > max_length:
            self.error((*path, key), f"At most {max_length} characters ({len(value)} given).")
        return value

    def boolean(self, data: Mapping, key: str, path: Path) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error((*path, key), "Must be true or false.")
            return False
        return value

    def step(self, data: Mapping, path: Path) -> int | None:
        value = data.get("step")
        if value is None:
            return None
        step = _whole(value)
        if step is None:
            self.error((*path, "step"), "Must be the id of a step of the template's journey.")
        elif self.steps is None:
            self.error((*path, "step"), "The template has no journey: choose its journey first.")
        elif step not in self.steps:
            self.error((*path, "step"), f"Step {step} is not a live step of the template's journey.")
        else:
            return step
        return None

    def weight(self, data: Mapping, path: Path) -> int | float:
        value = data.get("weight", 1)
        if value is None:
            return 1
        if not _is_number(value):
            self.error((*path, "weight"), "Must be a number.")
            return 1
        try:
            weight = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.error((*path, "weight"), "Must be a number.")
            return 1
        if weight < 0:
            self.error((*path, "weight"), "Must be 0 or more.")
            return 1
        if weight > MAX_WEIGHT:
            self.error((*path, "weight"), f"Must be at most {MAX_WEIGHT}.")
            return 1
        return _plain_number(weight)

    def options(self, kind: str, data: Any, path: Path) -> dict[str, Any]:
        path = (*path, "options")
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            self.error(path, "Must be an object.")
            return {}
        allowed = OPTION_KEYS.get(kind, ())
        if allowed:
            self.unknown_keys(data, allowed, path)
        else:
            for key in data:
                self.error((*path, key), f"A {kind} item takes no options.")
        if kind == "score":
            return self.score_options(data, path)
        if kind in ("single_choice", "multi_choice"):
            return {"choices": self.choices(data.get("choices"), (*path, "choices"))}
        if kind == "number":
            unit = data.get("unit") or ""
            if not isinstance(unit, str) or len(unit) > 30:
                self.error((*path, "unit"), "Must be text of at most 30 characters.")
                unit = ""
            bounds = {}
            for key in ("min", "max"):
                bound = data.get(key)
                if bound is not None and not _is_number(bound):
                    self.error((*path, key), "Must be a number.")
                    bound = None
                bounds[key] = bound
            if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
                self.error((*path, "max"), "Must not be below min.")
            return {"unit": unit, **bounds}
        if kind == "duration":
            measure = data.get("measure")
            if measure is not None and measure not in MEASURES:
                self.error((*path, "measure"), 'Must be "time_on_step", "wait" or null.')
                measure = None
            return {"measure": measure}
        if kind == "photo":
            count = data.get("min_count", 0)
            count = 0 if count is None else count
            if _whole(count) is None or not 0 <= count <= 50:
                self.error((*path, "min_count"), "Must be a whole number from 0 to 50.")
                count = 0
            return {"min_count": int(count)}
        return {}

    def score_options(self, data: Mapping, path: Path) -> dict[str, Any]:
        low, high = _whole(data.get("min", 1)), _whole(data.get("max", 5))
        if low is None:
            self.error((*path, "min"), "Must be a whole number.")
        if high is None:
            self.error((*path, "max"), "Must be a whole number.")
        if low is not None and high is not None and not low < high <= low + 100:
            self.error((*path, "max"), "Must be above min (and at most 100 points above it).")
        labels = data.get("labels")
        if not labels or not isinstance(labels, Mapping):
            self.error((*path, "labels"), 'A score needs labels for its scale, e.g. {"1": "Poor", "5": "Excellent"}.')
            return {"min": low, "max": high, "labels": {}}
        clean: dict[int, str] = {}
        for key, label in labels.items():
            point = _whole(key) if not isinstance(key, str) else (int(key) if re.fullmatch(r"-?\d+", key) else None)
            if point is None or (low is not None and high is not None and not low <= point <= high):
                self.error((*path, "labels", str(key)), f"Must be a whole number from {low} to {high}.")
            elif not isinstance(label, str) or not label.strip():
                self.error((*path, "labels", str(key)), "Must be a label (text).")
            else:
                clean[point] = label.strip()
        return {"min": low, "max": high, "labels": {str(k): clean[k] for k in sorted(clean)}}

    def choices(self, data: Any, path: Path) -> list[dict[str, str]]:
        if not data or not isinstance(data, list):
            self.error(path, 'Give the choices: [{"value": "desk", "label": "At the desk"}, ...].')
            return []
        clean: list[dict[str, str]] = []
        seen: set[str] = set()
        for index, choice in enumerate(data):
            if not isinstance(choice, Mapping):
                self.error((*path, index), 'Must be {"value", "label"}.')
                continue
            value = choice.get("value")
            value = str(_whole(value)) if _whole(value) is not None else value
            label = choice.get("label")
            if not isinstance(value, str) or not value.strip():
                self.error((*path, index, "value"), "This field is required.")
                continue
            if value in seen:
                self.error((*path, index, "value"), f'"{value}" is already a choice of this item.')
            if not isinstance(label, str) or not label.strip():
                self.error((*path, index, "label"), "This field is required.")
                label = value
            seen.add(value)
            clean.append({"value": value.strip(), "label": label.strip()})
        return clean

    def shown_when(self, data: Any, path: Path) -> dict[str, Any] | None:
        if data is None or data == {}:
            return None
        path = (*path, "shown_when")
        if not isinstance(data, Mapping) or not isinstance(data.get("item"), str) or "equals" not in data:
            self.error(path, 'Must be {"item": another item\'s name, "equals": a value} or null.')
            return None
        self.unknown_keys(data, ("item", "equals"), path)
        return {"item": data["item"], "equals": data["equals"]}


def check_draft(draft: Any, *, steps: Collection[int] | None) -> tuple[dict[str, Any], list[DraftError]]:
    """The draft normalised, and every problem in it. `steps`: ids of the live steps of the template's
    journey (None when the template has no journey: then no step may be named)."""
    checker = _Checker(steps)
    if draft is None or draft == {}:
        draft = {"sections": []}
    if not isinstance(draft, Mapping):
        checker.error(("sections",), 'The draft must be an object: {"sections": [...]}.')
        return {"sections": []}, checker.errors
    checker.unknown_keys(draft, ("sections",), ())
    sections_in = draft.get("sections") or []
    if not isinstance(sections_in, list):
        checker.error(("sections",), "Must be a list of sections.")
        sections_in = []
    sections: list[dict[str, Any]] = []
    where: dict[str, Path] = {}
    count = 0
    for s_index, section_in in enumerate(sections_in):
        s_path: Path = ("sections", s_index)
        if not isinstance(section_in, Mapping):
            checker.error(s_path, 'Must be {"title", "step", "items"}.')
            continue
        checker.unknown_keys(section_in, SECTION_KEYS, s_path)
        section: dict[str, Any] = {"title": checker.text(section_in, "title", s_path, max_length=200, required=True),
                                   "step": checker.step(section_in, s_path), "items": []}
        items_in = section_in.get("items") or []
        if not isinstance(items_in, list):
            checker.error((*s_path, "items"), "Must be a list of items.")
            items_in = []
        for i_index, item_in in enumerate(items_in):
            path: Path = (*s_path, "items", i_index)
            count += 1
            if not isinstance(item_in, Mapping):
                checker.error(path, "Must be an item object.")
                continue
            checker.unknown_keys(item_in, ITEM_KEYS, path)
            name = checker.text(item_in, "name", path, max_length=80, required=True)
            if name and not NAME_RE.match(name):
                checker.error((*path, "name"), "Letters, digits, _ and -, starting with a letter.")
            elif name in where:
                checker.error((*path, "name"), f'"{name}" is already the name of {{ref}}.', where[name])
            elif name:
                where[name] = path
            kind = item_in.get("kind")
            kind = kind if isinstance(kind, str) else None
            if kind not in KINDS:
                checker.error((*path, "kind"), f"Must be one of: {', '.join(ItemKind.values)}.")
            item = {
                "name": name,
                "label": checker.text(item_in, "label", path, max_length=300, required=True),
                "help": checker.text(item_in, "help", path, max_length=2000, required=False),
                "kind": kind,
                "required": checker.boolean(item_in, "required", path),
                "critical": checker.boolean(item_in, "critical", path),
                "weight": checker.weight(item_in, path),
                "step": checker.step(item_in, path),
                "options": checker.options(kind, item_in.get("options"), path) if kind in KINDS else {},
                "shown_when": checker.shown_when(item_in.get("shown_when"), path),
            }
            if item["critical"] and kind in KINDS and kind not in SCORING_KINDS:
                checker.error((*path, "critical"),
                              f"Only items that score can be critical ({', '.join(sorted(SCORING_KINDS))}).")
            section["items"].append(item)
        sections.append(section)
    if count > MAX_ITEMS:
        checker.error(("sections",), f"A checklist has at most {MAX_ITEMS} items ({count} given).")
    _check_rules(sections, where, checker)
    return {"sections": sections}, checker.errors


def _check_rules(sections: list[dict[str, Any]], where: dict[str, Path], checker: _Checker) -> None:
    """Shown-when rules name an item of this checklist, with a value it can take, and never loop."""
    items: dict[str, dict[str, Any]] = {}
    for section in sections:  # items with a valid name, each name once (the first): others are named already
        for item in section["items"]:
            if item["name"] in where and item["name"] not in items:
                items[item["name"]] = item
    controller_of: dict[str, str] = {}
    for name, item in items.items():
        rule = item["shown_when"]
        if rule is None:
            continue
        path = (*where[name], "shown_when")
        target = items.get(rule["item"])
        if rule["item"] == name:
            checker.error((*path, "item"), "An item cannot be shown depending on its own answer.")
        elif target is None:
            checker.error((*path, "item"), f'No item named "{rule["item"]}" in this checklist.')
        elif target["kind"] not in CONTROLLER_KINDS:
            checker.error((*path, "item"), f'"{rule["item"]}" is a {target["kind"]} item; its answer cannot '
                                           "show or hide another item.")
        else:
            controller_of[name] = rule["item"]
            equals = rule["equals"]
            problems: list[str]
            if target["kind"] == "score" and None in (target["options"].get("min"), target["options"].get("max")):
                problems = []  # the scale itself is wrong, and said so
            elif target["kind"] == "multi_choice" and isinstance(equals, str):
                problems = [] if equals in choice_values(target["options"]) else [
                    f"must be one of: {', '.join(choice_values(target['options']))}"]
            else:
                problems = ["is required"] if equals is None else check_answer(target, equals)
            if problems:
                checker.error((*path, "equals"), f'Never an answer of "{rule["item"]}": it {problems[0]}.')
    reported: set[str] = set()
    for start in controller_of:
        chain, link = [start], controller_of.get(start)
        while link is not None and link not in chain:
            chain.append(link)
            link = controller_of.get(link)
        if link is not None and link == start and start not in reported:
            loop = [*chain, start]
            reported.update(chain)
            for member in chain:
                checker.error((*where[member], "shown_when", "item"),
                              f"Shown-when rules go round in a circle: {' → '.join(loop)}.")


def validated_draft(draft: Any, *, journey_id: int | None, prefix: str = "draft") -> dict[str, Any]:
    """The draft normalised, checked against the live steps of its journey; or `DraftInvalid`."""
    normalized, errors = check_draft(draft, steps=live_step_ids(journey_id))
    if errors:
        raise DraftInvalid.of(errors, prefix=prefix)
    return normalized
