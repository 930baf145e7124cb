"""End-to-end: Touchpoint as `make run` starts it (Django's server and a Celery worker, in a process of
their own, on a database of their own with the demo data), driven by Debian's Chromium through Playwright.
The test asks the server what it stored through the API, like any client would."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.services import need

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "var" / "e2e"))
CHROMIUM = os.environ.get("TOUCHPOINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_database(tmp: Path) -> str:
    """The e2e server's own database: a fresh PostgreSQL database where the suite runs on PostgreSQL,
    else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    base, _, _ = url.rpartition("/")
    name = "touchpoint_e2e"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def live_touchpoint(tmp_path_factory):
    external = os.environ.get("E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    if not (ROOT / "frontend" / "dist" / "index.html").is_file():
        need("the built PWA", "frontend/dist is missing (make test builds it)")
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "TOUCHPOINT_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": _server_database(tmp),
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("CELERY_BROKER_URL", None)  # the default transport, as `make run` uses
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "devstack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("the e2e server did not answer /healthz:\n" + (tmp / "server.log").read_text()[-3000:])
    yield base
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
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
