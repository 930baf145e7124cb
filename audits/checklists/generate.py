"""From a journey to a draft checklist: a section per step with what a walk records of every step
(DESIGN.md): outcome, effort, friction, time on the step, time waited, the level delivered against
the promise, photos and a note. A consultant extends it, then publishes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from audits.checklists.services import template_create
from audits.models import ChecklistTemplate
from journeys.models import Journey, Step
from journeys.selectors import live_steps


def _prefix(step: Step, taken: set[str], index: int) -> str:
    base = slugify(step.name).replace("-", "_")[:40].strip("_")
    if not base or not base[0].isalpha():
        base = f"step{index}" if not base else f"s_{base}"
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}_{n}", n + 1
    taken.add(prefix)
    return prefix


def step_items(step: Step, prefix: str) -> list[dict[str, Any]]:
    promise = f" (promised: {step.promise_text})" if step.promise_text else ""

    def item(suffix: str, kind: str, label: str, *, required: bool = False, options: dict[str, Any] | None = None,
             help: str = "") -> dict[str, Any]:
        return {"name": f"{prefix}_{suffix}", "label": label, "help": help, "kind": kind, "required": required,
                "critical": False, "weight": 1, "step": step.pk, "options": options or {}, "shown_when": None}

    return [
        item("outcome", "outcome", "How did it end?", required=True,
             help="Done, done with help, or gave up."),
        item("effort", "effort", "How hard was it?", required=True, help="1 very easy … 7 very hard."),
        item("friction", "friction", "What got in the way?", required=True,
             help="Tag each friction with its severity; none is an answer too."),
        item("time", "duration", "Time on this step", options={"measure": "time_on_step"}),
        item("wait", "duration", "Time spent waiting", options={"measure": "wait"},
             help="Queues, hold music, waiting for a reply."),
        item("delivered", "delivered_level", f"Level delivered against the promise{promise}", required=True,
             help=f"The promise is level {step.promise_level} of 5."),
        item("photo", "photo", "Photos of what you saw", options={"min_count": 0}),
        item("note", "text", "Anything else to note"),
    ]


def draft_from_journey(journey: Journey) -> dict[str, Any]:
    """A section per live step, in journey order, each with the items of `step_items`."""
    steps = live_steps(journey.pk).filter(stage__archived=False)
    taken: set[str] = set()
    return {"sections": [
        {"title": step.name, "step": step.pk, "items": step_items(step, _prefix(step, taken, index))}
        for index, step in enumerate(steps, start=1)]}


@transaction.atomic
def template_from_journey(*, journey: Journey, name: str | None = None) -> ChecklistTemplate:
    """A new draft template for `journey` (not published: extend it, then publish)."""
    return template_create(organization=journey.organization, client=journey.client, journey=journey,
                           name=name or f"{journey.name} walk", description=f"Generated from the journey "
                           f"\u201c{journey.name}\u201d: a section per step.", draft=draft_from_journey(journey))
