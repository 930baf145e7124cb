"""`make run`'s supervisor (`manage.py devstack`): gunicorn, a Celery worker and beat as children; a child whose
main process dies is started again (the site stays up), and every child dies with the supervisor, even when the
supervisor is killed outright (no beat running on, orphaned)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def children_of(pid: int) -> dict[str, int]:
    """name -> pid of the supervisor's direct children (web, worker, beat), read from /proc."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) != pid:
            continue
        for name, marker in (("web", "gunicorn"), ("worker", " worker "), ("beat", " beat ")):
            if marker in cmdline:
                found[name] = int(entry.name)
    return found


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc (Linux)")
def test_a_dead_worker_is_restarted_and_children_die_with_the_supervisor(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", "TOUCHPOINT_VAR_DIR": str(tmp_path / "var"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORT": str(port)})
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    log = (tmp_path / "devstack.log").open("w")
    supervisor = subprocess.Popen([*manage, "devstack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def all_three():
            found = children_of(supervisor.pid)
            return found if len(found) == 3 else None

        def a_new_worker():
            found = children_of(supervisor.pid)
            return found if found.get("worker") not in (None, first["worker"]) and len(found) == 3 else None

        first = wait_for(all_three, 60, "three children")
        wait_for(lambda: _healthy(port), 60, "the web server")
        os.kill(first["worker"], signal.SIGKILL)  # the worker's main process dies
        restarted = wait_for(a_new_worker, 30, "a new worker")
        assert restarted["web"] == first["web"] and restarted["beat"] == first["beat"]
        assert _healthy(port), "the site went down with the worker"

        supervisor.kill()  # no chance to clean up: the children must go by themselves
        supervisor.wait(timeout=10)
        wait_for(lambda: not any(alive(pid) for pid in restarted.values()), 30, "the children to exit")
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        log.close()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
            return answer.status == 200
    except OSError:
        return False
