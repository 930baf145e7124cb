"""`make run`: the web server, a Celery worker and Celery beat, supervised together.

- The web server is gunicorn (threads, a deep listen backlog: fifty phones at once are not reset), serving
  the API, the PWA and the static files (whitenoise).
- Each child is restarted if it dies (with a short back-off), so a crashed worker never takes the site down
  and beat never runs on alone; each child dies with this process (PR_SET_PDEATHSIG) even if it is killed.
- Ctrl-C (or SIGTERM) stops all three.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audits.demo import DEMO_PASSWORD, sign_ins
from config.var import prepare

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the supervisor goes away, however it goes."""
    with contextlib.suppress(OSError):  # not Linux: Ctrl-C still stops the children
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=settings.BASE_DIR, preexec_fn=_die_with_parent)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Command(BaseCommand):
    help = "Serve the API and the PWA with gunicorn, beside a Celery worker and beat, supervised."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, host: str, port: str, **options: Any) -> None:
        prepare(settings.VAR_DIR, media_root=settings.MEDIA_ROOT)
        python = sys.executable
        url = f"http://{host}:{port}"
        # Links in e-mails point at the address this server really answers on.
        os.environ.setdefault("TOUCHPOINT_PUBLIC_URL", url)
        children = [
            Child("web", [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}",
                          "--worker-class", "gthread", "--workers", os.environ.get("WEB_WORKERS", "2"),
                          "--threads", os.environ.get("WEB_THREADS", "8"), "--backlog", "2048",
                          "--timeout", "120", "--graceful-timeout", "10", "--access-logfile", "-"]),
            Child("worker", [python, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
                             "--concurrency", "2", "--without-gossip", "--without-mingle"]),
            Child("beat", [python, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                           "--schedule", str(settings.VAR_DIR / "celerybeat")]),
        ]
        for child in children:
            child.start()
        self.stdout.write(self.style.SUCCESS(f"\nTouchpoint is running at {url}"))
        self.stdout.write(f"  PWA (phones): {url}/app/")
        self.stdout.write(f"  API docs: {url}/api/docs/   admin: {url}/admin/   health: {url}/healthz")
        self.stdout.write(f"  Demo sign-ins (password {DEMO_PASSWORD}):")
        for email, role in sign_ins():
            self.stdout.write(f"    {email:<34} {role}")
        self.stdout.write("  Ctrl-C stops the server, the worker and beat.\n")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for child in children:
                    if not child.alive() and not stopping:
                        self._restart(child)
                time.sleep(0.3)
        finally:
            for child in children:
                if child.alive():
                    child.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            deadline = time.monotonic() + 15
            for child in children:
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.process.kill()
        self.stdout.write("Stopped the server, the worker and beat.")

    def _restart(self, child: Child) -> None:
        code = child.process.returncode if child.process else None
        now = time.monotonic()
        child.restarts = [t for t in child.restarts if now - t < 60] + [now]
        wait = min(10.0, 0.5 * 2 ** (len(child.restarts) - 1))
        self.stderr.write(f"{child.name} stopped (exit {code}); starting it again in {wait:.1f} s")
        time.sleep(wait)
        child.start()
