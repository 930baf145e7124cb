"""Checklists as spreadsheets, in an XLSForm-like layout (described in the README):

- sheet `items`: one row per item, between `begin section` / `end section` rows;
  columns type, name, label, hint, required, critical, weight, step, shown_when, min, max, unit,
  measure, min_count;
- sheet `choices`: list_name, name, label — the choices of `select_one LIST` / `select_multiple LIST`
  items and the labelled points of `score LIST` scales;
- sheet `settings`: title, description, journey (one row under the header);
- sheet `steps` (export only, ignored on import): the journey's steps, to look ids up.

CSV carries the same sheets in one file, each under a marker row `[items]`, `[choices]`,
`[settings]`; a CSV without markers is read as the `items` sheet alone.

Import is all or nothing: every problem is named by sheet, row and column, and nothing is saved
unless there are none.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.errors import ValidationFailed
from accounts.models import Client, Organization
from audits.checklists.publish import (
    KINDS,
    DraftError,
    check_draft,
    journey_step_ids,
    template_create,
    template_update,
)
from audits.models import ChecklistTemplate

ITEM_COLUMNS = ["type", "name", "label", "hint", "required", "critical", "weight", "step", "shown_when", "min",
                "max", "unit", "measure", "min_count"]
CHOICE_COLUMNS = ["list_name", "name", "label"]
SETTINGS_COLUMNS = ["title", "description", "journey"]
STEP_COLUMNS = ["id", "stage", "step", "channel", "promise_level", "promise_text"]
SHEETS = ("items", "choices", "settings")
REQUIRED_COLUMNS = {"items": ("type", "name", "label"), "choices": ("list_name", "name", "label")}
COLUMN_ALIASES = {"help": "hint", "list name": "list_name", "relevant": "shown_when", "shown when": "shown_when",
                  "min count": "min_count", "form_title": "title"}
LIST_KINDS = {"select_one": "single_choice", "single_choice": "single_choice",
              "select_multiple": "multi_choice", "multi_choice": "multi_choice", "score": "score"}
TYPE_OF_KIND = {"single_choice": "select_one", "multi_choice": "select_multiple", "score": "score"}
TYPE_NAMES = ["begin section", "end section", "select_one LIST", "select_multiple LIST", "score LIST",
              *sorted(KINDS - {"single_choice", "multi_choice", "score"})]
SECTION_BEGIN = {"begin section", "begin_section", "begin group", "begin_group"}
SECTION_END = {"end section", "end_section", "end group", "end_group"}
TRUE = {"yes", "true", "y", "1", "x"}
FALSE = {"no", "false", "n", "0", ""}
SHOWN_WHEN_RE = re.compile(r"^\$\{\s*([^}\s]+)\s*\}\s*=\s*(.+)$", re.S)
SELECTED_RE = re.compile(r"^selected\(\s*\$\{\s*([^}\s]+)\s*\}\s*,\s*(.+)\)$", re.S)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- errors -----------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class CellError:
    sheet: str
    row: int
    column: str      # the column's header, e.g. "weight" ("" for a whole row or sheet)
    letter: str      # e.g. "G" ("" when no column)
    message: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.letter}{self.row}" if self.letter else f"{self.sheet}!{self.row}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell,
                "message": self.message}


class SpreadsheetInvalid(ValidationFailed):
    code = "invalid_spreadsheet"

    def __init__(self, errors: list[CellError]):
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
        super().__init__(message, fields=fields, extra={"cells": [e.as_dict() for e in errors]})
        self.errors = errors


class FileUnreadable(ValidationFailed):
    def __init__(self, message: str):
        super().__init__(f"file: {message}", fields={"file": [message]}, code="invalid_spreadsheet")


# ---- reading ----------------------------------------------------------------------------------

@dataclass
class Table:
    """One sheet: its header (normalised names) and its rows, each with its row number."""

    name: str
    header_row: int = 1
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    def at(self, row: int, column: str, message: str) -> CellError:
        return CellError(self.name, row, column, self.letters.get(column, ""), message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _tables_from_rows(sheets: dict[str, list[tuple[int, list[Any]]]], errors: list[CellError]) -> dict[str, Table]:
    known = {"items": ITEM_COLUMNS, "choices": CHOICE_COLUMNS, "settings": SETTINGS_COLUMNS}
    tables: dict[str, Table] = {}
    for name, columns in known.items():
        table = Table(name)
        tables[name] = table
        rows = [(n, cells) for n, cells in sheets.get(name, []) if any(_text(c) for c in cells)]
        if not rows:
            if name == "items":
                errors.append(CellError("items", 1, "", "", "The sheet `items` is missing or empty."))
            continue
        table.header_row, header_cells = rows[0]
        if len(rows) > MAX_ROWS:
            errors.append(CellError(name, table.header_row, "", "", f"At most {MAX_ROWS} rows."))
            rows = rows[:MAX_ROWS + 1]
        for index, cell in enumerate(header_cells):
            letter = get_column_letter(index + 1)
            title = _text(cell).lower()
            title = COLUMN_ALIASES.get(title, title.replace(" ", "_"))
            table.header.append(title)
            if not title:
                continue
            if title not in columns:
                errors.append(CellError(name, table.header_row, title, letter,
                                        f"Unknown column; the columns are: {', '.join(columns)}."))
            elif title in table.letters:
                errors.append(CellError(name, table.header_row, title, letter, "This column appears twice."))
            else:
                table.letters[title] = letter
        for required in REQUIRED_COLUMNS.get(name, ()):
            if required not in table.letters:
                errors.append(CellError(name, table.header_row, required, "", "This column is missing."))
        for number, cells in rows[1:]:
            values = {}
            for index, cell in enumerate(cells):
                title = table.header[index] if index < len(table.header) else ""
                if title in table.letters and table.letters[title] == get_column_letter(index + 1):
                    values[title] = cell
                elif _text(cell) and not title:
                    errors.append(CellError(name, number, "", get_column_letter(index + 1),
                                            "A value in a column without a header."))
            table.rows.append((number, values))
    return tables


def _read_xlsx(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a workbook is a zip: refuse a decompression bomb
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileUnreadable("Not a readable XLSX workbook.") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileUnreadable(f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB.")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileUnreadable("Not a readable XLSX workbook.") from exc
    sheets: dict[str, list[tuple[int, list[Any]]]] = {}
    try:
        for sheet in book.worksheets:
            name = sheet.title.strip().lower()
            if name not in SHEETS:
                continue
            rows = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS + 50:
                    break
                rows.append((number, list(row)))
            sheets[name] = rows
    finally:
        book.close()
    return sheets


def _read_csv(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable("Not UTF-8 text: save the CSV as UTF-8 (or send an XLSX workbook).") from exc
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    sheets: dict[str, list[tuple[int, list[Any]]]] = {}
    current: str | None = None
    marked = False
    try:
        for cells in reader:
            number = reader.line_num
            first = cells[0].strip().lower() if cells else ""
            if re.fullmatch(r"\[[a-z_]+\]", first) and not any(c.strip() for c in cells[1:]):
                current, marked = first[1:-1], True
                sheets.setdefault(current, [])
                continue
            if current is None:
                current = "items"
                sheets.setdefault(current, [])
            if number > MAX_ROWS * 3 + 50:
                break
            sheets[current].append((number, [_csv_cell(c) for c in cells]))
    except csv.Error as exc:
        raise FileUnreadable(f"Not a readable CSV file ({exc}).") from exc
    if not marked:
        sheets = {"items": sheets.get("items", [])}
    return {name: rows for name, rows in sheets.items() if name in SHEETS}


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets write: whichever the first header line uses most."""
    for line in text.splitlines()[:50]:
        if line.strip() and not re.fullmatch(r"\s*\[[a-z_]+\][,;\t]*\s*", line.lower()):
            return max(",;\t", key=line.count)
    return ","


