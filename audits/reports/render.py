"""Outputs of a compiled report: the HTML page (a Django template that prints well, photos and charts
inline so the file stands alone), the PDF made from it by WeasyPrint, an XLSX workbook (openpyxl write-only
mode) and a zip of CSV files. Per-audit rows are streamed from the database into the files, never held
in memory. Charts are SVG drawn by pygal."""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

import pygal
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pygal.style import Style

from audits.models import Audit
from audits.reports.aggregate import audit_rows
from audits.reports.document import EvidencePhoto, FixFirstStep, ReportDocument, ReportStep, StepFigures


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
            background="white", plot_background="white", foreground="#333", foreground_strong="#111",
        foreground_subtle="#bbb", font_family="DejaVu Sans, sans-serif", label_font_size=11,
        major_label_font_size=11, value_font_size=10, legend_font_size=11, title_font_size=13,
        tooltip_font_size=10, opacity=".95", opacity_hover="1", colors=colors, guide_stroke_color="#e5e7eb",
        major_guide_stroke_color="#d1d5db", guide_stroke_dasharray="2,3", major_guide_stroke_dasharray="2,3")


STYLE = _style(("#c0392b", "#2c7fb8", "#7f8c8d", "#e67e22", "#27ae60", "#8e44ad", "#16a085"))
OUTCOME_STYLE = _style(("#2e8b57", "#f0ad4e", "#c0392b"))
EFFORT_STYLE = _style(("#1a9850", "#66bd63", "#a6d96a", "#fee08b", "#fdae61", "#f46d43", "#d73027"))


def _config(**extra: Any) -> dict[str, Any]:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 860, "height": 360,
            "legend_at_bottom": True, "legend_at_bottom_columns": 4, "truncate_label": 28,
            "x_label_rotation": 0, "print_values": False, "explicit_size": True, "margin": 12, "margin_bottom": 30,
            "spacing": 14, **extra}


def _short(name: str, size: int = 22) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"


