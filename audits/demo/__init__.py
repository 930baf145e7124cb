"""The demo data, seeded by `manage.py seed_demo` (and `make run`). This is the one place that orders the
seeders: each walks what the ones before it made (accounts, then journeys with their published checklists,
then fieldwork on those checklists, then the report of the closed wave). Idempotent: run it again and it
converges on the same rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.db import transaction

from audits.demo.accounts import DEMO_DOMAIN, DEMO_PASSWORD, Demo, seed_accounts, sign_ins
from audits.demo.fieldwork import seed_fieldwork
from audits.demo.journeys import seed_journeys
from audits.demo.reports import seed_demo_report

Stage = Literal["accounts", "journeys", "fieldwork", "reports"]

#: The seeders after the accounts, in the order they run.
SEEDERS: list[tuple[Stage, Callable[[Demo], None]]] = [
    ("journeys", seed_journeys),
    ("fieldwork", seed_fieldwork),
    ("reports", seed_demo_report),
]

__all__ = ["DEMO_DOMAIN", "DEMO_PASSWORD", "SEEDERS", "Demo", "seed_demo", "sign_ins"]


@transaction.atomic
def seed_demo(*, upto: Stage = "reports") -> Demo:
    """The demo up to and including the stage `upto` (tests seed only the part they need)."""
    demo = seed_accounts()
    if upto == "accounts":
        return demo
    for stage, seeder in SEEDERS:
        seeder(demo)
        if stage == upto:
            break
    return demo
