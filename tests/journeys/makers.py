"""Test data for the map and the checklists: journeys of any size, templates and published versions
of any size; and the makers the cross-organization walker needs."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import Client, Organization
from audits.checklists.services import template_create, template_publish
from audits.models import Audit, ChecklistTemplate, ChecklistVersion, Response, Scenario
from journeys.models import FrictionTag, Journey, Persona
from journeys.services import journey_write

_seq = itertools.count(1)


def client_of(org: Organization) -> Client:
    return Client.objects.filter(organization=org).first() or Client.objects.create(organization=org,
                                                                                    name=f"Brand {next(_seq)}")


def stages_doc(stages: int = 2, steps_per_stage: int = 3) -> list[dict[str, Any]]:
    return [{"name": f"Stage {s + 1}", "steps": [
        {"name": f"Step {s + 1}.{p + 1}", "touchpoint": "Desk", "channel": "in_store", "promise_level": 4,
         "promise_text": "Served within 5 minutes", "reach": 0.8, "expected_seconds": 300,
         "moment_of_truth": p == steps_per_stage - 1} for p in range(steps_per_stage)]} for s in range(stages)]


def make_journey(org: Organization, *, stages: int = 2, steps_per_stage: int = 3, name: str | None = None,
                 client: Client | None = None) -> Journey:
    return journey_write(journey=None, client=client or client_of(org), name=name or f"Journey {next(_seq)}",
                         description="", stages=stages_doc(stages, steps_per_stage))


def draft_doc(sections: int = 2, items_per_section: int = 3, *, step_ids: list[int] | None = None) -> dict:
    kinds = [
        ("yes_no", {}), ("score", {"min": 1, "max": 5, "labels": {"1": "Poor", "5": "Excellent"}}),
        ("effort", {}), ("single_choice", {"choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}),
        ("number", {"unit": "EUR", "min": 0, "max": None}), ("duration", {"measure": "wait"}), ("text", {}),
        ("photo", {"min_count": 1}), ("delivered_level", {}), ("outcome", {}), ("friction", {}),
        ("multi_choice", {"choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]}),
        ("signature", {}),
    ]
    out = []
    n = 0
    for s in range(sections):
        step = step_ids[s % len(step_ids)] if step_ids else None
        items = []
        for _ in range(items_per_section):
            kind, options = kinds[n % len(kinds)]
            items.append({"name": f"q{n}", "label": f"Question {n}", "help": "", "kind": kind,
                          "required": n % 2 == 0, "critical": kind == "yes_no", "weight": 1 + n % 3, "step": step,
                          "options": options, "shown_when": None})
            n += 1
        out.append({"title": f"Section {s + 1}", "step": step, "items": items})
    return {"sections": out}


def make_template(org: Organization, *, sections: int = 2, items_per_section: int = 3,
                  journey: Journey | None = None) -> ChecklistTemplate:
    step_ids = list(journey.steps.values_list("pk", flat=True)) if journey else None
    return template_create(organization=org, client=journey.client if journey else client_of(org), journey=journey,
                           name=f"Template {next(_seq)}",
                           draft=draft_doc(sections, items_per_section, step_ids=step_ids))


def make_version(org: Organization, *, sections: int = 2, items_per_section: int = 3,
                 journey: Journey | None = None) -> ChecklistVersion:
    return template_publish(template=make_template(org, sections=sections, items_per_section=items_per_section,
                                                   journey=journey))


def make_walk(org: Organization, auditor, *, kind: str = "yes_no"):
    """An audit of a small published version, with one response to its first item of `kind`."""
    journey = make_journey(org)
    version = make_version(org, sections=1, items_per_section=13, journey=journey)
    item = version.items.get(kind=kind)
    audit = Audit.objects.create(organization=org, journey=journey, checklist_version=version, auditor=auditor)
    response = Response.objects.create(organization=org, audit=audit, item=item, step=item.step, kind=kind,
                                       value=[] if kind == "friction" else None)
    return audit, response


MAP_MAKERS = {
    Journey: lambda org: make_journey(org),
    Persona: lambda org: Persona.objects.create(organization=org, client=client_of(org), name="Ordinary",
                                                tier="economy", is_ordinary=True),
    FrictionTag: lambda org: FrictionTag.objects.create(organization=org, code=f"own_{next(_seq)}", label="Own"),
    ChecklistTemplate: lambda org: make_template(org),
    ChecklistVersion: lambda org: make_version(org),
    Scenario: lambda org: Scenario.objects.create(organization=org, client=client_of(org), title="Gift return",
                                                  brief="Ask to return a gift without a receipt."),
}
