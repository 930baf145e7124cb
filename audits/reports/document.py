"""The report's result document: its shape, typed once.

`aggregate.build` makes a `ReportFigures`; the compile adds `meta`, stores the `ReportDocument` in
`Report.result`, and the page, the PDF, the workbook and the CSV files are written from it; the reports
API serves it as it is (`GET /api/v1/reports/<id>/result`), and its OpenAPI schema is made from these
classes (each TypedDict a component of the same name), so the schema says exactly what the document holds.

Figures are floats rounded to 4 decimals; `None` where a figure has nothing to count (no answer of that
kind on the step). `render.METHODOLOGY` defines each figure.
"""

from __future__ import annotations

from typing import Literal, TypedDict

#: Bump when the document changes shape (a client reading it may check).
DOCUMENT_VERSION: Literal[1] = 1


class Figures(TypedDict):
    """The figures of a step over a group of walks: every walk of the scope, or those of one location
    or one persona tier (the heat map and the tier gap use this light set)."""

    walks: int
    friction_walks: int
    friction_share: float | None
    severity: int
    friction_index: float | None
    outcome_n: int
    gave_up: float | None
    effort_n: int
    effort_mean: float | None
    level_n: int
    delivered_mean: float | None
    value_gap: float | None


class StepTagFigures(TypedDict):
    """One friction tag on one step: walks that marked it, their share of the step's walks, the sum of
    the marks' severities and the number of marks."""

    walks: int
    share: float | None
    severity: int
    marks: int


class StepFigures(Figures):
    """Every figure of a step over the scope's walks; `tags` keyed by friction tag code."""

    done: float | None
    done_with_help: float | None
    effort_distribution: list[int]
    effort_median: float | None
    time_n: int
    time_median: float | None
    time_p90: float | None
    wait_n: int
    wait_median: float | None
    wait_p90: float | None
    tags: dict[str, StepTagFigures]


class ReportTotals(TypedDict):
    walks: int
    locations: int
    auditors: int
    #: The first and last submission dates (ISO) of the walks counted.
    first: str | None
    last: str | None


class ReportTag(TypedDict):
    code: str
    label: str


class ReportStep(TypedDict):
    """A step of the journey (in the journey's order) with its figures; `figures` is None when no walk
    answered on it. An archived step appears only when walks answered on it."""

    id: int
    name: str
    stage: str
    channel: str
    touchpoint: str
    promise_level: int
    reach: float
    moment_of_truth: bool
    figures: StepFigures | None
    priority: float


class FixFirstTag(TypedDict):
    code: str
    label: str
    share: float | None
    walks: int


class EvidencePhoto(TypedDict):
    """A ready photo of the step: `small` and `large` are storage names of its renditions."""

    id: str
    small: str
    large: str
    caption: str
    location: str | None


class EvidenceQuote(TypedDict):
    """An auditor's text answer or note on the step, and where it was written."""

    text: str
    location: str | None


class FixFirstStep(TypedDict):
    """A step to fix first, by priority (friction index × reach × the moment-of-truth weight), with the
    frictions met most and the evidence of the worst walks."""

    rank: int
    step: int
    name: str
    stage: str
    friction_index: float
    reach: float
    moment_of_truth: bool
    weight: float
    priority: float
    top_tags: list[FixFirstTag]
    photos: list[EvidencePhoto]
    quotes: list[EvidenceQuote]


class HeatmapLocation(TypedDict):
    id: int | None
    name: str
    walks: int


class HeatmapCell(TypedDict):
    walks: int
    friction_index: float | None
    gave_up: float | None
    effort_mean: float | None


class HeatmapRow(TypedDict):
    """A step; `cells` follow `Heatmap.locations` (None: no walk of that location answered on the step)."""

    step: int
    name: str
    cells: list[HeatmapCell | None]


class Heatmap(TypedDict):
    locations: list[HeatmapLocation]
    rows: list[HeatmapRow]


class TrendChange(TypedDict):
    """A figure now, in the previous wave, and `delta` = now − before."""

    now: float | None
    before: float | None
    delta: float | None


class TrendWave(TypedDict):
    id: int
    name: str
    starts_on: str


class TrendRow(TypedDict):
    step: int
    name: str
    friction_index: TrendChange
    gave_up: TrendChange
    effort_median: TrendChange
    time_median: TrendChange
    wait_median: TrendChange
    value_gap: TrendChange


class Trend(TypedDict):
    """Against the previous wave of the same client and journey."""

    wave: TrendWave | None
    walks: int
    rows: list[TrendRow]


class TierCell(HeatmapCell):
    value_gap: float | None


class TierGroup(TypedDict):
    rank: int
    tier: str
    walks: int


class TierGapRow(TypedDict):
    """A step over the lowest and the highest persona tier walked; gaps = lowest − highest."""

    step: int
    name: str
    low: TierCell | None
    high: TierCell | None
    friction_gap: float | None
    effort_gap: float | None
    value_gap_gap: float | None


class TierGap(TypedDict):
    low: TierGroup
    high: TierGroup
    rows: list[TierGapRow]


class PerceptionGapRow(TypedDict):
    """What executives expected of a step in their self-audits against what the field walks met."""

    step: int
    name: str
    self_audits: int
    promise_level: int
    expected_level: float | None
    delivered_level: float | None
    level_gap: float | None
    expected_effort: float | None
    field_effort: float | None
    effort_gap: float | None


class PerceptionGap(TypedDict):
    self_audits: int
    rows: list[PerceptionGapRow]


class ReportConstants(TypedDict):
    moment_of_truth_weight: float
    fix_first_limit: int


class ReportFigures(TypedDict):
    """What `aggregate.build` computes over a scope (the document without `meta`). `trend`, `tiers` and
    `perception` are None when the scope has no previous wave, fewer than two tiers, or no self-audit."""

    version: Literal[1]
    totals: ReportTotals
    tags: list[ReportTag]
    steps: list[ReportStep]
    fix_first: list[FixFirstStep]
    heatmap: Heatmap
    trend: Trend | None
    tiers: TierGap | None
    perception: PerceptionGap | None
    constants: ReportConstants


class ReportMeta(TypedDict):
    report_id: int
    number: int
    data_version: str
    title: str
    client: str
    journey: str
    #: What the report covers, in words ("wave Autumn (2026-09-01 to 2026-09-21); persona Economy").
    scope_text: str
    #: "YYYY-MM-DD HH:MM UTC".
    generated_at: str
    #: (figure, definition) pairs.
    methodology: list[tuple[str, str]]


class ReportDocument(ReportFigures):
    """The whole result document of a ready report."""

    meta: ReportMeta


class ReportSummaryStep(TypedDict):
    rank: int
    step: str
    priority: float


class ReportSummary(TypedDict):
    """The head of a ready report's document, on the report's detail: totals and the fix-first ranking."""

    totals: ReportTotals
    fix_first: list[ReportSummaryStep]


def summary_of(document: ReportDocument) -> ReportSummary:
    return {"totals": document["totals"],
            "fix_first": [{"rank": f["rank"], "step": f["name"], "priority": f["priority"]}
                          for f in document["fix_first"]]}
