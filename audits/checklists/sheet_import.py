"""Importing a checklist from a spreadsheet (the layout of `audits.checklists.sheets`): the tables
become a draft (every cell kept, so that a problem in the draft is named by the cell it came from), the
draft is checked like any other (`audits.checklists.draft`), and the template is created or its draft
replaced.

Import is all or nothing: every problem is named by sheet, row and column (`SpreadsheetInvalid`), and
nothing is saved unless there are none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Self

from django.db import transaction

from accounts.errors import ValidationFailed
from accounts.models import Client, Organization
from audits.checklists.draft import KINDS, DraftError, Path, check_draft
from audits.checklists.services import template_create, template_update
from audits.checklists.sheets import SHEETS, CellError, Table, cell_text, read_tables
from audits.models import ChecklistTemplate
from journeys.models import Journey
from journeys.selectors import live_step_ids, live_steps

LIST_KINDS = {"select_one": "single_choice", "single_choice": "single_choice",
              "select_multiple": "multi_choice", "multi_choice": "multi_choice", "score": "score"}
TYPE_NAMES = ["begin section", "end section", "select_one LIST", "select_multiple LIST", "score LIST",
              *sorted(KINDS - {"single_choice", "multi_choice", "score"})]
SECTION_BEGIN = {"begin section", "begin_section", "begin group", "begin_group"}
SECTION_END = {"end section", "end_section", "end group", "end_group"}
TRUE = {"yes", "true", "y", "1", "x"}
FALSE = {"no", "false", "n", "0", ""}
SHOWN_WHEN_RE = re.compile(r"^\$\{\s*([^}\s]+)\s*\}\s*=\s*(.+)$", re.S)
SELECTED_RE = re.compile(r"^selected\(\s*\$\{\s*([^}\s]+)\s*\}\s*,\s*(.+)\)$", re.S)


class SpreadsheetInvalid(ValidationFailed):
    """The spreadsheet has problems; `errors` names each by its cell, in sheet and row order."""

    code = "invalid_spreadsheet"
    errors: list[CellError]

    @classmethod
    def of(cls, errors: list[CellError]) -> Self:
        errors = sorted(set(errors), key=lambda e: (SHEETS.index(e.sheet) if e.sheet in SHEETS else 9, e.row,
                                                    e.letter.rjust(3), e.message))
        fields: dict[str, list[str]] = {}
        for error in errors:
            fields.setdefault(error.cell, []).append(
                f"{error.column}: {error.message}" if error.column else error.message)
        first = errors[0]
        message = (f"The spreadsheet was not imported ({len(errors)} problem{'s' if len(errors) > 1 else ''}); "
                   f"nothing was saved. First: sheet {first.sheet}, row {first.row}"
                   f"{f', column {first.column}' if first.column else ''}: {first.message}")
        refusal = cls.from_fields(fields, message=message, extra={"cells": [e.as_dict() for e in errors]})
        refusal.errors = errors
        return refusal


# ---- from tables to a draft -------------------------------------------------------------------

def _number(value: Any) -> Any:
    """A number from a cell (CSV gives text); anything else is handed on for the checks to name."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else value
    text = cell_text(value)
    if text == "":
        return None
    try:
        number = float(text.replace(",", ".")) if re.fullmatch(r"-?\d+([.,]\d+)?", text) else None
    except ValueError:
        number = None
    if number is None:
        return text
    return int(number) if number.is_integer() else number


