"""Production settings refuse unsafe configurations and pass Django's deployment check."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "t0uchp0int-test-Qm8vZr2LwX9sKd4pHy7nBc3JfT6gVa1eRu5oYi0-secret"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TOUCHPOINT_DEMO"))}
    # A database of its own (empty): a laptop's var/ may hold the demo, which the deploy check would name.
    scratch = tempfile.mkdtemp(prefix="touchpoint-settings-")
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "TOUCHPOINT_VAR_DIR": scratch,
                        "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3", **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_the_default_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_manage("check", DJANGO_SECRET_KEY=GOOD_SECRET, DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_demo_sign_ins():
    result = run_manage("check", DJANGO_SECRET_KEY=GOOD_SECRET, TOUCHPOINT_DEMO="true")
    assert result.returncode != 0
    assert "demo" in result.stderr.lower()


def test_production_passes_the_deployment_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=GOOD_SECRET,
                        DJANGO_ALLOWED_HOSTS="touchpoint.example.com")
    assert result.returncode == 0, result.stderr + result.stdout
