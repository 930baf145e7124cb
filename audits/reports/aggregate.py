"""The figures of a report, computed in the database.

Every per-step figure is a grouped query (COUNT / AVG / SUM, conditional aggregates) over responses and
friction marks of the scope's audits. Medians and 90th percentiles: on PostgreSQL, its ordered-set
aggregates (percentile_cont / percentile_disc) in the same grouped query; elsewhere (SQLite) a window query
(ROW_NUMBER and COUNT over the step's partition) that returns only the two or three rows at the wanted
ranks. Both give the same figures (the correctness test runs on both), and Python only ever sees a handful
of rows per step, whatever the number of walks. `render.METHODOLOGY` defines each figure; keep them in step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, Literal, TypeVar, cast, overload

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from audits.models import Audit, Expectation, FrictionMark, Photo, PhotoState, Response
from audits.reports.document import (
    DOCUMENT_VERSION,
    EvidencePhoto,
    EvidenceQuote,
    Figures,
    FixFirstStep,
    Heatmap,
    HeatmapCell,
    PerceptionGap,
    PerceptionGapRow,
    ReportFigures,
    ReportStep,
    StepFigures,
    TierCell,
    TierGap,
    TierGapRow,
    Trend,
    TrendChange,
    TrendRow,
)
from audits.reports.scope import Scope
from journeys.models import FrictionTag, Step

OUTCOMES = ("done", "done_with_help", "gave_up")
EFFORT_VALUES = range(1, 8)
MOMENT_OF_TRUTH_WEIGHT = 1.5
FIX_FIRST_LIMIT = 5
PHOTOS_PER_STEP = 2
QUOTES_PER_STEP = 3

EFFORT = Q(kind="effort", number__isnull=False)
LEVEL = Q(kind="delivered_level", number__isnull=False)
TIME = Q(kind="duration", item__options__measure="time_on_step", number__isnull=False)
WAIT = Q(kind="duration", item__options__measure="wait", number__isnull=False)

Key = tuple[Any, ...]  # (step_id,) or (step_id, group value)
Row = dict[str, Any]  # a row of a grouped query (`.values(...).annotate(...)`)
Progress = Callable[[int, str], None]
MedianP90 = tuple[float | None, float | None]
T = TypeVar("T")


def rnd(value: float | Decimal | None) -> float | None:
    """A float (figures stay exact while computed; `round_all` rounds the finished document)."""
    return None if value is None else float(value)


def round_all(value: T, digits: int = 4) -> T:
    """The same document with every float rounded (tuples become lists, as JSON has them)."""
    return cast(T, _rounded(value, digits))


def _rounded(value: object, digits: int) -> object:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def share(part: float, whole: float) -> float | None:
    return rnd(part / whole) if whole else None


def _dims(group: str | None) -> list[str]:
    return ["step_id", f"audit__{group}"] if group else ["step_id"]


def _key(row: Row, dims: list[str]) -> Key:
    return tuple(row[d] for d in dims)


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (0.5: the mean of the two middle values for an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


class PercentileDisc(PercentileCont):
    """PostgreSQL's discrete percentile: the first value whose cumulative share reaches the fraction —
    the nearest rank ⌈fraction · n⌉."""

    function = "PERCENTILE_DISC"


def _native_percentiles() -> bool:
    return connection.vendor == "postgresql"


# -- the grouped queries ---------------------------------------------------------------------------------

def _response_rows(audits: QuerySet[Audit], dims: list[str], full: bool) -> dict[Key, Row]:
    gap = ExpressionWrapper(F("number") - F("step__promise_level"), output_field=FloatField())
    annotations: dict[str, Aggregate] = {
        "walks": Count("audit_id", distinct=True),
        "outcome_n": Count("pk", filter=Q(kind="outcome", text__in=OUTCOMES)),
        "gave_up": Count("pk", filter=Q(kind="outcome", text="gave_up")),
        "effort_n": Count("pk", filter=EFFORT),
        "effort_mean": Avg("number", filter=EFFORT),
        "level_n": Count("pk", filter=LEVEL),
        "level_mean": Avg("number", filter=LEVEL),
        "gap": Avg(gap, filter=LEVEL),
    }
    if full:
        annotations |= {
            "done": Count("pk", filter=Q(kind="outcome", text="done")),
            "done_with_help": Count("pk", filter=Q(kind="outcome", text="done_with_help")),
            **{f"e{v}": Count("pk", filter=EFFORT & Q(number=v)) for v in EFFORT_VALUES},
            "time_n": Count("pk", filter=TIME),
            "wait_n": Count("pk", filter=WAIT),
        }
        if _native_percentiles():
            # PostgreSQL computes the same medians and 90th percentiles in this one grouped query.
            annotations |= {
                "effort_median": PercentileCont("number", 0.5, filter=EFFORT),
                "time_median": PercentileCont("number", 0.5, filter=TIME),
                "time_p90": PercentileDisc("number", 0.9, filter=TIME),
                "wait_median": PercentileCont("number", 0.5, filter=WAIT),
                "wait_p90": PercentileDisc("number", 0.9, filter=WAIT),
            }
    rows = (Response.objects.filter(audit__in=audits, step__isnull=False)
            .values(*dims).annotate(**annotations).order_by())
    return {_key(row, dims): row for row in rows}


def _friction_rows(audits: QuerySet[Audit], dims: list[str]) -> dict[Key, Row]:
    rows = (FrictionMark.objects.filter(audit__in=audits, step__isnull=False).values(*dims)
            .annotate(walks=Count("audit_id", distinct=True), severity=Sum("severity")).order_by())
    return {_key(row, dims): row for row in rows}


def _tag_rows(audits: QuerySet[Audit], dims: list[str]) -> dict[Key, list[Row]]:
    # By the tag's code (unique among the tags an organization may use): the document keys tags by code.
    rows = (FrictionMark.objects.filter(audit__in=audits, step__isnull=False).values(*dims, "tag__code")
            .annotate(walks=Count("audit_id", distinct=True), severity=Sum("severity"), marks=Count("pk"))
            .order_by())
    out: dict[Key, list[Row]] = defaultdict(list)
    for row in rows:
        out[_key(row, dims)].append(row)
    return out


def _percentiles(audits: QuerySet[Audit], condition: Q, dims: list[str]) -> dict[Key, MedianP90]:
    """(median, p90) per group, portably (SQLite; PostgreSQL uses its percentile aggregates). Ranks 1..n
    by value; the median is the mean of the values at ranks floor((n+1)/2) and floor((n+2)/2) (the middle
    one, or the two middle ones); the 90th percentile is the value at rank ceil(0.9·n) (nearest rank).
    Only those rows leave the database."""
    partition = [F(d) for d in dims]
    rows = (Response.objects.filter(audit__in=audits, step__isnull=False).filter(condition)
            .annotate(rn=Window(RowNumber(), partition_by=partition, order_by=[F("number").asc(), F("pk").asc()]),
                      cnt=Window(Count("pk"), partition_by=partition))
            .filter(Q(rn=(F("cnt") + 1) / 2) | Q(rn=(F("cnt") + 2) / 2) | Q(rn=(F("cnt") * 9 + 9) / 10))
            .values_list(*dims, "rn", "cnt", "number"))
    picked: dict[Key, dict[int, float]] = defaultdict(dict)
    counts: dict[Key, int] = {}
    for *key, rn, cnt, number in rows:
        picked[tuple(key)][rn] = number
        counts[tuple(key)] = cnt
    out: dict[Key, MedianP90] = {}
    for key, by_rank in picked.items():
        n = counts[key]
        median = (by_rank[(n + 1) // 2] + by_rank[(n + 2) // 2]) / 2
        out[key] = (rnd(median), rnd(by_rank[(9 * n + 9) // 10]))
    return out


# -- figures per step (optionally per step and group) --------------------------------------------------

@overload
def step_figures(audits: QuerySet[Audit], group: str | None = None, *,
                 full: Literal[True] = True) -> dict[Key, StepFigures]: ...
@overload
def step_figures(audits: QuerySet[Audit], group: str | None = None, *,
                 full: Literal[False]) -> dict[Key, Figures]: ...
def step_figures(audits: QuerySet[Audit], group: str | None = None, *,
                 full: bool = True) -> dict[Key, StepFigures] | dict[Key, Figures]:
    """Figures keyed by (step_id,) or (step_id, group). `group` is an Audit field (location_id,
    persona__tier_rank). `full=False` gives the light set used by the heat map and the tier gap."""
    dims = _dims(group)
    responses = _response_rows(audits, dims, full)
    friction = _friction_rows(audits, dims)
    light: dict[Key, Figures] = {}
    for key, r in responses.items():
        walks = r["walks"]
        f = friction.get(key, {"walks": 0, "severity": 0})
        light[key] = {
            "walks": walks,
            "friction_walks": f["walks"],
            "friction_share": share(f["walks"], walks),
            "severity": f["severity"] or 0,
            "friction_index": share(f["severity"] or 0, 3 * walks),
            "outcome_n": r["outcome_n"],
            "gave_up": share(r["gave_up"], r["outcome_n"]),
            "effort_n": r["effort_n"],
            "effort_mean": rnd(r["effort_mean"]),
            "level_n": r["level_n"],
            "delivered_mean": rnd(r["level_mean"]),
            "value_gap": rnd(r["gap"]),
        }
    if not full:
        return light

    tags = _tag_rows(audits, dims)
    windowed = not _native_percentiles()
    effort_pct = _percentiles(audits, EFFORT, dims) if windowed else {}
    time_pct = _percentiles(audits, TIME, dims) if windowed else {}
    wait_pct = _percentiles(audits, WAIT, dims) if windowed else {}
    none: MedianP90 = (None, None)
    out: dict[Key, StepFigures] = {}
    for key, r in responses.items():
        walks = r["walks"]
        out[key] = {
            **light[key],
            "done": share(r["done"], r["outcome_n"]),
            "done_with_help": share(r["done_with_help"], r["outcome_n"]),
            "effort_distribution": [r[f"e{v}"] for v in EFFORT_VALUES],
            "effort_median": r.get("effort_median", effort_pct.get(key, none)[0]),
            "time_n": r["time_n"],
            "time_median": r.get("time_median", time_pct.get(key, none)[0]),
            "time_p90": r.get("time_p90", time_pct.get(key, none)[1]),
            "wait_n": r["wait_n"],
            "wait_median": r.get("wait_median", wait_pct.get(key, none)[0]),
            "wait_p90": r.get("wait_p90", wait_pct.get(key, none)[1]),
            "tags": {row["tag__code"]: {"walks": row["walks"], "share": share(row["walks"], walks),
                                        "severity": row["severity"], "marks": row["marks"]}
                     for row in tags.get(key, [])},
        }
    return out


def audit_rows(audits: QuerySet[Audit]) -> Iterator[tuple[Any, ...]]:
    """One tuple per walk (id, location, tier, submitted, marks, severity, effort mean, gave up, time, wait,
    value gap), each figure a correlated subquery, streamed in chunks: never the whole table in memory."""
    gap = ExpressionWrapper(F("number") - F("step__promise_level"), output_field=FloatField())

    def per_audit(model: type[FrictionMark] | type[Response], condition: Q, aggregate: Aggregate) -> Subquery:
        sub = (model.objects.filter(audit_id=OuterRef("pk")).filter(condition).values("audit_id")
               .annotate(v=aggregate).values("v")[:1])
        return Subquery(sub)

    rows = (audits.annotate(
        _marks=per_audit(FrictionMark, Q(), Count("pk")),
        _severity=per_audit(FrictionMark, Q(), Sum("severity")),
        _effort=per_audit(Response, EFFORT, Avg("number")),
        _gave_up=per_audit(Response, Q(kind="outcome", text="gave_up"), Count("pk")),
        _time=per_audit(Response, TIME, Sum("number")),
        _wait=per_audit(Response, WAIT, Sum("number")),
        _gap=per_audit(Response, LEVEL, Avg(gap)),
    ).order_by("submitted_at", "pk").values_list(
        "pk", "location__name", "persona__tier", "submitted_at", "_marks", "_severity", "_effort", "_gave_up",
        "_time", "_wait", "_gap"))
    for row in rows.iterator(chunk_size=2000):
        yield (*row[:4], row[4] or 0, row[5] or 0, *(None if v is None else round(v, 4) for v in row[6:7]),
               row[7] or 0, *(None if v is None else round(v, 4) for v in row[8:]))


# -- across the journey --------------------------------------------------------------------------------

def priority(friction_index: float | None, reach: float | Decimal, moment_of_truth: bool) -> float:
    weight = MOMENT_OF_TRUTH_WEIGHT if moment_of_truth else 1.0
    return (friction_index or 0) * float(reach) * weight


def _walk_severity(step_id: int) -> Coalesce:
    """The total severity a walk met on the step: the evidence of the worst walks comes first."""
    sub = (FrictionMark.objects.filter(audit_id=OuterRef("audit_id"), step_id=step_id).values("audit_id")
           .annotate(s=Sum("severity")).values("s")[:1])
    return Coalesce(Subquery(sub), Value(0))


def evidence(audits: QuerySet[Audit], step_id: int) -> tuple[list[EvidencePhoto], list[EvidenceQuote]]:
    photos = (Photo.objects.filter(audit__in=audits, step_id=step_id, state=PhotoState.READY).exclude(small="")
              .annotate(walk_severity=_walk_severity(step_id))
              .order_by("-walk_severity", "-created_at", "pk")
              .values("pk", "small", "large", "caption", "audit__location__name")[:PHOTOS_PER_STEP])
    quotes = (Response.objects.filter(audit__in=audits, step_id=step_id)
              .filter((Q(kind="text") & ~Q(text="")) | ~Q(note=""))
              .annotate(walk_severity=_walk_severity(step_id))
              .order_by("-walk_severity", "-updated_at", "pk")
              .values("kind", "text", "value", "note", "audit__location__name")[:QUOTES_PER_STEP])
    return (
        [{"id": str(p["pk"]), "small": p["small"], "large": p["large"], "caption": p["caption"],
          "location": p["audit__location__name"]} for p in photos],
        [{"text": (q["value"] if q["kind"] == "text" and isinstance(q["value"], str) and q["value"]
                   else q["text"] if q["kind"] == "text" else q["note"]),
          "location": q["audit__location__name"]} for q in quotes],
    )


def build(scope: Scope, progress: Progress = lambda p, s: None) -> ReportFigures:
    """The figures of a report over `scope` (the whole document but its `meta`), JSON-ready."""
    audits = scope.field_audits()
    steps = list(Step.objects.filter(journey_id=scope.journey_id).select_related("stage")
                 .order_by("stage__position", "position", "id"))

    progress(15, "Counting walks")
    totals = audits.aggregate(walks=Count("pk"), locations=Count("location_id", distinct=True),
                              auditors=Count("auditor_id", distinct=True), first=Min("submitted_at"),
                              last=Max("submitted_at"))

    progress(20, "Friction, effort and time per step")
    per_step = step_figures(audits)

    steps = [s for s in steps if not s.archived or (s.pk,) in per_step]
    codes = sorted({code for f in per_step.values() for code in f["tags"]})
    tags = list(FrictionTag.objects.usable_by(scope.organization_id).filter(code__in=codes)
                .values("code", "label", "position"))
    tags.sort(key=lambda t: (t["position"], t["code"]))
    tag_label = {t["code"]: t["label"] for t in tags}

    step_rows: list[ReportStep] = []
    for s in steps:
        f = per_step.get((s.pk,))
        step_rows.append({"id": s.pk, "name": s.name, "stage": s.stage.name, "channel": s.channel,
                          "touchpoint": s.touchpoint, "promise_level": s.promise_level, "reach": float(s.reach),
                          "moment_of_truth": s.moment_of_truth, "figures": f,
                          "priority": priority(f["friction_index"], s.reach, s.moment_of_truth) if f else 0.0})

    progress(35, "Fix first: ranking and evidence")
    order = {s.pk: i for i, s in enumerate(steps)}
    ranked = sorted(((r, f) for r in step_rows if (f := r["figures"]) and f["friction_index"]),
                    key=lambda rf: (-rf[0]["priority"], order[rf[0]["id"]]))
    fix_first: list[FixFirstStep] = []
    for rank, (r, f) in enumerate(ranked[:FIX_FIRST_LIMIT], start=1):
        photos, quotes = evidence(audits, r["id"])
        fix_first.append({"rank": rank, "step": r["id"], "name": r["name"], "stage": r["stage"],
                          "friction_index": f["friction_index"] or 0.0, "reach": r["reach"],
                          "moment_of_truth": r["moment_of_truth"],
                          "weight": MOMENT_OF_TRUTH_WEIGHT if r["moment_of_truth"] else 1.0,
                          "priority": r["priority"],
                          "top_tags": [{"code": code, "label": tag_label[code], "share": v["share"],
                                        "walks": v["walks"]} for code, v in sorted(f["tags"].items(),
                                                             key=lambda kv: -(kv[1]["share"] or 0))[:3]],
                          "photos": photos, "quotes": quotes})

    progress(45, "Heat map of steps and locations")
    locations = list(audits.values("location_id", "location__name").annotate(walks=Count("pk"))
                     .order_by("location__name", "location_id"))
    by_location = step_figures(audits, "location_id", full=False)
    heatmap: Heatmap = {
        "locations": [{"id": loc["location_id"], "name": loc["location__name"] or "—", "walks": loc["walks"]}
                      for loc in locations],
        "rows": [{"step": s.pk, "name": s.name, "cells": [
            _cell(by_location.get((s.pk, loc["location_id"]))) for loc in locations]} for s in steps],
    }

    progress(52, "Trend against the previous wave")
    trend = _trend(scope, steps, per_step)

    progress(57, "Tier gap")
    tiers = _tiers(audits, steps)

    progress(62, "Perception gap")
    perception = _perception(scope, steps, per_step)

    figures: ReportFigures = {
        "version": DOCUMENT_VERSION,
        "totals": {"walks": totals["walks"], "locations": totals["locations"], "auditors": totals["auditors"],
                   "first": totals["first"].date().isoformat() if totals["first"] else None,
                   "last": totals["last"].date().isoformat() if totals["last"] else None},
        "tags": [{"code": t["code"], "label": t["label"]} for t in tags],
        "steps": step_rows,
        "fix_first": fix_first,
        "heatmap": heatmap,
        "trend": trend,
        "tiers": tiers,
        "perception": perception,
        "constants": {"moment_of_truth_weight": MOMENT_OF_TRUTH_WEIGHT, "fix_first_limit": FIX_FIRST_LIMIT},
    }
    return round_all(figures)


def _cell(f: Figures | None) -> HeatmapCell | None:
    if not f:
        return None
    return {"walks": f["walks"], "friction_index": f["friction_index"], "gave_up": f["gave_up"],
            "effort_mean": f["effort_mean"]}


TrendFigure = Literal["friction_index", "gave_up", "effort_median", "time_median", "wait_median", "value_gap"]


def _trend(scope: Scope, steps: Iterable[Step], now: dict[Key, StepFigures]) -> Trend | None:
    previous = scope.previous()
    if previous is None:
        return None
    wave = previous.wave()
    before = step_figures(previous.field_audits())
    walks = previous.field_audits().count()

    rows: list[TrendRow] = []
    for s in steps:
        a, b = now.get((s.pk,)), before.get((s.pk,))

        def change(name: TrendFigure, a: StepFigures | None = a, b: StepFigures | None = b) -> TrendChange:
            value, was = (a[name] if a else None), (b[name] if b else None)
            return {"now": value, "before": was,
                    "delta": None if value is None or was is None else value - was}

        rows.append({"step": s.pk, "name": s.name, "friction_index": change("friction_index"),
                     "gave_up": change("gave_up"), "effort_median": change("effort_median"),
                     "time_median": change("time_median"), "wait_median": change("wait_median"),
                     "value_gap": change("value_gap")})
    return {"wave": {"id": wave.pk, "name": wave.name, "starts_on": wave.starts_on.isoformat()} if wave else None,
            "walks": walks, "rows": rows}


def _gap(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _tiers(audits: QuerySet[Audit], steps: Iterable[Step]) -> TierGap | None:
    present = list(audits.filter(persona__isnull=False).values("persona__tier_rank")
                   .annotate(walks=Count("pk"), tier=Min("persona__tier")).order_by("persona__tier_rank"))
    if len(present) < 2:
        return None
    low, high = present[0], present[-1]
    figures = step_figures(audits.filter(persona__tier_rank__in=[low["persona__tier_rank"],
                                                                 high["persona__tier_rank"]]),
                           "persona__tier_rank", full=False)
    rows: list[TierGapRow] = []
    for s in steps:
        a = figures.get((s.pk, low["persona__tier_rank"]))
        b = figures.get((s.pk, high["persona__tier_rank"]))
        rows.append({"step": s.pk, "name": s.name, "low": _cell_tier(a), "high": _cell_tier(b),
                     "friction_gap": _gap(a["friction_index"], b["friction_index"]) if a and b else None,
                     "effort_gap": _gap(a["effort_mean"], b["effort_mean"]) if a and b else None,
                     "value_gap_gap": _gap(a["value_gap"], b["value_gap"]) if a and b else None})
    return {"low": {"rank": low["persona__tier_rank"], "tier": low["tier"], "walks": low["walks"]},
            "high": {"rank": high["persona__tier_rank"], "tier": high["tier"], "walks": high["walks"]},
            "rows": rows}


def _cell_tier(f: Figures | None) -> TierCell | None:
    if not f:
        return None
    return {"walks": f["walks"], "friction_index": f["friction_index"], "gave_up": f["gave_up"],
            "effort_mean": f["effort_mean"], "value_gap": f["value_gap"]}


def _perception(scope: Scope, steps: Iterable[Step], field: dict[Key, StepFigures]) -> PerceptionGap | None:
    selfs = scope.self_audits()
    rows = {r["step_id"]: r for r in Expectation.objects.filter(audit__in=selfs).values("step_id")
            .annotate(n=Count("audit_id", distinct=True), level=Avg("level"), effort=Avg("effort")).order_by()}
    if not rows:
        return None
    out: list[PerceptionGapRow] = []
    for s in steps:
        e, f = rows.get(s.pk), field.get((s.pk,))
        expected_level = rnd(e["level"]) if e else None
        expected_effort = rnd(e["effort"]) if e else None
        delivered = f["delivered_mean"] if f else None
        effort = f["effort_mean"] if f else None
        out.append({
            "step": s.pk, "name": s.name, "self_audits": e["n"] if e else 0,
            "promise_level": s.promise_level,
            "expected_level": expected_level, "delivered_level": delivered,
            "level_gap": _gap(delivered, expected_level),
            "expected_effort": expected_effort, "field_effort": effort,
            "effort_gap": _gap(effort, expected_effort),
        })
    return {"self_audits": selfs.count(), "rows": out}
