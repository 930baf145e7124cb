"""Race safety of the audit upsert, for real: threads against PostgreSQL, each on its own connection."""

from __future__ import annotations

import random
import uuid

import pytest

from audits.models import Audit, FrictionMark, Response
from tests.concurrency import run_in_threads
from tests.conftest import api_as
from tests.fieldwork_makers import make_plan
from tests.services import require_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]



def test_200_concurrent_out_of_order_puts_leave_one_audit_with_the_newest_revision(org, auditor):
    require_postgresql()
    plan = make_plan(org, auditor)
    audit_id = uuid.uuid4()
    bodies = {rev: plan.body(revision=rev, responses=plan.responses(arrival_effort=1 + rev % 7))
              for rev in range(1, 51)}
    calls = [rev for rev in bodies for _ in range(4)]  # every revision sent four times: retries
    random.Random(7).shuffle(calls)

    def send(rev):
        def call():
            answer = api_as(auditor).put(f"/api/v1/audits/{audit_id}", bodies[rev], format="json")
            return rev, answer.status_code, answer.json()
        return call

    answers = run_in_threads([send(rev) for rev in calls])
    assert len(answers) == 200
    assert {status for _, status, _ in answers} <= {200, 201}, [b for _, s, b in answers if s >= 300][:3]
    assert sum(1 for _, status, _ in answers if status == 201) == 1
    for rev, _, body in answers:
        assert body["revision"] >= rev  # the server never answers with an older copy than the one sent
    audit = Audit.objects.get()
    assert audit.revision == 50
    assert Response.objects.filter(audit=audit).count() == len(bodies[50]["responses"])
    assert Response.objects.get(audit=audit, item=plan.item("arrival_effort")).number == 1 + 50 % 7
    assert FrictionMark.objects.filter(audit=audit).count() == 2
