"""Property-based testing of the whole API against its served schema (schemathesis): every phase —
examples, coverage, fuzzing, stateful — signed in as a manager, an auditor and a client viewer, with a fixed
seed, against Touchpoint started as `make run` starts it (with the demo data). No input may get a server
error, and no response may break the schema.

`make fuzz` runs the same with a random seed and more examples (`FUZZ_SEED`, `FUZZ_EXAMPLES`, `FUZZ_MAX_TIME`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, running_touchpoint

pytestmark = pytest.mark.fuzz

SEED = os.environ.get("FUZZ_SEED", "20261201")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "8")
MAX_TIME = os.environ.get("FUZZ_MAX_TIME", "75")
ROLES = ["manager", "auditor", "viewer"]
PASSWORD = "touchpoint-demo"
# What every operation must hold to. (`status_code_conformance` is left out: a 404 for an id the generator made
# up is right even where the schema lists no 404.)
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def token_of(base: str, role: str) -> str:
    body = json.dumps({"email": f"{role}@demo.touchpoint.test", "password": PASSWORD, "device": "schemathesis"})
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=body.encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())["token"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    with running_touchpoint(tmp, database="touchpoint_fuzz") as base:
        yield base, {role: token_of(base, role) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_no_input_gets_a_server_error_or_breaks_the_schema(live, role, tmp_path):
    base, tokens = live
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    report = tmp_path / "report"
    command = [
        cli, "run", f"{base}/api/schema/", "--url", base,
        "--phases", "examples,coverage,fuzzing,stateful", "--checks", CHECKS,
        "--seed", SEED, "--max-examples", EXAMPLES, "--max-time", MAX_TIME, "--workers", "1",
        "--header", f"Authorization: Token {tokens[role]}",
        # Signing out or changing the password would end the run's own sign-in.
        "--exclude-path-regex", "auth/(logout|password|tokens)",
        "--report", "junit", "--report-dir", str(report), "--no-color",
    ]
    # run from the test's own folder: schemathesis keeps a cache (.schemathesis/) where it runs
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    artifacts = ROOT / "var" / "fuzz"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{role}.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"schemathesis as {role}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
