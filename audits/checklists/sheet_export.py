"""Exporting a checklist's draft as a spreadsheet (the layout of `audits.checklists.sheets`), as an XLSX
workbook or a CSV file; with a sheet `steps` listing the journey's steps, to look their ids up. Text that
a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from audits.checklists.sheets import CHOICE_COLUMNS, FORMULA_START, ITEM_COLUMNS, SETTINGS_COLUMNS, SHEETS
from audits.models import ChecklistTemplate
from journeys.selectors import live_steps

STEP_COLUMNS = ["id", "stage", "step", "channel", "promise_level", "promise_text"]
TYPE_OF_KIND = {"single_choice": "select_one", "multi_choice": "select_multiple", "score": "score"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    settings: list[list[Any]] = [SETTINGS_COLUMNS, [template.name, template.description or None, template.journey_id]]
    steps: list[list[Any]] = [STEP_COLUMNS]
    if template.journey_id:
        for step in live_steps(template.journey_id):
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
