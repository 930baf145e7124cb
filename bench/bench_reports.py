"""Friction reports against PostgreSQL: 10,000 approved walks of 40 responses each (plus a previous wave
of a fifth of that, for the trend, and executives' self-audits), then

- the data phase: the per-step figures through the ORM (audits.reports.aggregate.step_figures) beside one
  raw SQL aggregate of the same numbers (PostgreSQL's percentile_cont / percentile_disc) — goal: within 2×;
  and the whole result document (heat map, trend, tier gap, perception gap, evidence);
- the whole HTML report (data + page) — goal: under 10 s; the PDF from it — goal: under 30 s;
- a whole compile (HTML, PDF, XLSX and CSV with a row per walk) in a fresh process, and that process's
  peak memory (ru_maxrss) — goal: under 400 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/touchpoint_bench .venv/bin/python bench/bench_reports.py
    .venv/bin/python bench/bench_reports.py --audits 500      # a quick run

Uses its own database `touchpoint_bench_reports` on the server DATABASE_URL names (default: the local
PostgreSQL), dropped and made again on every run. Rows go in with COPY. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "touchpoint_bench_reports"
STEPS = 6                  # 6 steps × (outcome, effort, level, time, wait, friction) + 4 notes = 40 responses
NOTES_PER_WALK = 4
LOCATIONS = 12
GOALS = {"ratio": 2.0, "html": 10.0, "pdf": 30.0, "rss_mb": 400.0}


def bench_url() -> str:
    parsed = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("bench_reports runs against PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunparse(parsed._replace(path=f"/{BENCH_DB}"))


def setup_django(url: str, media: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["TOUCHPOINT_MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def timed(func, repeats: int = 1):
    runs, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = func()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), value


# -- data ----------------------------------------------------------------------------------------------

def copy_rows(table: str, columns: list[str], rows) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cursor, cursor.connection.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(audits: int, seed: int = 7) -> dict:
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from PIL import Image

    from accounts.models import Client, Membership, Organization, User
    from audits.models import ChecklistTemplate, ChecklistVersion, Item, Location, Section, Wave
    from journeys.models import FrictionTag, Journey, Persona, Stage, Step

    rng = random.Random(seed)
    org = Organization.objects.create(name="Bench", slug="bench")
    client = Client.objects.create(organization=org, name="Northwind Air")
    manager = User.objects.create_user("manager@bench.test", "pw-bench-123")
    Membership.objects.create(user=manager, organization=org, role="manager")
    auditors = [User.objects.create_user(f"auditor{i}@bench.test", "pw-bench-123") for i in range(40)]
    for user in auditors:
        Membership.objects.create(user=user, organization=org, role="auditor")
    journey = Journey.objects.create(organization=org, client=client, name="Fly with us")
    stages = [Stage.objects.create(organization=org, journey=journey, name=n, position=i)
              for i, n in enumerate(["Book", "Airport", "Flight"])]
    names = ["Find a fare", "Pay", "Check in", "Bag drop", "Security", "Boarding"]
    steps = [Step.objects.create(organization=org, journey=journey, stage=stages[i // 2], name=n, position=i,
                                 promise_level=3 + i % 3, reach=Decimal(str([1, .9, .85, .6, .95, .9][i])),
                                 moment_of_truth=n in ("Security", "Boarding")) for i, n in enumerate(names)]
    locations = [Location.objects.create(organization=org, client=client, name=f"Airport {chr(65 + i)}")
                 for i in range(LOCATIONS)]
    personas = [Persona.objects.create(organization=org, client=client, name="Economy", tier="economy",
                                       tier_rank=0, is_ordinary=True),
                Persona.objects.create(organization=org, client=client, name="First", tier="first", tier_rank=2)]
    template = ChecklistTemplate.objects.create(organization=org, client=client, journey=journey, name="Fly")
    version = ChecklistVersion.objects.create(organization=org, template=template, number=1, title="Fly",
                                              journey=journey)
    kinds = [("outcome", "outcome", {}), ("effort", "effort", {}), ("level", "delivered_level", {}),
             ("time", "duration", {"measure": "time_on_step"}), ("wait", "duration", {"measure": "wait"}),
             ("friction", "friction", {}), ("note", "text", {})]
    items = {}
    for i, step in enumerate(steps):
        section = Section.objects.create(organization=org, version=version, title=step.name, step=step, position=i)
        for j, (name, kind, options) in enumerate(kinds):
            items[(i, name)] = Item.objects.create(organization=org, version=version, section=section,
                                                   name=f"s{i}-{name}", label=name, kind=kind, step=step,
                                                   options=options, position=j)
    tags = list(FrictionTag.objects.filter(organization__isnull=True).values_list("pk", flat=True))
    today = dt.date(2026, 3, 1)
    waves = {
        "current": Wave.objects.create(organization=org, client=client, journey=journey, checklist_version=version,
                                       name="Spring", starts_on=today, ends_on=today + dt.timedelta(days=30),
                                       status="closed", created_by=manager),
        "previous": Wave.objects.create(organization=org, client=client, journey=journey,
                                        checklist_version=version, name="Winter",
                                        starts_on=today - dt.timedelta(days=90),
                                        ends_on=today - dt.timedelta(days=60), status="closed"),
    }
    photo_names = []
    for n in range(4):
        buffer = io.BytesIO()
        Image.new("RGB", (400, 300), (50 * n, 120, 160)).save(buffer, "JPEG")
        photo_names.append(default_storage.save(f"renditions/bench/{n}.jpg", ContentFile(buffer.getvalue())))

    now = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    plan = [("current", audits), ("previous", max(1, audits // 5))]
    visit_rows, audit_rows, response_rows, mark_rows, photo_rows = [], [], [], [], []
    for wave_key, count in plan:
        wave = waves[wave_key]
        for n in range(count):
            when = dt.datetime.combine(wave.starts_on, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(
                minutes=rng.randrange(60 * 24 * 28))
            location = rng.choice(locations)
            auditor = rng.choice(auditors)
            visit_id = len(visit_rows) + 1
            visit_rows.append((visit_id, org.pk, wave.pk, location.pk, auditor.pk, when - dt.timedelta(hours=1),
                               when + dt.timedelta(hours=2), "approved", "", now))
            audit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            persona = personas[0] if rng.random() < 0.8 else personas[1]
            audit_rows.append((audit_id, org.pk, "visit", visit_id, journey.pk, version.pk, persona.pk, location.pk,
                               auditor.pk, "approved", 1, "", when, when, when, "", False, "", now, now))
            bad = 1.0 + (location.pk % 4) * 0.25 + (0.5 if persona.tier_rank == 0 else 0)
            note_steps = set(rng.sample(range(STEPS), NOTES_PER_WALK))
            for i in range(STEPS):
                step = steps[i]
                harsh = bad * (0.5 + i * 0.2)
                roll = rng.random()
                outcome = "gave_up" if roll < 0.04 * harsh else "done_with_help" if roll < 0.2 * harsh else "done"
                effort = max(1, min(7, round(rng.gauss(2 + harsh, 1.3))))
                level = max(1, min(5, round(rng.gauss(step.promise_level - harsh / 2, 0.9))))
                spent = round(rng.lognormvariate(4 + i * 0.2, 0.6))
                waited = round(rng.expovariate(1 / (30 * harsh)))

                def response(name, value, number=None, text="", note="", _i=i, _step=step, _audit=audit_id):
                    rid = uuid.UUID(int=rng.getrandbits(128), version=4)
                    item = items[(_i, name)]
                    response_rows.append((rid, org.pk, _audit, item.pk, _step.pk, item.kind, json.dumps(value),
                                          number, text, note, now))
                    return rid

                response("outcome", outcome, text=outcome)
                response("effort", effort, number=effort)
                response("level", level, number=level)
                response("time", spent, number=spent)
                response("wait", waited, number=waited)
                marks = [t for t in rng.sample(tags, 2) if rng.random() < 0.18 * harsh]
                friction_id = response("friction", [{"tag": t} for t in marks])
                for tag in marks:
                    mark_rows.append((org.pk, audit_id, friction_id, step.pk, tag,
                                      min(3, 1 + int(rng.random() * harsh * 1.4))))
                if i in note_steps:
                    text = rng.choice(["Nobody at the desk.", "The screen froze twice.", "Had to ask again.",
                                       "Queue out of the door.", "Friendly, but slow.", "Could not find the sign."])
                    response("note", text, text=text)
                if wave_key == "current" and marks and n % 25 == 0:
                    photo_rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), org.pk, audit_id, step.pk,
                                       "0" * 64, "private/x", "image/jpeg", 1, 400, 300, "Evidence", "ready",
                                       photo_names[n % 4], photo_names[n % 4], 0, "", now, now))
            # 4 notes + 6 × 6 answers = 40 responses per walk
    copy_rows("audits_visit", ["id", "organization_id", "wave_id", "location_id", "auditor_id", "window_start",
                               "window_end", "status", "review_comment", "updated_at"], visit_rows)
    copy_rows("audits_audit", ["id", "organization_id", "kind", "visit_id", "journey_id", "checklist_version_id",
                               "persona_id", "location_id", "auditor_id", "state", "revision", "body_sha256",
                               "started_at", "submitted_at", "approved_at", "checkin_position_status",
                               "checkin_flagged", "review_comment", "created_at", "updated_at"], audit_rows)
    copy_rows("audits_response", ["id", "organization_id", "audit_id", "item_id", "step_id", "kind", "value",
                                  "number", "text", "note", "updated_at"], response_rows)
    copy_rows("audits_frictionmark", ["organization_id", "audit_id", "response_id", "step_id", "tag_id", "severity"],
              mark_rows)
    copy_rows("audits_photo", ["id", "organization_id", "audit_id", "step_id", "sha256", "original", "content_type",
                               "size", "width", "height", "caption", "state", "large", "small", "attempts", "error",
                               "created_at", "updated_at"], photo_rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('audits_visit', 'id'), "
                       "(SELECT max(id) FROM audits_visit))")
    # Executives' self-audits: what they expect of each step.
    from audits.models import Audit, Expectation

    for e in range(20):
        audit = Audit.objects.create(organization=org, kind="self", journey=journey, checklist_version=version,
                                     persona=personas[0], auditor=manager, state="submitted",
                                     submitted_at=dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
                                     + dt.timedelta(days=e))
        Expectation.objects.bulk_create([Expectation(organization=org, audit=audit, step=s,
                                                     level=min(5, s.promise_level + rng.choice([0, 0, 1])),
                                                     effort=rng.choice([1, 2, 2, 3])) for s in steps])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"org": org, "manager": manager, "wave": waves["current"], "responses": len(response_rows),
            "marks": len(mark_rows), "walks": len(audit_rows)}


# -- the raw SQL baseline ------------------------------------------------------------------------------

RAW_STEPS = """
SELECT r.step_id,
  COUNT(DISTINCT r.audit_id),
  COUNT(*) FILTER (WHERE r.kind = 'outcome' AND r.text IN ('done', 'done_with_help', 'gave_up')),
  COUNT(*) FILTER (WHERE r.kind = 'outcome' AND r.text = 'done'),
  COUNT(*) FILTER (WHERE r.kind = 'outcome' AND r.text = 'done_with_help'),
  COUNT(*) FILTER (WHERE r.kind = 'outcome' AND r.text = 'gave_up'),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number IS NOT NULL),
  AVG(r.number) FILTER (WHERE r.kind = 'effort'),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY r.number) FILTER (WHERE r.kind = 'effort'),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 1),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 2),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 3),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 4),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 5),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 6),
  COUNT(*) FILTER (WHERE r.kind = 'effort' AND r.number = 7),
  COUNT(*) FILTER (WHERE r.kind = 'delivered_level' AND r.number IS NOT NULL),
  AVG(r.number) FILTER (WHERE r.kind = 'delivered_level'),
  AVG(r.number - s.promise_level) FILTER (WHERE r.kind = 'delivered_level'),
  COUNT(*) FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'time_on_step' AND r.number IS NOT NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY r.number)
    FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'time_on_step'),
  percentile_disc(0.9) WITHIN GROUP (ORDER BY r.number)
    FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'time_on_step'),
  COUNT(*) FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'wait' AND r.number IS NOT NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY r.number)
    FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'wait'),
  percentile_disc(0.9) WITHIN GROUP (ORDER BY r.number)
    FILTER (WHERE r.kind = 'duration' AND i.options ->> 'measure' = 'wait')
