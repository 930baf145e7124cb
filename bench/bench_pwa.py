"""The PWA's figures (issue 5): the shell's gzip bytes, and the time until the home screen is usable on a
cold load and on an offline reopen, in Debian's Chromium with 4× CPU slowdown and a slow-4G profile
(150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up), beside the same loads unthrottled.

Starts Touchpoint as `make run` does (tests/e2e/server.py) on a throwaway database.
Run: .venv/bin/python bench/bench_pwa.py [--runs 5]"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.server import CHROMIUM_ARGS, running_touchpoint  # noqa: E402

SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}


def throttle(page, on: bool) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4 if on else 1})
    cdp.send("Network.enable")
    if on:
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)


def clear_http_and_sw(page, base: str) -> None:
    """A cold load for a person already signed in: no HTTP cache, no service worker, no Cache Storage
    (cookies and IndexedDB stay)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Storage.clearDataForOrigin", {"origin": base, "storageTypes": "cache_storage,service_workers"})


def time_until_home(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".home", state="visible", timeout=60000)
    return (time.perf_counter() - started) * 1000


def measure(browser, base: str, runs: int, throttled: bool) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"cold": [], "offline": []}
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 360, "height": 640})
        page = context.new_page()
        page.goto(f"{base}/app/")
        page.fill("#email", "auditor@demo.touchpoint.test")
        page.fill("#password", "touchpoint-demo")
        page.click("button[type=submit]")
        page.wait_for_selector(".home")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")

        clear_http_and_sw(page, base)
        page.goto("about:blank")
        throttle(page, throttled)
        results["cold"].append(time_until_home(page, f"{base}/app/"))
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_timeout(500)  # let the worker finish precaching

        context.set_offline(True)
        page.goto("about:blank")
        throttle(page, throttled)
        results["offline"].append(time_until_home(page, f"{base}/app/"))
        context.close()
    return results


def shell_gzip() -> str:
    if not shutil.which("npm"):
        return "npm not found"
    answer = subprocess.run(["npm", "run", "--silent", "bench"], cwd=ROOT / "frontend", capture_output=True,
                            text=True, check=False)
    return (answer.stdout or answer.stderr).strip().splitlines()[-1] if (answer.stdout or answer.stderr) else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (ROOT / "frontend" / "dist" / "index.html").is_file():
        sys.exit("build the PWA first: make pwa")
    from playwright.sync_api import sync_playwright

    print(f"shell size: {shell_gzip()}")
    with (tempfile.TemporaryDirectory() as tmp,
          running_touchpoint(Path(tmp), database="touchpoint_bench_pwa") as base,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        plain = measure(browser, base, args.runs, throttled=False)
        slow = measure(browser, base, args.runs, throttled=True)
        browser.close()
    print(f"home screen usable, median of {args.runs} (ms)   unthrottled   4x CPU + slow 4G   goal")
    print(f"  cold load (signed in, nothing cached)   {statistics.median(plain['cold']):8.0f}"
          f"   {statistics.median(slow['cold']):14.0f}      < 2000")
    print(f"  offline reopen (from the service worker){statistics.median(plain['offline']):8.0f}"
          f"   {statistics.median(slow['offline']):14.0f}      <  500")


if __name__ == "__main__":
    main()
