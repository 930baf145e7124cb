"""Touchpoint as `make run` starts it — Django's server and a Celery worker (`manage.py devstack`) in a
process group of their own, on a database of their own with the demo data. Used by the end-to-end tests
and by bench/bench_pwa.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_database(tmp: Path, name: str = "touchpoint_e2e") -> str:
    """A fresh PostgreSQL database where DATABASE_URL points at PostgreSQL, else a SQLite file. The name carries
    the test process's id, so two runs on one machine never drop each other's database."""
    name = f"{name}_{os.getpid()}"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / f'{name}.sqlite3'}"
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@contextmanager
def running_touchpoint(tmp: Path, *, database: str = "touchpoint_e2e") -> Iterator[str]:
    """Yields the base URL once /healthz answers 200; stops the server and the worker with Ctrl-C after."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "TOUCHPOINT_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": server_database(tmp, database),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("CELERY_BROKER_URL", None)  # the default transport, as `make run` uses
    manage = [sys.executable, str(ROOT / "manage.py")]
    steps = (["prepare_var"], ["migrate", "--noinput", "-v", "0"], ["seed_demo"],
             ["collectstatic", "--noinput", "-v", "0"])
    for command in steps:
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([*manage, "devstack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("Touchpoint did not answer /healthz:\n" + log_path.read_text()[-3000:])
                time.sleep(0.3)
            yield base
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGINT)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
