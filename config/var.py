"""The folders the defaults keep their files in (the SQLite database, media, static files, the filesystem
broker's queue). Settings only name them; the run command, the test suite and `manage.py prepare_var` make
them, so that importing settings never touches the disk."""

from __future__ import annotations

from pathlib import Path

BROKER_SUBFOLDERS = ("queue", "processed", "control")


def prepare(var_dir: Path, *, media_root: Path | None = None) -> None:
    """Make `var_dir` and what lives in it (idempotent)."""
    for folder in (var_dir, var_dir / "static", media_root or var_dir / "media"):
        folder.mkdir(parents=True, exist_ok=True)
    for sub in BROKER_SUBFOLDERS:
        (var_dir / "broker" / sub).mkdir(parents=True, exist_ok=True)
