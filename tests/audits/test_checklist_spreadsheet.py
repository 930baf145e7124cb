"""Checklists as spreadsheets (XLSX and CSV): round trips give back the same definition; a bad
sheet is refused whole with every problem named by sheet, row and column; nothing is saved."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from audits.checklists import sheets
from audits.checklists.services import template_create
from audits.checklists.sheet_export import export_csv, export_xlsx
from audits.checklists.sheet_import import SpreadsheetInvalid, template_import
from audits.demo import seed_demo
from audits.models import ChecklistTemplate
from tests.journeys.makers import make_journey

pytestmark = pytest.mark.django_db


def tables_as_values(data: bytes) -> dict[str, list[list[str]]]:
    """Every non-empty row of each sheet as text (to compare two files by what they say)."""
    tables, _ = sheets.read_tables(data)
    return {name: [[sheets.cell_text(values.get(c)) for c in table.header if c] for _, values in table.rows]
            for name, table in tables.items()}


def rich_draft(step_a: int, step_b: int) -> dict:
    return {"sections": [
        {"title": "Arrival", "step": step_a, "items": [
            {"name": "greeted", "label": "Were you greeted?", "help": "Within a minute", "kind": "yes_no",
             "required": True, "critical": True, "weight": 2.5, "step": step_a, "options": {}, "shown_when": None},
            {"name": "desk_score", "label": "The desk", "help": "", "kind": "score", "required": True,
             "critical": False, "weight": 1, "step": None,
             "options": {"min": 1, "max": 5, "labels": {"1": "Poor", "3": "As expected", "5": "Excellent"}},
             "shown_when": {"item": "greeted", "equals": "yes"}},
            {"name": "who", "label": "Who helped?", "help": "", "kind": "single_choice", "required": False,
             "critical": False, "weight": 0, "step": None,
             "options": {"choices": [{"value": "desk", "label": "Desk"}, {"value": "sms", "label": "SMS bot"}]},
             "shown_when": None},
            {"name": "issues", "label": "Issues", "help": "", "kind": "multi_choice", "required": False,
             "critical": False, "weight": 1, "step": None,
             "options": {"choices": [{"value": "1", "label": "Dust"}, {"value": "noise", "label": "It's noisy"}]},
             "shown_when": {"item": "who", "equals": "sms"}},
            {"name": "price", "label": "=SUM(A1:A3) price paid", "help": "+ tax, -discount", "kind": "number",
             "required": False, "critical": False, "weight": 1, "step": None,
             "options": {"unit": "EUR", "min": 0, "max": 2500.5}, "shown_when": None},
            {"name": "level", "label": "Level", "help": "", "kind": "number", "required": False, "critical": False,
             "weight": 1, "step": None, "options": {"unit": "", "min": None, "max": None}, "shown_when": None},
        ]},
        {"title": "The room", "step": step_b, "items": [
            {"name": "wait", "label": "Wait", "help": "", "kind": "duration", "required": False, "critical": False,
             "weight": 1, "step": step_b, "options": {"measure": "wait"}, "shown_when": None},
            {"name": "time", "label": "Time", "help": "", "kind": "duration", "required": False, "critical": False,
             "weight": 1, "step": step_b, "options": {"measure": None}, "shown_when": None},
            {"name": "photo", "label": "Photo", "help": "", "kind": "photo", "required": False, "critical": False,
             "weight": 1, "step": None, "options": {"min_count": 2}, "shown_when": None},
            {"name": "effort", "label": "Effort", "help": "", "kind": "effort", "required": True, "critical": True,
             "weight": 3, "step": None, "options": {}, "shown_when": {"item": "desk_score", "equals": 2}},
            {"name": "sign", "label": "Sign", "help": "", "kind": "signature", "required": False, "critical": False,
             "weight": 1, "step": None, "options": {}, "shown_when": None},
            {"name": "outcome", "label": "Outcome", "help": "", "kind": "outcome", "required": True,
             "critical": False, "weight": 1, "step": None, "options": {}, "shown_when": None},
            {"name": "friction", "label": "Friction", "help": "", "kind": "friction", "required": True,
             "critical": False, "weight": 1, "step": None, "options": {}, "shown_when": None},
            {"name": "delivered", "label": "Delivered", "help": "", "kind": "delivered_level", "required": False,
             "critical": False, "weight": 1, "step": None, "options": {},
             "shown_when": {"item": "outcome", "equals": "gave_up"}},
            {"name": "note", "label": "Note", "help": "", "kind": "text", "required": False, "critical": False,
             "weight": 1, "step": None, "options": {}, "shown_when": {"item": "issues", "equals": "noise"}},
        ]},
    ]}


@pytest.fixture
def template(org):
    journey = make_journey(org, stages=1, steps_per_stage=2)
    a, b = journey.steps.order_by("position").values_list("pk", flat=True)
    return template_create(organization=org, client=journey.client, journey=journey, name="Hotel walk",
                           description="Arrival and room", draft=rich_draft(a, b))


@pytest.mark.parametrize("export", [export_xlsx, export_csv], ids=["xlsx", "csv"])
def test_export_then_import_gives_back_the_same_definition(template, org, export):
    data = export(template)
    created = template_import(data=data, organization=org)
    assert created.draft == template.draft
    assert (created.name, created.description, created.journey_id) == ("Hotel walk", "Arrival and room",
                                                                       template.journey_id)
    again = export(created)
    assert tables_as_values(again) == tables_as_values(data)
    assert again == data or export is export_xlsx  # CSV is byte for byte; XLSX carries timestamps


def test_the_xlsx_layout_is_xlsform_like(template):
    book = load_workbook(io.BytesIO(export_xlsx(template)))
    assert book.sheetnames == ["items", "choices", "settings", "steps"]
    items = [[c.value for c in row] for row in book["items"].iter_rows()]
    assert items[0] == ["type", "name", "label", "hint", "required", "critical", "weight", "step", "shown_when",
                        "min", "max", "unit", "measure", "min_count"]
    assert items[1][:3] == ["begin section", None, "Arrival"]
    assert items[2][:9] == ["yes_no", "greeted", "Were you greeted?", "Within a minute", "yes", "yes", 2.5,
                            template.draft["sections"][0]["step"], None]
    assert items[3][0] == "score desk_score" and items[3][8] == "${greeted} = 'yes'" and items[3][9:11] == [1, 5]
    assert items[4][0] == "select_one who" and items[5][0] == "select_multiple issues"
    assert book["items"]["C6"].data_type == "s"  # a label starting with "=" stays text, never a formula
    assert [[c.value for c in row] for row in book["choices"].iter_rows()][:3] == [
        ["list_name", "name", "label"], ["desk_score", 1, "Poor"], ["desk_score", 3, "As expected"]]
    assert [[c.value for c in row] for row in book["settings"].iter_rows()] == [
        ["title", "description", "journey"], ["Hotel walk", "Arrival and room", template.journey_id]]


def test_csv_guards_formula_like_text_and_still_round_trips(template):
    text = export_csv(template).decode()
    assert text.startswith("[items]\r\ntype,name,label,")
    assert "'=SUM(A1:A3) price paid" in text and "'+ tax, -discount" in text


def sheet(rows_items, rows_choices=(), settings=None) -> bytes:
    book = Workbook()
    items = book.active
    items.title = "items"
    items.append(["type", "name", "label", "required", "weight", "shown_when", "min", "max"])
    for row in rows_items:
        items.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in rows_choices:
        choices.append(list(row))
    if settings is not None:
        s = book.create_sheet("settings")
        s.append(["title", "description", "journey"])
        s.append(settings)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_bad_sheet_is_refused_whole_with_every_problem_by_sheet_row_and_column(org):
    data = sheet([
        ("begin section", None, "Arrival"),
        ("yes_no", "greeted", "Greeted?", "maybe", 1),               # row 3: required
        ("yes_no", "greeted", "Again", None, -1),                     # row 4: duplicate name, negative weight
        ("score", "desk", "Desk", None, 1, None, 1, 5),               # row 5: a scale without labels
        ("select_one colours", "colour", "Colour"),                   # row 6: no such list
        ("yes_no", "a", "A", None, None, "${b} = 'yes'"),             # row 7: a cycle with row 8
        ("yes_no", "b", "B", None, None, "${a} = 'yes'"),             # row 8
        ("text", "c", "C", None, None, "${nobody} = 'yes'"),          # row 9: unknown item
        ("text", "d", "D", None, "heavy", "b is yes"),                # row 10: weight, rule syntax
        ("stars", "e", "E"),                                          # row 11: unknown type
        ("end section",),
    ], [("sizes", "s", None)])
    with pytest.raises(SpreadsheetInvalid) as caught:
        template_import(data=data, organization=org)
    cells = {(e.sheet, e.row, e.column) for e in caught.value.errors}
    assert cells == {
        ("items", 3, "required"), ("items", 4, "name"), ("items", 4, "weight"), ("items", 5, "type"),
        ("items", 6, "type"), ("items", 7, "shown_when"), ("items", 8, "shown_when"), ("items", 9, "shown_when"),
        ("items", 10, "weight"), ("items", 10, "shown_when"), ("items", 11, "type"), ("choices", 2, "label")}
    assert {e.cell for e in caught.value.errors if e.row == 4} == {"items!B4", "items!E4"}
    assert not ChecklistTemplate.objects.exists()


def test_the_api_answers_a_bad_sheet_with_400_and_every_cell(manager, org, api, template):
    before = template.draft
    data = sheet([("begin section", None, "S"), ("yes_no", "a", "A", None, -3), ("end section",)])
    answer = api(manager).post(f"/api/v1/checklist-templates/{template.pk}/import",
                               {"file": SimpleUploadedFile("walk.xlsx", data)}, format="multipart")
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "invalid_spreadsheet"
    assert error["fields"] == {"items!E3": ["weight: Must be 0 or more."]}
    assert error["cells"] == [{"sheet": "items", "row": 3, "column": "weight", "cell": "items!E3",
                               "message": "Must be 0 or more."}]
    assert "sheet items, row 3, column weight" in error["message"]
    template.refresh_from_db()
    assert template.draft == before


def test_import_through_the_api_creates_or_replaces_a_draft(manager, org, api, template):
    data = export_xlsx(template)
    created = api(manager).post("/api/v1/checklist-templates/import",
                                {"file": SimpleUploadedFile("x.xlsx", data), "organization": org.pk},
                                format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["draft"] == template.draft
    new = sheet([("begin section", None, "Only"), ("effort", "effort", "Effort", "yes", 1), ("end section",)],
                settings=["Renamed walk", "", None])
    replaced = api(manager).post(f"/api/v1/checklist-templates/{created.json()['id']}/import",
                                 {"file": SimpleUploadedFile("y.xlsx", new)}, format="multipart")
    assert replaced.status_code == 200, replaced.content
    body = replaced.json()
    assert body["name"] == "Renamed walk" and body["journey"] == template.journey_id
    assert [i["name"] for s in body["draft"]["sections"] for i in s["items"]] == ["effort"]


def test_export_through_the_api(manager, auditor, template, api):
    xlsx = api(auditor).get(f"/api/v1/checklist-templates/{template.pk}/export?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="hotel-walk.xlsx"' in xlsx["Content-Disposition"]
    assert xlsx.content[:2] == b"PK"
    csv_answer = api(auditor).get(f"/api/v1/checklist-templates/{template.pk}/export?format=csv")
    assert csv_answer.status_code == 200 and csv_answer["Content-Type"].startswith("text/csv")
    assert csv_answer.content == export_csv(template)
    assert api(auditor).get(f"/api/v1/checklist-templates/{template.pk}/export").content[:2] == b"PK"
    bad = api(auditor).get(f"/api/v1/checklist-templates/{template.pk}/export?format=pdf")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert bad.json()["error"]["fields"] == {"format": ["Must be xlsx or csv."]}
    missing = api(auditor).get("/api/v1/checklist-templates/999999/export?format=csv")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_files_that_are_not_spreadsheets_are_refused(manager, org, api):
    for name, data in [("x.xlsx", b"PK\x03\x04 broken zip"), ("x.csv", b"\xff\xfe\x00bad"), ("x.csv", b"")]:
        answer = api(manager).post("/api/v1/checklist-templates/import",
                                   {"file": SimpleUploadedFile(name, data), "organization": org.pk},
                                   format="multipart")
        assert answer.status_code == 400, answer.content
        assert "file" in answer.json()["error"]["fields"]
    assert not ChecklistTemplate.objects.exists()


def test_a_plain_csv_is_the_items_sheet_and_steps_may_be_named(org):
    journey = make_journey(org, stages=1, steps_per_stage=2)
    step = journey.steps.get(name="Step 1.2")
    text = ("type;name;label;step;required\n"
            "begin section;;Desk;Step 1.2;\n"
            "yes_no;greeted;Greeted?;;yes\n"
            "outcome;outcome;How did it end?;step 1.2;\n")
    with pytest.raises(SpreadsheetInvalid) as caught:  # no journey: steps cannot be named
        template_import(data=text.encode(), organization=org)
    assert {(e.row, e.column) for e in caught.value.errors} == {(2, "step"), (4, "step")}
    settings_text = f"[settings]\ntitle,journey\nDesk walk,{journey.pk}\n[items]\n" + text.replace(";", ",")
    created = template_import(data=settings_text.encode(), organization=org)
    assert created.name == "Desk walk" and created.journey_id == journey.pk
    section = created.draft["sections"][0]
    assert section["step"] == step.pk and section["items"][1]["step"] == step.pk
    assert section["items"][0]["required"] is True


def test_every_problem_in_the_structure_is_named(org):
    data = sheet([("yes_no", "early", "Before any section"),
                  ("begin section", None, "A"), ("begin section", None, "B"), ("end section",), ("end section",)])
    with pytest.raises(SpreadsheetInvalid) as caught:
        template_import(data=data, organization=org)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "type"), (4, "type"), (6, "type")]


def test_unknown_and_missing_columns_are_named(org):
    book = Workbook()
    book.active.title = "items"
    book.active.append(["type", "label", "requried"])
    book.active.append(["yes_no", "A", "yes"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SpreadsheetInvalid) as caught:
        template_import(data=out.getvalue(), organization=org)
    assert {(e.sheet, e.row, e.column, e.letter) for e in caught.value.errors} >= {
        ("items", 1, "requried", "C"), ("items", 1, "name", "")}


def test_a_workbook_that_unpacks_to_too_much_is_refused(org, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 1000)
    data = sheet([("begin section", None, "S"), ("yes_no", "a", "A"), ("end section",)])
    with pytest.raises(sheets.FileUnreadable, match="unpacks to more than"):
        template_import(data=data, organization=org)


@pytest.mark.parametrize("export", [export_xlsx, export_csv], ids=["xlsx", "csv"])
def test_the_demo_checklists_round_trip(settings, export):
    demo = seed_demo(upto="journeys")
    templates = list(ChecklistTemplate.objects.all())
    assert len(templates) == 5
    for template in templates:
        copy = template_import(data=export(template), organization=demo.organization)
        assert copy.draft == template.draft == template.versions.get().definition
