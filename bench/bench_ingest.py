"""Ingest: `PUT /api/v1/audits/{uuid}` of an audit with 40 responses through gunicorn against PostgreSQL,
16 concurrent clients (threads, one keep-alive http.client connection each), beside a trivial JSON endpoint
on the same server as the ceiling: `GET /api/v1/me` (token auth plus the user's memberships: two small
queries, the cheapest authenticated answer the API has).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/touchpoint_bench .venv/bin/python bench/bench_ingest.py

Starts gunicorn (deploy/gunicorn.conf.py: gthread workers) on 127.0.0.1:8931 (`--port`), on a database of
its own (created if missing, migrated, left in place), and stops it at the end. Each phase is bounded by a
request count and a time limit. Goals (issue 4): at least 25% of the ceiling's requests per second, p95
under 100 ms. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/touchpoint_bench"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
SCRATCH = tempfile.mkdtemp(prefix="touchpoint-bench-")
os.environ.setdefault("TOUCHPOINT_VAR_DIR", SCRATCH)

CLIENTS = 16
STEPS, ITEMS_PER_STEP = 10, 4  # 40 items: outcome, effort, friction and a wait per step


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench_ingest measures PostgreSQL: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> dict:
    """Migrate, then an organization with 16 auditors (tokens) and a 40-item published checklist."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from accounts.models import Client, Membership, Organization, User
    from audits.models import ChecklistTemplate, ChecklistVersion, Item, Section
    from journeys.models import Journey, Stage, Step

    org, _ = Organization.objects.get_or_create(slug="bench-ingest", defaults={"name": "Bench ingest"})
    client, _ = Client.objects.get_or_create(organization=org, name="Bench brand")
    journey = Journey.objects.filter(organization=org, name="Bench journey").first()
    if journey is None:
        journey = Journey.objects.create(organization=org, client=client, name="Bench journey")
        stage = Stage.objects.create(organization=org, journey=journey, name="All", position=0)
        template = ChecklistTemplate.objects.create(organization=org, client=client, journey=journey, name="Bench")
        version = ChecklistVersion.objects.create(organization=org, template=template, number=1, title="Bench",
                                                  journey=journey)
        for s in range(STEPS):
            step = Step.objects.create(organization=org, journey=journey, stage=stage, name=f"Step {s}", position=s)
            section = Section.objects.create(organization=org, version=version, title=step.name, step=step,
                                             position=s)
            for i, (kind, options) in enumerate([("outcome", {}), ("effort", {}), ("friction", {}),
                                                  ("duration", {"measure": "wait"})]):
                Item.objects.create(organization=org, version=version, section=section, name=f"s{s}_{kind}",
                                    label=kind, kind=kind, required=kind in ("outcome", "effort"), step=step,
                                    options=options, position=i)
    version = ChecklistVersion.objects.get(journey=journey)
    items = list(Item.objects.filter(version=version).order_by("section__position", "position"))
    tokens = []
    for n in range(CLIENTS):
        user = User.objects.filter(email=f"bench{n}@bench.test").first() or User.objects.create_user(
            f"bench{n}@bench.test", None)
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "auditor"})
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    values = {"outcome": "done_with_help", "effort": 5, "friction": [{"tag": "long_wait", "severity": 2}],
              "duration": 420}
    template = {"organization": org.pk, "visit": None, "journey": journey.pk, "checklist_version": version.pk,
                "persona": None, "kind": "visit", "revision": 1, "state": "draft",
                "started_at": "2026-11-23T09:00:00Z", "submitted_at": None,
                "checkin": {"at": "2026-11-23T09:01:00Z", "latitude": 52.23, "longitude": 21.01, "accuracy_m": 12,
                            "position_status": "ok"},
                "responses": [{"item": item.pk, "value": values[item.kind], "detail": None, "note": ""}
                              for item in items],
                "expectations": []}
    return {"tokens": tokens, "template": template}


def audit_body(template: dict) -> str:
    body = dict(template)
    body["responses"] = [{**r, "id": str(uuid.uuid4())} for r in template["responses"]]
    return json.dumps(body)


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {port}")


def run_phase(port: int, tokens: list[str], make_request, total: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + seconds

    def client(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        while time.monotonic() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            method, path, body = make_request(number)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = response_body = conn.getresponse()
            response_body.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(tokens[i % len(tokens)],)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "per_second": len(latencies) / wall,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000, "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--requests", type=int, default=1500, help="per phase, at most")
    parser.add_argument("--seconds", type=float, default=20, help="per phase, at most")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    data = prepare()
    env = {**os.environ, "PORT": str(args.port)}
    log = open(Path(os.environ["TOUCHPOINT_VAR_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{args.port}",
         "--access-logfile", "/dev/null", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        wait_for(args.port)
        # Bodies are made before the clock starts: the clients share the server's two cores.
        puts = [(f"/api/v1/audits/{uuid.uuid4()}", audit_body(data["template"])) for _ in range(args.requests + 100)]
        warm = run_phase(args.port, data["tokens"], lambda n: ("GET", "/api/v1/me", None), 200, 10)
        assert warm["statuses"] == {200: warm["requests"]}, warm
        run_phase(args.port, data["tokens"], lambda n: ("PUT", *puts[args.requests + n]), 100, 10)
        ceiling = run_phase(args.port, data["tokens"], lambda n: ("GET", "/api/v1/me", None), args.requests,
                            args.seconds)
        ingest = run_phase(args.port, data["tokens"], lambda n: ("PUT", *puts[n]), args.requests, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(SCRATCH, ignore_errors=True)
    workers = os.environ.get("WEB_CONCURRENCY", "the config's default")
    print(f"gunicorn gthread on 127.0.0.1:{args.port} (workers: {workers}), PostgreSQL "
          f"{urlparse(os.environ['DATABASE_URL']).path.lstrip('/')}, {CLIENTS} concurrent clients, "
          f"{os.cpu_count()} CPUs shared with the clients")
    print(f"{'endpoint':<40}{'requests':>9}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for label, result in (("GET /api/v1/me (ceiling)", ceiling), ("PUT /api/v1/audits/{id}, 40 responses", ingest)):
        print(f"{label:<40}{result['requests']:>9}{result['per_second']:>9.1f}{result['p50_ms']:>9.1f}"
              f"{result['p95_ms']:>9.1f}  {result['statuses']}")
    share = ingest["per_second"] / ceiling["per_second"]
    print(f"ingest: {ingest['per_second']:.1f} audits/s = {share:.0%} of the ceiling (goal >= 25%), "
          f"p95 {ingest['p95_ms']:.0f} ms (goal < 100 ms)")
    ok = share >= 0.25 and ingest["p95_ms"] < 100 and set(ingest["statuses"]) == {201}
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