FROM audits_response r
JOIN audits_audit a ON a.id = r.audit_id
JOIN audits_visit v ON v.id = a.visit_id
JOIN audits_item i ON i.id = r.item_id
JOIN journeys_step s ON s.id = r.step_id
WHERE a.organization_id = %(org)s AND a.journey_id = %(journey)s AND a.kind = 'visit' AND a.state = 'approved'
  AND v.wave_id = %(wave)s AND r.step_id IS NOT NULL
GROUP BY r.step_id
"""
RAW_FRICTION = """
SELECT m.step_id, m.tag_id, COUNT(DISTINCT m.audit_id), SUM(m.severity), COUNT(*)
FROM audits_frictionmark m JOIN audits_audit a ON a.id = m.audit_id JOIN audits_visit v ON v.id = a.visit_id
WHERE a.organization_id = %(org)s AND a.journey_id = %(journey)s AND a.kind = 'visit' AND a.state = 'approved'
  AND v.wave_id = %(wave)s AND m.step_id IS NOT NULL
GROUP BY ROLLUP (m.step_id, m.tag_id)
"""


def raw_sql(params: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_STEPS, params)
        steps = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(RAW_FRICTION, params)
        friction = cursor.fetchall()
    return {"steps": steps, "friction": friction}


# -- the compile, in a fresh process (for its peak memory) --------------------------------------------

def compile_child(report_id: int) -> None:
    from audits.models import Report
    from audits.reports import render
    from audits.reports.aggregate import build
    from audits.reports.compile import report_compile
    from audits.reports.scope import Scope

    report = Report.objects.get(pk=report_id)
    scope = Scope.from_json(report.organization_id, report.scope)
    figures = {}
    figures["data"], result = timed(lambda: build(scope))
    result["meta"] = {"report_id": report.pk, "number": 1, "data_version": report.data_version, "title": report.title,
                      "client": "Northwind Air", "journey": "Fly with us", "scope_text": "bench",
                      "generated_at": "now", "methodology": render.METHODOLOGY}
    figures["page"], page = timed(lambda: render.html(result))
    with tempfile.TemporaryFile() as fh:
        figures["pdf"], _ = timed(lambda: render.write_pdf(page, fh))
        figures["pdf_bytes"] = fh.tell()
    figures["compile"], done = timed(lambda: report_compile(report_id=report_id))
    figures["state"] = done.state if done else "no-op"
    figures["error"] = done.error if done else ""
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, default=10_000, help="approved walks in the reported wave")
    parser.add_argument("--compile-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_url()
    media = os.environ.get("BENCH_MEDIA") or tempfile.mkdtemp(prefix="bench-reports-")
    if args.compile_child:
        setup_django(url, media)
        compile_child(args.compile_child)
        return 0

    recreate_database(url)
    setup_django(url, media)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from audits.reports.aggregate import step_figures
    from audits.reports.requests import report_request, report_scope

    print(f"friction reports: {args.audits:,} approved walks × 40 responses, PostgreSQL database {BENCH_DB}")
    seconds, data = timed(lambda: generate(args.audits))
    print(f"  generated {data['walks']:,} walks, {data['responses']:,} responses, {data['marks']:,} friction "
          f"marks in {seconds:.1f} s (COPY)")

    scope = report_scope(user=data["manager"], wave=data["wave"])
    audits = scope.field_audits()
    params = {"org": scope.organization_id, "journey": scope.journey_id, "wave": scope.wave_id}
    raw_sql(params)  # warm the cache for both
    t_raw, raw = timed(lambda: raw_sql(params), repeats=3)
    t_orm, orm = timed(lambda: step_figures(audits), repeats=3)
    agree = all(
        orm[(step_id,)]["walks"] == row[1] and orm[(step_id,)]["effort_median"] == row[8]
        and orm[(step_id,)]["time_median"] == row[20] and orm[(step_id,)]["time_p90"] == row[21]
        and orm[(step_id,)]["wait_p90"] == row[24]
        for step_id, row in raw["steps"].items())
    ratio = t_orm / t_raw
    print(f"  per-step figures, ORM (in the database)   {t_orm:7.3f} s   (median of 3)")
    print(f"  per-step figures, raw SQL aggregate       {t_raw:7.3f} s   ratio {ratio:.2f}× (goal ≤ {GOALS['ratio']}×)"
          f"; figures {'agree' if agree else 'DIFFER'}")

    t_request, (report, _) = timed(lambda: report_request(user=data["manager"], scope=scope, enqueue=False))
    print(f"  POST /reports: scope check + data fingerprint {t_request:5.3f} s   (the 202 answer waits for it)")
    child = subprocess.run([sys.executable, __file__, "--compile-child", str(report.pk)], cwd=ROOT, check=True,
                           capture_output=True, text=True, env={**os.environ, "BENCH_MEDIA": media})
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    html = figures["data"] + figures["page"]
    print(f"  data phase (whole result document)        {figures['data']:7.3f} s")
    print(f"  whole HTML report (data + page)           {html:7.3f} s   (goal < {GOALS['html']:.0f} s)")
    print(f"  PDF from that page (WeasyPrint)           {figures['pdf']:7.3f} s   (goal < {GOALS['pdf']:.0f} s; "
          f"{figures['pdf_bytes'] / 1024:.0f} KB)")
    print(f"  whole compile (HTML, PDF, XLSX, CSV)      {figures['compile']:7.3f} s   state {figures['state']}")
    print(f"  peak memory of the compiling process      {figures['rss_mb']:7.0f} MB  (goal < {GOALS['rss_mb']:.0f} MB)")
    missed = [name for name, ok in (("ratio", ratio <= GOALS["ratio"]), ("html", html < GOALS["html"]),
                                    ("pdf", figures["pdf"] < GOALS["pdf"]),
                                    ("rss", figures["rss_mb"] < GOALS["rss_mb"]),
                                    ("figures agree", agree), ("ready", figures["state"] == "ready")) if not ok]
    print("  all goals met" if not missed else f"  MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
