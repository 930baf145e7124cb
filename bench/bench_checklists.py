"""Checklists and journeys: publish, export and import a 500-item template (times), and the queries
to read a 60-step journey and a 300-item version (which must not grow with their size).

    .venv/bin/python bench/bench_checklists.py

Runs on a throwaway database: SQLite in memory by default, or a test database made beside the one
`DATABASE_URL` names (and dropped afterwards). Exits 1 when a read's query count grows with its size.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

#: What these took on the development machine (SQLite, in memory); printed beside this run's figures.
BASELINE_SECONDS = {"publish": 0.05, "export xlsx": 0.08, "export csv": 0.005, "import xlsx": 0.07,
                    "import csv": 0.035}
ITEMS, SECTIONS = 500, 50
REPEATS = 3


def timed(label: str, func, results: dict[str, float], prepare=None):
    runs = []
    value = None
    for _ in range(REPEATS):
        if prepare is not None:
            prepare()
        started = time.perf_counter()
        value = func()
        runs.append(time.perf_counter() - started)
    results[label] = statistics.median(runs)
    print(f"  {label:<28} {results[label]:7.3f} s   (median of {REPEATS}; baseline {BASELINE_SECONDS[label]:.2f} s)")
    return value


def draft_of(step_ids: list[int], items: int, sections: int) -> dict:
    kinds = [
        ("yes_no", {}), ("score", {"min": 1, "max": 5, "labels": {"1": "Poor", "3": "Fair", "5": "Excellent"}}),
        ("effort", {}), ("single_choice", {"choices": [{"value": v, "label": v.title()} for v in ("a", "b", "c")]}),
        ("number", {"unit": "EUR", "min": 0, "max": 1000}), ("duration", {"measure": "wait"}), ("text", {}),
        ("photo", {"min_count": 1}), ("delivered_level", {}), ("outcome", {}), ("friction", {}),
        ("multi_choice", {"choices": [{"value": v, "label": v.title()} for v in ("x", "y", "z")]}),
    ]
    per_section = items // sections
    out = []
    for s in range(sections):
        step = step_ids[s % len(step_ids)]
        section_items = []
        for i in range(per_section):
            n = s * per_section + i
            kind, options = kinds[n % len(kinds)]
            section_items.append({
                "name": f"q{n}", "label": f"Question {n} of the walk", "help": "", "kind": kind,
                "required": n % 2 == 0, "critical": kind == "yes_no" and n % 3 == 0, "weight": 1 + n % 3,
                "step": step, "options": options,
                "shown_when": {"item": f"q{n - 1}", "equals": "yes"} if i and kinds[(n - 1) % len(kinds)][0] ==
                "yes_no" else None})
        out.append({"title": f"Section {s + 1}", "step": step, "items": section_items})
    return {"sections": out}


def read_queries(client, url: str) -> int:
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as context:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content[:300]
    return len(context.captured_queries)


def main() -> int:
    from rest_framework.test import APIClient

    from accounts.models import Client, Membership, Organization, User
    from audits.checklists import sheet_export, sheet_import
    from audits.checklists.services import template_create, template_publish, template_update
    from journeys.services import journey_write

    org = Organization.objects.create(name="Bench", slug="bench")
    client = Client.objects.create(organization=org, name="Bench brand")
    user = User.objects.create_user("bench@example.test", "bench-password-123")
    Membership.objects.create(user=user, organization=org, role="manager")

    def journey(stages: int, steps: int):
        return journey_write(journey=None, client=client, name=f"{stages}x{steps}", stages=[
            {"name": f"Stage {s}", "steps": [{"name": f"Step {s}.{p}", "channel": "web", "promise_level": 4,
                                              "reach": 0.9, "expected_seconds": 60} for p in range(steps)]}
            for s in range(stages)])

    big_journey, small_journey = journey(10, 6), journey(1, 3)
    step_ids = list(big_journey.steps.values_list("pk", flat=True))
    print(f"Template: {ITEMS} items in {SECTIONS} sections; journey: {len(step_ids)} steps "
          f"({connection.vendor})")
    template = template_create(organization=org, client=client, journey=big_journey, name="Bench walk",
                               draft=draft_of(step_ids, ITEMS, SECTIONS))
    results: dict[str, float] = {}
    counter = iter(range(1000))

    def change_the_draft():
        draft = template.draft
        draft["sections"][0]["items"][0]["label"] = f"Question 0, edit {next(counter)}"
        template_update(template=template, draft=draft)

    timed("publish", lambda: template_publish(template=template), results, prepare=change_the_draft)
    xlsx = timed("export xlsx", lambda: sheet_export.export_xlsx(template), results)
    csv = timed("export csv", lambda: sheet_export.export_csv(template), results)
    print(f"  {'':<28} xlsx {len(xlsx) / 1024:.0f} KiB, csv {len(csv) / 1024:.0f} KiB")
    before = template.draft
    imported = timed("import xlsx", lambda: sheet_import.template_import(data=xlsx, template=template), results)
    assert imported.draft == before, "XLSX round trip changed the definition"
    imported = timed("import csv", lambda: sheet_import.template_import(data=csv, template=template), results)
    assert imported.draft == before, "CSV round trip changed the definition"

    api = APIClient()
    api.force_authenticate(user)
    small_version = template_publish(template=template_create(
        organization=org, client=client, journey=small_journey, name="Small",
        draft=draft_of(list(small_journey.steps.values_list("pk", flat=True)), 2, 1)))
    big_version = template_publish(template=template_create(
        organization=org, client=client, journey=big_journey, name="300", draft=draft_of(step_ids, 300, 20)))
    reads = {
        "journey, 60 steps": read_queries(api, f"/api/v1/journeys/{big_journey.pk}"),
        "journey, 3 steps": read_queries(api, f"/api/v1/journeys/{small_journey.pk}"),
        "version, 300 items": read_queries(api, f"/api/v1/checklist-versions/{big_version.pk}"),
        "version, 2 items": read_queries(api, f"/api/v1/checklist-versions/{small_version.pk}"),
    }
    print("Queries to read (membership, row, children…; the same whatever the size):")
    for label, count in reads.items():
        print(f"  {label:<28} {count:3d} queries")
    constant = (reads["journey, 60 steps"] == reads["journey, 3 steps"]
                and reads["version, 300 items"] == reads["version, 2 items"])
    print("constant query counts: " + ("yes" if constant else "NO — a read grows with its size"))
    return 0 if constant else 1


if __name__ == "__main__":
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        code = main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sys.exit(code)