def _rule_value(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    try:
        return json.loads(text)
    except ValueError:
        return text  # a bare word: yes, no, gave_up …


@dataclass
class _Builder:
    tables: dict[str, Table]
    steps_by_name: dict[str, list[int]]
    errors: list[CellError]
    cells: dict[Path, tuple[Table, int, str]] = field(default_factory=dict)
    choice_rows: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def error(self, table: Table, row: int, column: str, message: str) -> None:
        self.errors.append(table.at(row, column, message))

    def lists(self) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        choices = self.tables["choices"]
        for number, values in choices.rows:
            name = cell_text(values.get("list_name"))
            if not name:
                self.error(choices, number, "list_name", "This field is required.")
                continue
            for column in ("name", "label"):  # unused lists too: the sheet is checked whole
                if not cell_text(values.get(column)):
                    self.error(choices, number, column, "This field is required.")
            self.choice_rows.setdefault(name, []).append((number, values))
        return self.choice_rows

    def boolean(self, table: Table, number: int, values: dict, column: str) -> bool:
        text = cell_text(values.get(column)).lower()
        if text in TRUE:
            return True
        if text not in FALSE:
            self.error(table, number, column, 'Must be "yes" or "no" (or empty).')
        return False

    def step(self, table: Table, number: int, values: dict) -> Any:
        value = values.get("step")
        number_value = _number(value)
        if number_value is None or isinstance(number_value, int | float):
            return number_value
        ids = self.steps_by_name.get(cell_text(value).casefold(), [])
        if len(ids) == 1:
            return ids[0]
        self.error(table, number, "step", f'No single step named "{cell_text(value)}" in the journey: '
                                          "give its id (see the sheet `steps` of an export).")
        return None

    def shown_when(self, table: Table, number: int, values: dict) -> dict[str, Any] | None:
        text = cell_text(values.get("shown_when"))
        if not text:
            return None
        match = SHOWN_WHEN_RE.match(text) or SELECTED_RE.match(text)
        if not match:
            self.error(table, number, "shown_when", "Write it as ${item_name} = 'value'.")
            return None
        return {"item": match.group(1), "equals": _rule_value(match.group(2))}

    def options(self, kind: str, list_name: str, table: Table, number: int, values: dict,
                base: Path) -> dict[str, Any]:
        column = {"min": "min", "max": "max", "unit": "unit", "measure": "measure", "min_count": "min_count"}
        for key, col in column.items():
            self.cells[(*base, "options", key)] = (table, number, col)
        self.cells[(*base, "options")] = (table, number, "type")
        if kind in ("single_choice", "multi_choice", "score"):
            rows = self.choice_rows.get(list_name, []) if list_name else []
            choices = self.tables["choices"]
            for index, (choice_row, choice) in enumerate(rows):
                self.cells[(*base, "options", "choices", index, "value")] = (choices, choice_row, "name")
                self.cells[(*base, "options", "choices", index, "label")] = (choices, choice_row, "label")
                self.cells[(*base, "options", "choices", index)] = (choices, choice_row, "name")
                self.cells[(*base, "options", "labels", cell_text(choice.get("name")))] = (choices, choice_row, "name")
            for key in ("choices", "labels"):
                self.cells[(*base, "options", key)] = (table, number, "type")
            if kind == "score":
                labels = {cell_text(c.get("name")): cell_text(c.get("label")) for _, c in rows}
                points = [_number(k) for k in labels]
                whole = [p for p in points if isinstance(p, int)]
                low, high = _number(values.get("min")), _number(values.get("max"))
                return {"min": low if low is not None else (min(whole) if whole else 1),
                        "max": high if high is not None else (max(whole) if whole else 5), "labels": labels}
            return {"choices": [{"value": cell_text(c.get("name")), "label": cell_text(c.get("label"))}
                                for _, c in rows]}
        if kind == "number":
            return {"unit": cell_text(values.get("unit")), "min": _number(values.get("min")),
                    "max": _number(values.get("max"))}
        if kind == "duration":
            return {"measure": cell_text(values.get("measure")) or None}
        if kind == "photo":
            return {"min_count": _number(values.get("min_count")) or 0}
        for col in ("min", "max", "unit", "measure", "min_count"):
            if cell_text(values.get(col)):
                self.error(table, number, col, f"A {kind} item does not use this column.")
        return {}

    def draft(self) -> dict[str, Any]:
        items_table = self.tables["items"]
        lists = self.lists()
        used_lists: set[str] = set()
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        self.cells[("sections",)] = (items_table, items_table.header_row, "type")
        for number, values in items_table.rows:
            type_text = re.sub(r"\s+", " ", cell_text(values.get("type")).lower())
            if not type_text and not any(cell_text(v) for v in values.values()):
                continue
            if type_text in SECTION_BEGIN:
                if current is not None:
                    self.error(items_table, number, "type", "A section cannot begin inside another: "
                                                            "add `end section` first.")
                base: Path = ("sections", len(sections))
                current = {"title": cell_text(values.get("label")), "step": self.step(items_table, number, values),
                           "items": []}
                sections.append(current)
                self.cells[base] = (items_table, number, "type")
                self.cells[(*base, "title")] = (items_table, number, "label")
                self.cells[(*base, "step")] = (items_table, number, "step")
                self.cells[(*base, "items")] = (items_table, number, "type")
                continue
            if type_text in SECTION_END:
                if current is None:
                    self.error(items_table, number, "type", "`end section` without a `begin section`.")
                current = None
                continue
            if current is None:
                self.error(items_table, number, "type", "Items go between `begin section` and `end section` rows.")
                continue
            word, _, list_name = type_text.partition(" ")
            kind = LIST_KINDS.get(word, word)
            if kind not in KINDS:
                self.error(items_table, number, "type", f'Unknown type "{type_text}"; the types are: '
                                                        f"{', '.join(TYPE_NAMES)}.")
            elif word in LIST_KINDS and word != "score" and not list_name:
                self.error(items_table, number, "type", f"Name the list of choices: `{word} LIST_NAME`.")
            elif list_name and word not in LIST_KINDS:
                self.error(items_table, number, "type", f"`{word}` takes no list of choices.")
            elif list_name and list_name not in lists:
                self.error(items_table, number, "type", f'No list "{list_name}" in the sheet `choices`.')
            used_lists.add(list_name)
            base = ("sections", len(sections) - 1, "items", len(current["items"]))
            for key, column in (("name", "name"), ("label", "label"), ("help", "hint"), ("kind", "type"),
                                ("required", "required"), ("critical", "critical"), ("weight", "weight"),
                                ("step", "step"), ("shown_when", "shown_when")):
                self.cells[(*base, key)] = (items_table, number, column)
            self.cells[base] = (items_table, number, "type")
            weight = _number(values.get("weight"))
            current["items"].append({
                "name": cell_text(values.get("name")),
                "label": cell_text(values.get("label")),
                "help": cell_text(values.get("hint")),
                "kind": kind,
                "required": self.boolean(items_table, number, values, "required"),
                "critical": self.boolean(items_table, number, values, "critical"),
                "weight": 1 if weight is None else weight,
                "step": self.step(items_table, number, values),
                "options": self.options(kind, list_name, items_table, number, values, base),
                "shown_when": self.shown_when(items_table, number, values),
            })
        return {"sections": sections}  # a last section left open closes at the end of the sheet

    def place(self, path: Path) -> tuple[Table, int, str]:
        """The cell a path of the draft comes from: that of its longest known prefix."""
        while path:
            if path in self.cells:
                return self.cells[path]
            path = path[:-1]
        items = self.tables["items"]
        return items, items.header_row, ""

    def cell_of(self, error: DraftError) -> CellError:
        table, row, column = self.place(error.path)

        def describe(path: Path) -> str:
            other, other_row, _ = self.place(path)
            return f"the item in row {other_row}" if other is table else f"sheet {other.name}, row {other_row}"

        return table.at(row, column, error.render(describe))


def _settings(tables: dict[str, Table], errors: list[CellError]) -> dict[str, Any]:
    table = tables["settings"]
    if not table.rows:
        return {}
    if len([r for r in table.rows if any(cell_text(v) for v in r[1].values())]) > 1:
        errors.append(table.at(table.rows[1][0], "", "The sheet `settings` has one row under its header."))
    number, values = table.rows[0]
    return {"row": number, "title": cell_text(values.get("title")), "description": cell_text(values.get("description")),
            "journey": values.get("journey")}


# ---- import -----------------------------------------------------------------------------------

def _journey_for(settings: dict[str, Any], table: Table, organization_id: int, default: Journey | None,
                 errors: list[CellError]) -> Journey | None:
    """The journey the sheet `settings` names (one of the template's organization), or `default`."""
    raw = settings.get("journey")
    if raw is None or cell_text(raw) == "":
        return default
    journey_id = _number(raw)
    journey = None
    if isinstance(journey_id, int):
        journey = Journey.objects.filter(organization_id=organization_id, pk=journey_id).first()
    if journey is None:
        errors.append(table.at(settings["row"], "journey", f'No journey "{cell_text(raw)}" in this organization.'))
        return default
    return journey


def parse(data: bytes, *, organization_id: int,
          journey: Journey | None = None) -> tuple[dict[str, str], dict[str, Any], Journey | None]:
    """The settings (title, description) and the normalised draft of a spreadsheet, and its journey;
    raises `SpreadsheetInvalid` naming every problem, or `FileUnreadable`."""
    tables, errors = read_tables(data)
    settings = _settings(tables, errors)
    journey = _journey_for(settings, tables["settings"], organization_id, journey, errors)
    steps_by_name: dict[str, list[int]] = {}
    if journey is not None:
        for pk, name in live_steps(journey.pk).values_list("pk", "name"):
            steps_by_name.setdefault(name.casefold(), []).append(pk)
    builder = _Builder(tables, steps_by_name, errors)
    draft = builder.draft()
    normalized, draft_errors = check_draft(draft, steps=live_step_ids(journey.pk if journey else None))
    # A cell whose reading already failed says why once: later checks of the same cell add nothing.
    read_failed = {(e.sheet, e.row, e.column) for e in errors}
    errors.extend(e for e in map(builder.cell_of, draft_errors) if (e.sheet, e.row, e.column) not in read_failed)
    if errors:
        raise SpreadsheetInvalid.of(errors)
    return {"title": settings.get("title", ""), "description": settings.get("description", "")}, normalized, journey


@transaction.atomic
def template_import(*, data: bytes, template: ChecklistTemplate | None = None,
                    organization: Organization | None = None, client: Client | None = None,
                    default_name: str = "Imported checklist") -> ChecklistTemplate:
    """Create a template from a spreadsheet, or replace a template's draft (and its title,
    description and journey when the sheet `settings` gives them). All or nothing."""
    if template is not None:
        settings, draft, journey = parse(data, organization_id=template.organization_id, journey=template.journey)
        changes: dict[str, Any] = {"draft": draft, "journey": journey}
        if settings["title"]:
            changes["name"] = settings["title"][:200]
        if settings["description"]:
            changes["description"] = settings["description"]
        return template_update(template=template, **changes)
    assert organization is not None
    settings, draft, journey = parse(data, organization_id=organization.pk)
    return template_create(organization=organization, client=client or (journey.client if journey else None),
                           journey=journey, name=(settings["title"] or default_name)[:200],
                           description=settings["description"], draft=draft)
