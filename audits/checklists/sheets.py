"""Checklists as spreadsheets: the layout, and reading a workbook or a CSV file into tables.

The layout is XLSForm-like (described in the README):

- sheet `items`: one row per item, between `begin section` / `end section` rows;
  columns type, name, label, hint, required, critical, weight, step, shown_when, min, max, unit,
  measure, min_count;
- sheet `choices`: list_name, name, label — the choices of `select_one LIST` / `select_multiple LIST`
  items and the labelled points of `score LIST` scales;
- sheet `settings`: title, description, journey (one row under the header);
- sheet `steps` (export only, ignored on import): the journey's steps, to look ids up.

CSV carries the same sheets in one file, each under a marker row `[items]`, `[choices]`,
`[settings]`; a CSV without markers is read as the `items` sheet alone. Text that a spreadsheet
would run as a formula is written with a leading `'` (`sheet_export`), which reading takes off again.

`read_tables` refuses a file it cannot read (`FileUnreadable`, at the field `file`) and names every
problem of the layout (unknown or missing columns…) as a `CellError`; `cell_text` is the text of
any cell value. Building a draft from the tables is `sheet_import`; writing them, `sheet_export`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Self

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from accounts.errors import ValidationFailed

ITEM_COLUMNS = ["type", "name", "label", "hint", "required", "critical", "weight", "step", "shown_when", "min",
                "max", "unit", "measure", "min_count"]
CHOICE_COLUMNS = ["list_name", "name", "label"]
SETTINGS_COLUMNS = ["title", "description", "journey"]
SHEETS = ("items", "choices", "settings")
REQUIRED_COLUMNS = {"items": ("type", "name", "label"), "choices": ("list_name", "name", "label")}
COLUMN_ALIASES = {"help": "hint", "list name": "list_name", "relevant": "shown_when", "shown when": "shown_when",
                  "min count": "min_count", "form_title": "title"}
#: What a cell may start with that a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 10_000

Rows = list[tuple[int, list[Any]]]


class FileUnreadable(ValidationFailed):
    """Not a file this reads (too large, empty, not a workbook, not UTF-8…): named at the field `file`."""

    code = "invalid_spreadsheet"

    @classmethod
    def because(cls, problem: str) -> Self:
        return cls.field("file", problem)


# ---- tables ------------------------------------------------------------------------------------

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


def cell_text(value: Any) -> str:
    """The text of a cell value, whatever its type (a whole float as an integer, a date in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _tables_from_rows(sheets: dict[str, Rows], errors: list[CellError]) -> dict[str, Table]:
    known = {"items": ITEM_COLUMNS, "choices": CHOICE_COLUMNS, "settings": SETTINGS_COLUMNS}
    tables: dict[str, Table] = {}
    for name, columns in known.items():
        table = Table(name)
        tables[name] = table
        rows = [(n, cells) for n, cells in sheets.get(name, []) if any(cell_text(c) for c in cells)]
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
            title = cell_text(cell).lower()
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
                elif cell_text(cell) and not title:
                    errors.append(CellError(name, number, "", get_column_letter(index + 1),
                                            "A value in a column without a header."))
            table.rows.append((number, values))
    return tables


def _read_xlsx(data: bytes) -> dict[str, Rows]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a workbook is a zip: refuse a decompression bomb
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileUnreadable.because("Not a readable XLSX workbook.") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileUnreadable.because(f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB.")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileUnreadable.because("Not a readable XLSX workbook.") from exc
    sheets: dict[str, Rows] = {}
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


def _read_csv(data: bytes) -> dict[str, Rows]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable.because("Not UTF-8 text: save the CSV as UTF-8 (or send an XLSX workbook).") from exc
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    sheets: dict[str, Rows] = {}
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
        raise FileUnreadable.because(f"Not a readable CSV file ({exc}).") from exc
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


def check_size(size: int) -> None:
    """Refuse a file over `MAX_BYTES` (before reading an upload into memory)."""
    if size > MAX_BYTES:
        raise FileUnreadable.because(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")


def read_tables(data: bytes) -> tuple[dict[str, Table], list[CellError]]:
    """The sheets of an XLSX workbook or a CSV file as tables, and the problems of their layout."""
    if not data:
        raise FileUnreadable.because("The file is empty.")
    check_size(len(data))
    sheets = _read_xlsx(data) if data[:4] == b"PK\x03\x04" else _read_csv(data)
    errors: list[CellError] = []
    return _tables_from_rows(sheets, errors), errors
