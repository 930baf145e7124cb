"""The Content-Security-Policy holds on every page a person opens — the PWA, the API docs, the admin and a
shared report — and breaks none of them: Chromium reports no violation (a `securitypolicyviolation` event or a
console error naming the policy) while each page loads and renders."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.e2e.test_pwa import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber}));
"""


@pytest.fixture
def base_url(live_touchpoint):
    return live_touchpoint


def open_watched(browser, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, **context)
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return ctx, page, console


def violations(page, console: list[str]) -> list:
    return page.evaluate("window.__violations || []") + console


def test_the_policy_is_sent_on_every_page(base_url):
    for path in ("/app/", "/api/docs/", "/admin/login/"):
        with urllib.request.urlopen(f"{base_url}{path}", timeout=10) as answer:  # noqa: S310
            policy = answer.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, path


def test_no_violation_on_the_pwa_the_docs_the_admin_and_a_shared_report(base_url, browser):
    ctx, page, console = open_watched(browser)
    try:
        sign_in(page, base_url, "auditor@demo.touchpoint.test")
        page.wait_for_timeout(500)
        for hash_route in ("#/outbox", "#/settings", "#/"):
            page.goto(f"{base_url}/app/{hash_route}")
            page.wait_for_timeout(400)
        assert violations(page, console) == [], "PWA"

        page.goto(f"{base_url}/api/docs/")
        page.wait_for_selector(".swagger-ui .information-container", timeout=20000)
        assert violations(page, console) == [], "API docs"

        page.goto(f"{base_url}/admin/login/")
        page.fill("#id_username", "owner@demo.touchpoint.test")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#content")
        page.goto(f"{base_url}/admin/audits/audit/")
        page.wait_for_selector("#result_list, .paginator")
        assert violations(page, console) == [], "admin"

        link = share_link(page)
        if link:
            page.goto(link)
            page.wait_for_selector("h1")
            assert violations(page, console) == [], "shared report"
    finally:
        ctx.close()


def share_link(page) -> str | None:
    """A share link of the demo's ready report, made through the API as the signed-in owner."""
    answer = page.evaluate("""async () => {
        const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1];
        const reports = await (await fetch('/api/v1/reports?state=ready')).json();
        const report = (reports.results || reports)[0];
        if (!report) return null;
        const made = await fetch('/api/v1/share-links', {method: 'POST', headers: {'Content-Type': 'application/json',
          'X-CSRFToken': csrf}, body: JSON.stringify({report: report.id})});
        return made.ok ? await made.json() : {status: made.status, body: await made.text()};
    }""")
    if not answer:
        return None
    assert "url" in answer, json.dumps(answer)[:400]
    return answer["url"]
