"""End-to-end: Touchpoint as `make run` starts it (tests/e2e/server.py), driven by Debian's Chromium
through Playwright. The tests ask the server what it stored through the API, like any client would."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.server import CHROMIUM_ARGS, ROOT, running_touchpoint
from tests.services import need

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "var" / "e2e"))
CHROMIUM = os.environ.get("TOUCHPOINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_touchpoint(tmp_path_factory):
    external = os.environ.get("E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    if not (ROOT / "frontend" / "dist" / "index.html").is_file():
        need("the built PWA", "frontend/dist is missing (make test builds it)")
    tmp = tmp_path_factory.mktemp("e2e")
    try:
        with running_touchpoint(tmp) as base:
            yield base
    except RuntimeError as exc:
        pytest.fail(str(exc))
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if (tmp / "server.log").exists():
            shutil.copy(tmp / "server.log", ARTIFACTS / "server.log")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        need("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
