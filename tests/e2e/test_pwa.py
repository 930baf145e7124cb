"""End-to-end: the auditor's PWA in Debian's Chromium against a live server.

Runs against Touchpoint started as `make run` starts it (tests/e2e/conftest.py: Django's server and a
Celery worker in their own processes, on a database of their own with the demo data), or against a server
already running when E2E_BASE_URL is set (e.g. the frontend's mock API: ``cd frontend && npm run build &&
npm run mock``). A missing Chromium or unbuilt app fails in CI and skips elsewhere.

Screenshots of the main screens go to E2E_ARTIFACTS (default var/e2e/).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "var" / "e2e"))
PASSWORD = "touchpoint-demo"
AUDITOR = "auditor@demo.touchpoint.test"
EXECUTIVE = "executive@demo.touchpoint.test"

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def base_url(live_touchpoint):
    return live_touchpoint


def jpeg(seed: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (3000, 2000), (40 * seed % 255, 120, 200 - 30 * seed % 200))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def new_page(browser, *, block_sw=False):
    ctx = browser.new_context(
        viewport={"width": 360, "height": 640},
        locale="en-GB",
        service_workers="block" if block_sw else "allow",
    )
    ctx.set_default_timeout(20000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return ctx, page


def shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def check_axe(page, name: str):
    """WCAG A/AA (contrast included): no serious or critical violation."""
    if not AXE.exists():
        return
    # evaluated through the DevTools protocol: the app's Content-Security-Policy (script-src 'self') refuses an
    # inline <script>, and rightly so
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"
    )
    assert violations == [], f"{name}: {json.dumps(violations)}"


def sign_in(page, base_url: str, email: str):
    page.goto(f"{base_url}/app/")
    page.wait_for_selector("#email")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".home")
    # the service worker is installed (so an offline reload works); never resolves when blocked
    page.evaluate(
        "Promise.race([navigator.serviceWorker ? navigator.serviceWorker.ready : null,"
        " new Promise(r => setTimeout(r, 5000))]).then(() => true)"
    )


def api_state(page) -> dict:
    """What the server holds, from the page (same origin, its cookie): the sync lists."""
    return page.evaluate(
        """async () => {
            const me = await (await fetch('/api/v1/me')).json();
            const org = me.memberships[0].organization.id;
            const s = await (await fetch('/api/v1/sync?organization=' + org)).json();
            return {audits: s.audits, photos: s.photos};
        }"""
    )


def local_state(page) -> dict:
    """The phone's IndexedDB: audits and photo hashes."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const req = indexedDB.open('touchpoint');
            req.onerror = () => reject(req.error);
            req.onsuccess = () => {
                const db = req.result;
                const tx = db.transaction(['audits', 'photos']);
                const out = {};
                tx.objectStore('audits').getAll().onsuccess = (e) => out.audits = e.target.result;
                tx.objectStore('photos').getAll().onsuccess = (e) => out.photos = e.target.result.map(
                    p => ({id: p.id, audit: p.audit, sha256: p.sha256, stored: p.stored, item: p.item}));
                tx.oncomplete = () => resolve(out);
            };
        })"""
    )


def answer_current_step(page, photo_seed: int | None):
    """Answer every item shown on the current walk screen, whatever its kind."""
    for _ in range(2):  # answers may reveal items (shown_when)
        for item in page.locator(".item").all():
            cls = item.get_attribute("class") or ""
            kind = next((c[5:] for c in cls.split() if c.startswith("kind-")), "")
            if kind in {"outcome", "yes_no", "score", "single_choice", "multi_choice", "effort", "delivered_level"}:
                if item.locator("button.chip[aria-pressed=true]").count() == 0:
                    item.locator("button.chip").nth(1 if kind in {"effort", "delivered_level"} else 0).click()
            elif kind == "friction":
                if item.locator("button.chip[aria-pressed=true]").count() == 0:
                    item.locator("button.chip").nth(1).click()
                    item.locator(".severity button.chip").nth(1).click()
            elif kind == "text":
                box = item.locator("textarea")
                if not box.input_value():
                    box.fill("Seen on the walk")
                    box.blur()
            elif kind == "number":
                field = item.locator("input")
                if not field.input_value():
                    field.fill("3")
                    field.blur()
            elif kind == "duration":
                start = item.locator("button:has-text('Start')")
                if start.count():
                    start.click()
                    page.wait_for_timeout(1100)
                    item.locator("button.chip").first.click()  # a lap
                    item.locator("button:has-text('Stop')").click()
            elif kind == "photo" and photo_seed is not None and item.locator(".thumb").count() == 0:
                item.locator("input[type=file]").set_input_files(
                    files=[{"name": f"p{photo_seed}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(photo_seed)}]
                )
                item.locator(".thumb img").first.wait_for()
            elif kind == "signature":
                box = item.locator("canvas").bounding_box()
                page.mouse.move(box["x"] + 20, box["y"] + 20)
                page.mouse.down()
                page.mouse.move(box["x"] + 120, box["y"] + 60)
                page.mouse.up()
                item.locator("button.btn.primary").click()
    page.wait_for_timeout(500)  # typed text is saved after a short pause


def walk_all(page, photos_on_first: int = 3, screenshots: str | None = None):
    """Walk every step; photos on the first `photos_on_first` steps that have a photo item."""
    step = 0
    while True:
        answer_current_step(page, photo_seed=step if step < photos_on_first else None)
        if screenshots and step == 0:
            shot(page, f"{screenshots}-walk-step")
            check_axe(page, "walk")
        if page.locator("#to-review").count():
            break
        page.click("#next-step")
        page.wait_for_timeout(200)
        step += 1
    return step + 1


def review_and_submit(page, screenshots: str | None = None):
    page.click("#to-review")
    page.wait_for_selector(".review")
    for _ in range(10):  # follow "what is missing" links until nothing is
        missing = page.locator("#missing-list a")
        if missing.count() == 0:
            break
        missing.first.click()
        page.wait_for_selector(".walk, .checkin, .expect")
        if page.locator(".walk").count():
            answer_current_step(page, photo_seed=None)
        page.goto(page.url.split("#")[0] + "#/audits/" + audit_id_from(page) + "/review")
        page.wait_for_selector(".review")
    if screenshots:
        shot(page, f"{screenshots}-review")
        check_axe(page, "review")
    page.once("dialog", lambda d: d.accept())
    page.click("#submit-audit")
    page.wait_for_selector(".home")


def audit_id_from(page) -> str:
    return page.url.split("/audits/")[1].split("/")[0]


def sync_until_stored(page, timeout_s: int = 90):
    page.goto(page.url.split("#")[0] + "#/outbox")
    page.wait_for_selector(".outbox")
    for _ in range(timeout_s):
        if page.locator(".ob").count() and page.locator(".ob:not(.ob-stored)").count() == 0:
            return
        if not page.locator("#sync-now[disabled]").count():
            page.click("#sync-now")
        page.wait_for_timeout(1000)
    raise AssertionError("the outbox did not empty")


def check_server_holds(page, audit_id: str, before_ids: set[str]):
    server = api_state(page)
    local = local_state(page)
    new_ids = {a["id"] for a in server["audits"]} - before_ids
    assert new_ids == {audit_id}, f"exactly one new audit on the server, got {new_ids}"
    mine = next(a for a in server["audits"] if a["id"] == audit_id)
    local_audit = next(a for a in local["audits"] if a["id"] == audit_id)
    assert mine["state"] == "submitted"
    assert mine["revision"] == local_audit["revision"]
    server_photos = {p["id"]: p["sha256"] for p in server["photos"]}
    local_photos = [p for p in local["photos"] if p["audit"] == audit_id]
    assert local_photos, "the walk took photos"
    for p in local_photos:
        assert p["stored"], p
        assert server_photos.get(p["id"]) == p["sha256"], p


def test_visit_offline_walk_reload_and_sync(base_url, browser):
    ctx, page = new_page(browser)
    sign_in(page, base_url, AUDITOR)
    shot(page, "01-home")
    check_axe(page, "home")
    before = {a["id"] for a in api_state(page)["audits"]}

    page.locator("a[href^='#/visits/']").first.click()
    page.wait_for_selector("#start-visit")
    shot(page, "02-brief")
    page.click("#start-visit")
    page.wait_for_selector(".pos-denied, .pos-unavailable, .pos-ok", timeout=20000)
    shot(page, "03-checkin")

    ctx.set_offline(True)
    page.click("#confirm-checkin")
    page.wait_for_selector(".walk")
    audit_id = audit_id_from(page)
    # three steps with photos, offline
    for k in range(3):
        answer_current_step(page, photo_seed=k)
        if k == 0:
            shot(page, "04-walk")
        if page.locator("#next-step").count():
            page.click("#next-step")
    # reload while offline: the app opens from the cache and the draft is intact
    page.reload()
    page.wait_for_selector(".walk")
    local = local_state(page)
    draft = next(a for a in local["audits"] if a["id"] == audit_id)
    assert draft["state"] == "draft" and len(draft["responses"]) >= 3
    assert len([p for p in local["photos"] if p["audit"] == audit_id]) == 3

    page.goto(page.url.split("#")[0] + f"#/audits/{audit_id}/walk/0")
    page.wait_for_selector(".walk")
    walk_all(page, photos_on_first=0)
    review_and_submit(page, screenshots="05")
    page.goto(page.url.split("#")[0] + "#/outbox")
    page.wait_for_selector(".ob")
    shot(page, "06-outbox-offline")
    assert page.locator(".ob-stored").count() == 0

    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    sync_until_stored(page)
    shot(page, "07-outbox-synced")
    check_axe(page, "outbox")
    check_server_holds(page, audit_id, before)
    page.goto(page.url.split("#")[0] + "#/settings")
    page.wait_for_selector("#sign-out")
    shot(page, "08-settings")
    check_axe(page, "settings")
    assert page.errors == []  # type: ignore[attr-defined]
    ctx.close()


def test_visit_with_a_flaky_server(base_url, browser):
    """A third of the API requests fail at random (503); the end state is the same."""
    ctx, page = new_page(browser, block_sw=True)
    rng = random.Random(1234)

    def flaky(route):
        if "/auth/" not in route.request.url and rng.random() < 1 / 3:
            route.fulfill(
                status=503,
                content_type="application/json",
                body=json.dumps({"error": {"code": "unavailable", "message": "Try later"}}),
            )
        else:
            route.continue_()

    sign_in(page, base_url, AUDITOR)
    before = {a["id"] for a in api_state(page)["audits"]}
    page.route("**/api/v1/**", flaky)
    visits = page.locator("a[href^='#/visits/']")
    visits.nth(visits.count() - 1).click()
    page.wait_for_selector("#start-visit, a.btn.primary")
    assert page.locator("#start-visit").count(), "the demo gives the auditor a second, unstarted visit"
    page.click("#start-visit")
    page.wait_for_selector("#confirm-checkin")
    page.click("#confirm-checkin")
    page.wait_for_selector(".walk")
    audit_id = audit_id_from(page)
    walk_all(page, photos_on_first=3)
    review_and_submit(page)
    sync_until_stored(page)
    page.unroute("**/api/v1/**")
    check_server_holds(page, audit_id, before)
    ctx.close()


def test_self_audit_fly_economy(base_url, browser):
    ctx, page = new_page(browser)
    sign_in(page, base_url, EXECUTIVE)
    before = {a["id"] for a in api_state(page)["audits"]}
    page.click("#fly-economy")
    page.wait_for_selector("#fly-start")
    shot(page, "09-fly")
    check_axe(page, "fly")
    # the ordinary persona is offered first and chosen by default
    assert page.locator(".fly fieldset").last.locator("button.chip").first.get_attribute("aria-pressed") == "true"
    if page.locator("#fly-start[disabled]").count():
        page.locator(".fly fieldset").first.locator("button.chip").first.click()
    page.click("#fly-start")
    page.wait_for_selector(".expect")
    for card in page.locator(".expect section.card").all():
        card.locator(".scale5 button.chip").nth(2).click()
        card.locator(".scale7 button.chip").nth(1).click()
    shot(page, "10-expect")
    page.click("#start-walking")
    page.wait_for_selector(".walk")
    audit_id = audit_id_from(page)
    walk_all(page, photos_on_first=1)
    review_and_submit(page)
    sync_until_stored(page)
    check_server_holds(page, audit_id, before)
    local = next(a for a in local_state(page)["audits"] if a["id"] == audit_id)
    assert local["kind"] == "self" and local["visit"] is None
    assert all(e["level"] == 3 and e["effort"] == 2 for e in local["expectations"].values())
    ctx.close()


def api_as(base_url: str, email: str):
    """A JSON client for the API with a token (no browser): `call(method, path, body=None)`."""
    import urllib.request

    def send(method: str, path: str, body: dict | None = None, token: str | None = None):
        request = urllib.request.Request(  # noqa: S310 (the local test server)
            f"{base_url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     **({"Authorization": f"Token {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310
            text = answer.read()
            return json.loads(text) if text else None

    token = send("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})["token"]
    return lambda method, path, body=None: send(method, path, body, token)


def test_a_refusal_shows_under_the_item_it_names(base_url, browser):
    """The phone accepts an answer the server refuses: a friction tag chosen on the phone's copy of the
    taxonomy, retired by a manager before the answer reached the server. The server's message shows
    under that item (its `fields` key is `responses.<item id>.value`), and nowhere else."""
    manager = api_as(base_url, "manager@demo.touchpoint.test")
    org = next(m["organization"]["id"] for m in manager("GET", "/api/v1/me")["memberships"]
               if m["role"] in {"manager", "owner"})
    code = f"e2e_stale_{random.randrange(10**6)}"
    tag = manager("POST", "/api/v1/friction-tags", {"organization": org, "code": code, "label": "Stale e2e tag",
                                                     "position": 9999})
    ctx, page = new_page(browser)
    try:
        sign_in(page, base_url, EXECUTIVE)  # the phone syncs the taxonomy, the new tag in it
        page.click("#fly-economy")
        page.wait_for_selector("#fly-start")
        if page.locator("#fly-start[disabled]").count():
            page.locator(".fly fieldset").first.locator("button.chip").first.click()
        page.click("#fly-start")
        page.wait_for_selector(".expect")
        for card in page.locator(".expect section.card").all():
            card.locator(".scale5 button.chip").nth(2).click()
            card.locator(".scale7 button.chip").nth(1).click()
        page.click("#start-walking")
        page.wait_for_selector(".walk")
        while not page.locator(".item.kind-friction").count():
            page.click("#next-step")
            page.wait_for_timeout(200)
        friction = page.locator(".item.kind-friction").first
        item_id = friction.get_attribute("id").removeprefix("item-")

        ctx.set_offline(True)
        friction.locator("button.chip", has_text="Stale e2e tag").click()
        friction.locator("button.chip[aria-pressed=true]", has_text="Stale e2e tag").wait_for()  # the phone took it
        manager("POST", f"/api/v1/friction-tags/{tag['id']}/retire")  # meanwhile, on the server
        ctx.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")

        page.wait_for_selector(".walk .banner.warn")  # the server refused the audit
        under_item = page.locator(f"#refused-{item_id}")
        if not under_item.count():
            audit = next(a for a in local_state(page)["audits"] if a["kind"] == "self" and a["sync"]["attention"])
            raise AssertionError(f"no message under item {item_id}; the server keyed its fields "
                                 f"{sorted(audit['sync']['attention']['fields'])} (expected responses.{item_id}.value)")
        assert f'"{code}" is not a friction tag in use' in under_item.inner_text()
        assert page.locator(".walk p.error").count() == 1, "under that item only"
        shot(page, "11-refused-under-item")
        check_axe(page, "walk with a refusal")

        walk = page.url
        page.goto(walk.split("#")[0] + f"#/audits/{audit_id_from(page)}/review")  # listed there, one tap away
        link = page.locator(f"a[href*='?item={item_id}']")
        assert code in page.locator("#refusals li").filter(has=link).inner_text()
        link.click()
        page.wait_for_selector(f"#refused-{item_id}")

        # Taking the tag off clears the refusal; the audit is then stored
        friction = page.locator(f"#item-{item_id}")
        friction.locator("button.chip", has_text="Stale e2e tag").click()
        page.wait_for_selector(f"#refused-{item_id}", state="detached")
        page.goto(page.url.split("#")[0] + "#/outbox")
        page.wait_for_selector(".outbox")
        sync_until_stored(page)
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()
        with contextlib.suppress(OSError):  # a walk uses it after all: it stays retired, hidden from new answers
            manager("DELETE", f"/api/v1/friction-tags/{tag['id']}")