def _svg(chart: Any) -> str:
    """The chart as an SVG data URI for an <img>: each chart keeps its own ids and styles (pygal reuses
    them across charts), and WeasyPrint draws it as vector graphics in the PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart.render(is_unicode=True).encode()).decode()


def _answered(result: ReportDocument) -> list[tuple[ReportStep, StepFigures]]:
    """The steps that walks answered on, with their figures."""
    return [(s, f) for s in result["steps"] if (f := s["figures"])]


def charts(result: ReportDocument) -> dict[str, str]:
    answered = _answered(result)
    names = [_short(s["name"]) for s, _ in answered]
    out: dict[str, str] = {}
    if result["fix_first"]:
        chart = pygal.HorizontalBar(**_config(height=60 + 42 * len(result["fix_first"]), show_legend=False,
                                              print_values=True, value_formatter=lambda v: f"{v:.2f}"))
        ranked = list(reversed(result["fix_first"]))
        chart.x_labels = [_short(f"{r['rank']}. {r['name']}", 34) for r in ranked]
        chart.add("Priority", [r["priority"] for r in ranked])
        out["fix_first"] = _svg(chart)

    chart = pygal.Bar(**_config(title="Friction index per step", value_formatter=lambda v: f"{v:.2f}"))
    chart.x_labels = names
    chart.add("This report", [f["friction_index"] for _, f in answered])
    trend = result["trend"]
    if trend:
        before = {row["step"]: row["friction_index"]["before"] for row in trend["rows"]}
        chart.add(f"Previous wave ({trend['wave']['name']})" if trend["wave"] else "Previous",
                  [before.get(s["id"]) for s, _ in answered])
    out["friction"] = _svg(chart)

    chart = pygal.StackedBar(**_config(style=OUTCOME_STYLE, title="Outcome of the walks (%)",
                                       range=(0, 100), value_formatter=lambda v: f"{v:.0f}%"))
    chart.x_labels = names
    outcomes: list[tuple[Literal["done", "done_with_help", "gave_up"], str]] = [
        ("done", "Done"), ("done_with_help", "Done with help"), ("gave_up", "Gave up")]
    for key, label in outcomes:
        chart.add(label, [_times(f[key], 100) for _, f in answered])
    out["outcomes"] = _svg(chart)

    chart = pygal.StackedBar(**_config(style=EFFORT_STYLE, title="Effort (1 very easy … 7 very hard): walks",
                                       legend_at_bottom_columns=7))
    chart.x_labels = names
    for value in range(7):
        chart.add(str(value + 1), [f["effort_distribution"][value] for _, f in answered])
    out["effort"] = _svg(chart)

    chart = pygal.Bar(**_config(title="Time on the step and waiting (minutes)",
                                value_formatter=lambda v: f"{v:.1f}"))
    chart.x_labels = names
    times: list[tuple[Literal["time_median", "time_p90", "wait_median", "wait_p90"], str]] = [
        ("time_median", "Time, median"), ("time_p90", "Time, p90"),
        ("wait_median", "Wait, median"), ("wait_p90", "Wait, p90")]
    for measure, label in times:
        chart.add(label, [_times(f[measure], 1 / 60) for _, f in answered])
    out["time"] = _svg(chart)

    heat = result["heatmap"]
    if heat["locations"]:
        chart = pygal.Dot(**_config(title="Friction index by step and location (larger: worse)",
                                    height=80 + 40 * len(heat["locations"]), show_legend=False,
                                    value_formatter=lambda v: f"{v:.2f}"))
        chart.x_labels = [_short(row["name"], 16) for row in heat["rows"]]
        for index, location in enumerate(heat["locations"]):
            cells = (row["cells"][index] for row in heat["rows"])
            chart.add(_short(location["name"], 20), [cell["friction_index"] if cell else None for cell in cells])
        out["heatmap"] = _svg(chart)

    tiers = result["tiers"]
    if tiers:
        chart = pygal.Bar(**_config(title="Friction index by tier", value_formatter=lambda v: f"{v:.2f}"))
        chart.x_labels = [_short(r["name"]) for r in tiers["rows"]]
        chart.add(tiers["low"]["tier"], [r["low"] and r["low"]["friction_index"] for r in tiers["rows"]])
        chart.add(tiers["high"]["tier"], [r["high"] and r["high"]["friction_index"] for r in tiers["rows"]])
        out["tiers"] = _svg(chart)

    perception = result["perception"]
    if perception:
        rows = perception["rows"]
        chart = pygal.Bar(**_config(title="Level: promised, expected by executives, delivered in the field (1–5)",
                                    range=(0, 5), value_formatter=lambda v: f"{v:.1f}"))
        chart.x_labels = [_short(r["name"]) for r in rows]
        chart.add("Promised", [r["promise_level"] for r in rows])
        chart.add("Executives expected", [r["expected_level"] for r in rows])
        chart.add("Field delivered", [r["delivered_level"] for r in rows])
        out["perception"] = _svg(chart)
    return out


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _data_uri(name: str) -> str | None:
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def _with_sources(card: FixFirstStep) -> dict[str, Any]:
    """A fix-first card whose photos carry their image (`src`, a data URI) for the page."""
    photos: list[EvidencePhoto] = card["photos"]
    return {**card, "photos": [{**p, "src": _data_uri(p["small"] or p["large"])} for p in photos]}


def html(result: ReportDocument) -> str:
    """The report page. Evidence photos are embedded (data URIs) so the page and its PDF stand alone."""
    return render_to_string("reports/report.html", {
        "r": result, "meta": result["meta"], "fix_first": [_with_sources(card) for card in result["fix_first"]],
        "charts": charts(result), "steps": [s for s, _ in _answered(result)],
    })


def write_pdf(page: str, target: IO[bytes]) -> None:
    from weasyprint import HTML  # imported here: it loads pango, which only the worker needs

    HTML(string=page, base_url=None).write_pdf(target)


# -- tables (XLSX, CSV) --------------------------------------------------------------------------------

Column = Callable[[ReportStep, StepFigures], Any]
STEP_COLUMNS: list[tuple[str, Column]] = [
    ("Stage", lambda s, f: s["stage"]), ("Step", lambda s, f: s["name"]), ("Channel", lambda s, f: s["channel"]),
    ("Promise level", lambda s, f: s["promise_level"]), ("Reach", lambda s, f: s["reach"]),
    ("Moment of truth", lambda s, f: "yes" if s["moment_of_truth"] else "no"),
    ("Walks", lambda s, f: f["walks"]), ("Walks with friction", lambda s, f: f["friction_walks"]),
    ("Share with friction", lambda s, f: f["friction_share"]), ("Severity total", lambda s, f: f["severity"]),
    ("Friction index", lambda s, f: f["friction_index"]), ("Priority (fix first)", lambda s, f: s["priority"]),
    ("Done", lambda s, f: f["done"]), ("Done with help", lambda s, f: f["done_with_help"]),
    ("Gave up", lambda s, f: f["gave_up"]), ("Effort median", lambda s, f: f["effort_median"]),
    ("Effort mean", lambda s, f: f["effort_mean"]),
    *[(f"Effort {v}", lambda s, f, v=v: f["effort_distribution"][v - 1]) for v in range(1, 8)],
    ("Time median (s)", lambda s, f: f["time_median"]), ("Time p90 (s)", lambda s, f: f["time_p90"]),
    ("Wait median (s)", lambda s, f: f["wait_median"]), ("Wait p90 (s)", lambda s, f: f["wait_p90"]),
    ("Delivered level mean", lambda s, f: f["delivered_mean"]), ("Value gap", lambda s, f: f["value_gap"]),
]
AUDIT_COLUMNS = ["Audit", "Location", "Persona tier", "Submitted", "Friction marks", "Severity total",
                 "Effort mean", "Steps given up", "Time on steps (s)", "Waited (s)", "Value gap mean"]


def step_table(result: ReportDocument) -> Iterator[list[Any]]:
    tags = [t["code"] for t in result["tags"]]
    yield [name for name, _ in STEP_COLUMNS] + [f"Share with {code}" for code in tags]
    for s, f in _answered(result):
        yield [get(s, f) for _, get in STEP_COLUMNS] + [tag["share"] if (tag := f["tags"].get(code)) else 0.0
                                                         for code in tags]


def audit_table(audits: QuerySet[Audit]) -> Iterator[list[Any]]:
    yield AUDIT_COLUMNS
    for row in audit_rows(audits):
        yield [str(row[0]), row[1] or "", row[2] or "", row[3].isoformat() if row[3] else "", *row[4:]]


def fix_first_table(result: ReportDocument) -> Iterator[list[Any]]:
    yield ["Rank", "Step", "Friction index", "Reach", "Moment of truth weight", "Priority", "Top frictions",
           "Auditors' notes"]
    for r in result["fix_first"]:
        yield [r["rank"], r["name"], r["friction_index"], r["reach"], r["weight"], r["priority"],
               ", ".join(f"{t['label']} ({t['share']:.0%})" for t in r["top_tags"]),
               " | ".join(q["text"] for q in r["quotes"])]


def heatmap_table(result: ReportDocument) -> Iterator[list[Any]]:
    heat = result["heatmap"]
    yield ["Step", *[loc["name"] for loc in heat["locations"]]]
    for row in heat["rows"]:
        yield [row["name"], *[cell["friction_index"] if cell else None for cell in row["cells"]]]


def write_xlsx(result: ReportDocument, audits: QuerySet[Audit], target: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, rows: Iterator[list[Any]], widths: dict[str, int] | None = None) -> None:
        ws = workbook.create_sheet(title)
        for letter, width in (widths or {}).items():
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        header = next(rows)
        cells = []
        for value in header:
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for row in rows:
            ws.append(row)

    sheet("Steps", step_table(result), {"A": 18, "B": 28})
    sheet("Fix first", fix_first_table(result), {"B": 28, "G": 40, "H": 60})
    sheet("Heat map", heatmap_table(result), {"A": 28})
    sheet("Audits", audit_table(audits), {"A": 38, "B": 22})
    methodology = iter([["Figure", "Definition"], *[[k, v] for k, v in METHODOLOGY]])
    sheet("Methodology", methodology, {"A": 28, "B": 120})
    workbook.save(target)


def write_csv_zip(result: ReportDocument, audits: QuerySet[Audit], target: IO[bytes]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (("steps.csv", step_table(result)), ("fix_first.csv", fix_first_table(result)),
                           ("heatmap.csv", heatmap_table(result)), ("audits.csv", audit_table(audits))):
            with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                writer = csv.writer(text)
                for row in rows:
                    writer.writerow(row)


METHODOLOGY: list[tuple[str, str]] = [
    ("Walk", "An approved field audit (kind: visit) in the report's scope. Drafts, walks in review and "
             "executives' self-audits are never counted as walks."),
    ("Walks (per step)", "Walks with at least one answer on the step."),
    ("Share with friction", "Walks with at least one friction mark on the step ÷ walks of the step."),
    ("Share with a friction tag", "Walks that marked the tag on the step ÷ walks of the step."),
    ("Friction index", "Sum of the severities of every friction mark on the step (1 annoyance, 2 obstacle, "
                       "3 blocker) ÷ (3 × walks of the step). 0: no friction; 1: on average one blocker per "
                       "walk; it can exceed 1 when walks meet several frictions on one step."),
    ("Outcome shares", "Done / done with help / gave up ÷ walks that answered the outcome of the step."),
    ("Effort", "Customer effort 1 (very easy) … 7 (very hard): the distribution counts walks per value; the "
               "median is the middle answer (the mean of the two middle answers for an even count); the mean "
               "is the average answer."),
    ("Time on the step, wait", "Stopwatch answers in seconds. Median as for effort; p90 is the nearest-rank "
                               "90th percentile: the answer at rank ⌈0.9 × n⌉ when answers are sorted."),
    ("Value gap", "Mean over walks of (delivered level − the step's promised level), both 1–5. Negative: the "
                  "step delivers less than it promises. Delivered level: the mean of the delivered-level answers."),
    ("Priority (fix first)", "Friction index × reach (the share of customers who pass the step, 0–1) × 1.5 "
                             "for a moment of truth (a peak or the end of the journey), else × 1. Steps are "
                             "ranked by it; ties keep the journey's order. Steps without friction are not "
                             "ranked."),
    ("Evidence", "Ready photos and auditors' notes of the step, those of the walks with the highest total "
                 "severity on the step first."),
    ("Heat map", "The friction index of each step computed over the walks of each location."),
    ("Trend", "The same figures over the approved walks of the previous wave of the same client and journey "
              "(the wave that started before this one); delta = this report − previous."),
    ("Tier gap", "Figures over the walks of the lowest persona tier (the ordinary customer, e.g. economy) "
                 "against the highest tier walked (e.g. first class); gap = lowest − highest."),
    ("Perception gap", "Executives' self-audits record an expected level and effort per step before walking. "
                       "Level gap = field delivered level (mean) − expected level (mean); effort gap = field "
                       "effort (mean) − expected effort (mean). Self-audits count when submitted within the "
                       "scope's dates."),
    ("Rounding", "Figures are computed exactly and rounded to 4 decimals in the data, fewer on the page."),
    ("Not used", "No Net Promoter Score or other single satisfaction number: only evidenced friction, effort, "
                 "time and outcomes."),
]
