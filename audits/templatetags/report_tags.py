"""Formatting for the report page: shares as percentages, seconds as minutes, heat-map colours."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.{int(digits)}f}%"


@register.filter
def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{int(digits)}f}"


@register.filter
def signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:+.{int(digits)}f}".replace("-", "−")


@register.filter
def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@register.filter
def heat(value: float | None) -> str:
    """A background from pale green (no friction) through amber to deep red (index 1 or more)."""
    if value is None:
        return "background:#f4f4f4;color:#999"
    x = max(0.0, min(1.0, float(value)))
    stops = [(0.0, (232, 245, 233)), (0.35, (255, 224, 130)), (0.7, (239, 108, 0)), (1.0, (183, 28, 28))]
    rgb: tuple[int, ...] = stops[-1][1]
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if x <= b:
            t = (x - a) / (b - a)
            rgb = tuple(round(ca[i] + (cb[i] - ca[i]) * t) for i in range(3))
            break
    color = "#fff" if x > 0.6 else "#222"
    return f"background:rgb{rgb};color:{color}"


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)
