"""Whatever a consultant's spreadsheet or a client's draft holds, the answer is a named refusal, never a
crash: random sheets and random drafts (fixed seeds) are read, and every rule runs on random answers."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from openpyxl import Workbook

from audits.checklists import rules
from audits.checklists.draft import check_draft
from audits.checklists.sheet_import import SpreadsheetInvalid, parse
from audits.checklists.sheets import FileUnreadable
from tests.audits.test_checklist_spreadsheet import rich_draft

CELLS = [None, "", "yes", "no", "maybe", "1", "2.5", "-1", "x", "begin section", "end section", "score l",
         "select_one l", "select_multiple l", "select_one", "yes_no", "number", "photo", "duration", "wait",
         "${a} = 'yes'", "${b} = 1", "${a}", "selected(${c}, 'x')", "a", "b", "c", "l", "=1+1", "'=x", 3, 4.5, True]
HEADERS = ["type", "name", "label", "hint", "required", "critical", "weight", "step", "shown_when", "min", "max",
           "unit", "measure", "min_count", "bogus", ""]
ATOMS: list[Any] = [None, True, False, 0, 1, -1, 2.5, "", "x", "yes", "no", "na", "a", "b", "done", [], {}, ["a"],
                    {"a": 1}, 10**30, "1", {"1": "x"}, [{"tag": "a", "severity": 2}], "data:image/png;base64,AA"]
KEYS = ["sections", "title", "items", "name", "label", "kind", "options", "shown_when", "item", "equals", "weight",
        "step", "required", "critical", "min", "max", "labels", "choices", "value", "unit", "measure", "min_count"]


def random_workbook(rng: random.Random) -> bytes:
    book = Workbook()
    items = book.active
    items.title = rng.choice(["items", "items", "other"])
    items.append(rng.sample(HEADERS, rng.randint(1, 10)) if rng.random() < 0.9 else ["type", "name", "label"])
    for _ in range(rng.randint(0, 12)):
        items.append([rng.choice(CELLS) for _ in range(rng.randint(0, 10))])
    choices = book.create_sheet(rng.choice(["choices", "x"]))
    choices.append(rng.sample(["list_name", "name", "label", "zzz"], rng.randint(0, 4)))
    for _ in range(rng.randint(0, 5)):
        choices.append([rng.choice(CELLS) for _ in range(3)])
    if rng.random() < 0.5:
        settings = book.create_sheet("settings")
        settings.append(["title", "description", "journey"])
        settings.append([rng.choice(CELLS) for _ in range(3)])
    if rng.random() < 0.3:
        text = io.StringIO()
        writer = csv.writer(text)
        for name in book.sheetnames:
            writer.writerow([f"[{name}]"])
            writer.writerows(["" if c is None else c for c in row] for row in book[name].iter_rows(values_only=True))
        return text.getvalue().encode()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_random_sheets_are_refused_with_names_never_a_crash(org):
    rng = random.Random(11)
    for _ in range(300):
        try:
            parse(random_workbook(rng), organization_id=org.pk)
        except SpreadsheetInvalid as refused:
            assert all(e.sheet and e.row >= 1 and e.message for e in refused.errors)
        except FileUnreadable:
            pass


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.5:
        return rng.choice(ATOMS)
    if roll < 0.75:
        return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_random_drafts_get_named_problems_never_a_crash():
    rng = random.Random(5)
    for _ in range(3000):
        draft = random_value(rng) if rng.random() < 0.3 else {"sections": [
            {"title": random_value(rng, 3), "items": [
                {**{k: random_value(rng, 3) for k in rng.sample(KEYS[3:], rng.randint(0, 8))},
                 "kind": rng.choice(sorted(rules.SCORING_KINDS | {"multi_choice", "single_choice", "photo"}))}
                for _ in range(rng.randint(0, 4))]} for _ in range(rng.randint(0, 3))]}
        _, errors = check_draft(draft, steps={1, 2})
        assert all(e.path and e.message for e in errors)


def test_every_rule_runs_on_random_answers():
    rng = random.Random(7)
    normalized, errors = check_draft(rich_draft(1, 2), steps={1, 2})
    assert errors == []
    items = [dict(item, section=index) for index, section in enumerate(normalized["sections"])
             for item in section["items"]]
    for _ in range(3000):
        answers = {item["name"]: random_value(rng, 3) for item in items if rng.random() < 0.8}
        for item in items:
            assert isinstance(rules.check_answer(item, answers.get(item["name"]), friction_tags={"a"}), list)
        result = rules.score(items, answers)
        assert result.percent is None or 0 <= result.percent <= 100
        rules.missing_required(items, answers, {"photo": rng.randint(0, 3)})
        rules.visible_items(items, answers)
