"""`make run`: the web server and a Celery worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from audits.demo import DEMO_PASSWORD, sign_ins
from config.var import prepare


class Command(BaseCommand):
    help = "Serve the API and the PWA with Django's server and run a Celery worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, host: str, port: str, **options):
        prepare(settings.VAR_DIR, media_root=settings.MEDIA_ROOT)
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        worker = subprocess.Popen(
            [python, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2",
             "--without-gossip", "--without-mingle", "-B", "--schedule", str(settings.VAR_DIR / "celerybeat")],
            cwd=settings.BASE_DIR)
        web = subprocess.Popen([python, manage, "runserver", f"{host}:{port}", "--noreload"], cwd=settings.BASE_DIR)
        url = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\nTouchpoint is running at {url}"))
        self.stdout.write(f"  PWA: {url}/app/   API docs: {url}/api/docs/")
        self.stdout.write(f"  admin: {url}/admin/   health: {url}/healthz")
        self.stdout.write(f"  Demo sign-ins (password {DEMO_PASSWORD}):")
        for email, role in sign_ins():
            self.stdout.write(f"    {email:<34} {role}")
        self.stdout.write("  Ctrl-C stops the server and the worker.\n")
        children = [web, worker]
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        self.stdout.write("Stopped the server and the worker.")
        failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            sys.exit(1)