def _csv_cell(value: str) -> str:
    # Export puts a ' before text that a spreadsheet would run as a formula; take it off again.
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def read_tables(data: bytes) -> tuple[dict[str, Table], list[CellError]]:
    if not data:
        raise FileUnreadable("The file is empty.")
    if len(data) > MAX_BYTES:
        raise FileUnreadable(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    sheets = _read_xlsx(data) if data[:4] == b"PK\x03\x04" else _read_csv(data)
    errors: list[CellError] = []
    return _tables_from_rows(sheets, errors), errors


# ---- from tables to a draft -------------------------------------------------------------------

def _number(value: Any) -> Any:
    """A number from a cell (CSV gives text); anything else is handed on for the checks to name."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else value
    text = _text(value)
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
    cells: dict[tuple, tuple[Table, int, str]] = field(default_factory=dict)
    choice_rows: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def error(self, table: Table, row: int, column: str, message: str) -> None:
        self.errors.append(table.at(row, column, message))

    def lists(self) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        choices = self.tables["choices"]
        for number, values in choices.rows:
            name = _text(values.get("list_name"))
            if not name:
                self.error(choices, number, "list_name", "This field is required.")
                continue
            for column in ("name", "label"):  # unused lists too: the sheet is checked whole
                if not _text(values.get(column)):
                    self.error(choices, number, column, "This field is required.")
            self.choice_rows.setdefault(name, []).append((number, values))
        return self.choice_rows

    def boolean(self, table: Table, number: int, values: dict, column: str) -> bool:
        text = _text(values.get(column)).lower()
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
        ids = self.steps_by_name.get(_text(value).casefold(), [])
        if len(ids) == 1:
            return ids[0]
        self.error(table, number, "step", f'No single step named "{_text(value)}" in the journey: '
                                          "give its id (see the sheet `steps` of an export).")
        return None

    def shown_when(self, table: Table, number: int, values: dict) -> dict[str, Any] | None:
        text = _text(values.get("shown_when"))
        if not text:
            return None
        match = SHOWN_WHEN_RE.match(text) or SELECTED_RE.match(text)
        if not match:
            self.error(table, number, "shown_when", "Write it as ${item_name} = 'value'.")
            return None
        return {"item": match.group(1), "equals": _rule_value(match.group(2))}

    def options(self, kind: str, list_name: str, table: Table, number: int, values: dict,
                base: tuple) -> dict[str, Any]:
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
                self.cells[(*base, "options", "labels", _text(choice.get("name")))] = (choices, choice_row, "name")
            for key in ("choices", "labels"):
                self.cells[(*base, "options", key)] = (table, number, "type")
            if kind == "score":
                labels = {_text(c.get("name")): _text(c.get("label")) for _, c in rows}
                points = [_number(k) for k in labels]
                whole = [p for p in points if isinstance(p, int)]
                low, high = _number(values.get("min")), _number(values.get("max"))
                return {"min": low if low is not None else (min(whole) if whole else 1),
                        "max": high if high is not None else (max(whole) if whole else 5), "labels": labels}
            return {"choices": [{"value": _text(c.get("name")), "label": _text(c.get("label"))} for _, c in rows]}
        if kind == "number":
            return {"unit": _text(values.get("unit")), "min": _number(values.get("min")),
                    "max": _number(values.get("max"))}
        if kind == "duration":
            return {"measure": _text(values.get("measure")) or None}
        if kind == "photo":
            return {"min_count": _number(values.get("min_count")) or 0}
        for col in ("min", "max", "unit", "measure", "min_count"):
            if _text(values.get(col)):
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
            type_text = re.sub(r"\s+", " ", _text(values.get("type")).lower())
            if not type_text and not any(_text(v) for v in values.values()):
                continue
            if type_text in SECTION_BEGIN:
                if current is not None:
                    self.error(items_table, number, "type", "A section cannot begin inside another: "
                                                            "add `end section` first.")
                base = ("sections", len(sections))
                current = {"title": _text(values.get("label")), "step": self.step(items_table, number, values),
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
                "name": _text(values.get("name")),
                "label": _text(values.get("label")),
                "help": _text(values.get("hint")),
                "kind": kind,
                "required": self.boolean(items_table, number, values, "required"),
                "critical": self.boolean(items_table, number, values, "critical"),
                "weight": 1 if weight is None else weight,
                "step": self.step(items_table, number, values),
                "options": self.options(kind, list_name, items_table, number, values, base),
                "shown_when": self.shown_when(items_table, number, values),
            })
        return {"sections": sections}  # a last section left open closes at the end of the sheet

    def place(self, path: tuple) -> tuple[Table, int, str]:
        """The cell a path of the draft comes from: that of its longest known prefix."""
        while path:
            if path in self.cells:
                return self.cells[path]
            path = path[:-1]
        items = self.tables["items"]
        return items, items.header_row, ""

    def cell_of(self, error: DraftError) -> CellError:
        table, row, column = self.place(error.path)

        def describe(path: tuple) -> str:
            other, other_row, _ = self.place(path)
            return f"the item in row {other_row}" if other is table else f"sheet {other.name}, row {other_row}"

        return table.at(row, column, error.render(describe))


def _settings(tables: dict[str, Table], errors: list[CellError]) -> dict[str, Any]:
    table = tables["settings"]
    if not table.rows:
        return {}
    if len([r for r in table.rows if any(_text(v) for v in r[1].values())]) > 1:
        errors.append(table.at(table.rows[1][0], "", "The sheet `settings` has one row under its header."))
    number, values = table.rows[0]
    return {"row": number, "title": _text(values.get("title")), "description": _text(values.get("description")),
            "journey": values.get("journey")}


# ---- import -----------------------------------------------------------------------------------

def _journey_for(settings: dict[str, Any], table: Table, organization_id: int, default, errors: list[CellError]):
    from journeys.models import Journey

    raw = settings.get("journey")
    if raw is None or _text(raw) == "":
        return default
    journey_id = _number(raw)
    journey = None
    if isinstance(journey_id, int):
        journey = Journey.objects.filter(organization_id=organization_id, pk=journey_id).first()
    if journey is None:
        errors.append(table.at(settings["row"], "journey", f'No journey "{_text(raw)}" in this organization.'))
        return default
    return journey


def parse(data: bytes, *, organization_id: int, journey=None) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """The settings (title, description) and the normalised draft of a spreadsheet, and its journey;
    raises `SpreadsheetInvalid` naming every problem, or `FileUnreadable`."""
    from journeys.models import Step

    tables, errors = read_tables(data)
    settings = _settings(tables, errors)
    journey = _journey_for(settings, tables["settings"], organization_id, journey, errors)
    steps_by_name: dict[str, list[int]] = {}
    if journey is not None:
        for pk, name in Step.objects.filter(journey=journey, archived=False).values_list("pk", "name"):
            steps_by_name.setdefault(name.casefold(), []).append(pk)
    builder = _Builder(tables, steps_by_name, errors)
    draft = builder.draft()
    normalized, draft_errors = check_draft(draft, steps=journey_step_ids(journey.pk if journey else None))
    # A cell whose reading already failed says why once: later checks of the same cell add nothing.
    read_failed = {(e.sheet, e.row, e.column) for e in errors}
    errors.extend(e for e in map(builder.cell_of, draft_errors) if (e.sheet, e.row, e.column) not in read_failed)
    if errors:
        raise SpreadsheetInvalid(errors)
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


# ---- export -----------------------------------------------------------------------------------

def _rule_text(rule: dict[str, Any] | None) -> str:
    if not rule:
        return ""
    equals = rule["equals"]
    value = "'" + equals.replace("'", "''") + "'" if isinstance(equals, str) else json.dumps(equals)
    return f"${{{rule['item']}}} = {value}"


def sheets_of(template: ChecklistTemplate, draft: dict[str, Any] | None = None) -> dict[str, list[list[Any]]]:
    """The rows of each sheet (header first) for a draft (the template's by default)."""
    draft = template.draft if draft is None else draft
    items: list[list[Any]] = [ITEM_COLUMNS]
    choices: list[list[Any]] = [CHOICE_COLUMNS]
    blank = dict.fromkeys(ITEM_COLUMNS, None)

    def row(**values: Any) -> list[Any]:
        return [values.get(c, blank[c]) for c in ITEM_COLUMNS]

    for section in draft.get("sections", []):
        items.append(row(type="begin section", label=section["title"], step=section["step"]))
        for item in section["items"]:
            kind, options = item["kind"], item["options"]
            type_text = f"{TYPE_OF_KIND[kind]} {item['name']}" if kind in TYPE_OF_KIND else kind
            extra: dict[str, Any] = {}
            if kind == "score":
                extra = {"min": options["min"], "max": options["max"]}
                choices.extend([item["name"], int(point), label] for point, label in options["labels"].items())
            elif kind in ("single_choice", "multi_choice"):
                choices.extend([item["name"], c["value"], c["label"]] for c in options["choices"])
            elif kind == "number":
                extra = {"unit": options.get("unit") or None, "min": options.get("min"), "max": options.get("max")}
            elif kind == "duration":
                extra = {"measure": options.get("measure")}
            elif kind == "photo":
                extra = {"min_count": options.get("min_count", 0)}
            items.append(row(type=type_text, name=item["name"], label=item["label"], hint=item["help"] or None,
                             required="yes" if item["required"] else None,
                             critical="yes" if item["critical"] else None, weight=item["weight"],
                             step=item["step"], shown_when=_rule_text(item["shown_when"]) or None, **extra))
        items.append(row(type="end section"))
    settings = [SETTINGS_COLUMNS, [template.name, template.description or None, template.journey_id]]
    steps: list[list[Any]] = [STEP_COLUMNS]
    if template.journey_id:
        from journeys.models import Step

        for step in Step.objects.filter(journey_id=template.journey_id, archived=False).select_related(
                "stage").order_by("stage__position", "stage_id", "position", "id"):
            steps.append([step.pk, step.stage.name, step.name, step.channel, step.promise_level, step.promise_text])
    return {"items": items, "choices": choices, "settings": settings, "steps": steps}


def export_xlsx(template: ChecklistTemplate, draft: dict[str, Any] | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, rows in sheets_of(template, draft).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # text that looks like a formula stays text
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for index, title in enumerate(rows[0], start=1):
            width = max([len(str(title))] + [len(str(r[index - 1])) for r in rows[1:200] if r[index - 1] is not None])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return "" if value is None else value


def export_csv(template: ChecklistTemplate, draft: dict[str, Any] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    sheets = sheets_of(template, draft)
    for index, name in enumerate(SHEETS):
        if index:
            writer.writerow([])
        writer.writerow([f"[{name}]"])
        writer.writerows([_csv_text(v) for v in row] for row in sheets[name])
    return out.getvalue().encode("utf-8")


def tables_as_values(data: bytes) -> dict[str, list[list[str]]]:
    """Every non-empty row of each sheet as text (for tests and comparisons)."""
    tables, _ = read_tables(data)
    out: dict[str, list[list[str]]] = {}
    for name, table in tables.items():
        out[name] = [[_text(values.get(c)) for c in table.header if c] for _, values in table.rows]
    return out

