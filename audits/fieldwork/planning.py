"""Planning: locations, waves and visits — one by one, or many from a CSV where every bad row is
reported and nothing is created unless every row is good."""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.access import Action, may, role_may
from accounts.errors import Conflict, FieldErrors, ValidationFailed
from accounts.models import Client, Membership, User
from audits.models import ChecklistVersion, Location, Scenario, Visit, VisitStatus, Wave, WaveStatus
from journeys.models import Journey, Persona

CSV_COLUMNS = ("location", "auditor", "window_start", "window_end")


def _auditor_problem(*, wave: Wave, auditor: User | None) -> str | None:
    if auditor is None:
        return None
    return None if may(auditor, wave.organization_id, Action.WALK_VISITS) else "Not an auditor of this organization."


def _visit_problems(*, wave: Wave, location: Location | None, scenario: Scenario | None,
                    window_start: datetime | None, window_end: datetime | None) -> FieldErrors:
    errors: FieldErrors = {}
    if location is None:
        errors["location"] = ["Not a location of this organization."]
    elif location.organization_id != wave.organization_id or location.client_id != wave.client_id:
        errors["location"] = ["Not a location of this wave's client."]
    if scenario is not None and scenario.organization_id != wave.organization_id:
        errors["scenario"] = ["Belongs to another organization."]
    if window_start is None:
        errors["window_start"] = ["A date and time (ISO 8601) is required."]
    if window_end is None:
        errors["window_end"] = ["A date and time (ISO 8601) is required."]
    if window_start and window_end and window_end <= window_start:
        errors["window_end"] = ["Must be after the start of the window."]
    if wave.status == WaveStatus.CLOSED:
        errors["wave"] = ["This wave is closed."]
    return errors


@transaction.atomic
def visit_create(*, wave: Wave, location: Location, auditor: User | None, window_start: datetime,
                 window_end: datetime, scenario: Scenario | None = None) -> Visit:
    errors = _visit_problems(wave=wave, location=location, scenario=scenario, window_start=window_start,
                             window_end=window_end)
    problem = _auditor_problem(wave=wave, auditor=auditor)
    if problem:
        errors["auditor"] = [problem]
    if errors:
        raise ValidationFailed.from_fields(errors)
    return Visit.objects.create(organization_id=wave.organization_id, wave=wave, location=location,
                                scenario=scenario, auditor=auditor, window_start=window_start,
                                window_end=window_end)


@transaction.atomic
def visit_update(*, visit: Visit, **changes: Any) -> Visit:
    """Reschedule or reassign a visit that has not been walked yet."""
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS):
        raise Conflict("Only a scheduled visit can be changed.", code="visit_not_editable")
    values = {name: changes.get(name, getattr(visit, name)) for name in
              ("location", "scenario", "auditor", "window_start", "window_end")}
    errors = _visit_problems(wave=visit.wave, location=values["location"], scenario=values["scenario"],
                             window_start=values["window_start"], window_end=values["window_end"])
    problem = _auditor_problem(wave=visit.wave, auditor=values["auditor"])
    if problem:
        errors["auditor"] = [problem]
    if errors:
        raise ValidationFailed.from_fields(errors)
    fields = [name for name in values if name in changes]
    for name in fields:
        setattr(visit, name, values[name])
    visit.save(update_fields=[*fields, "updated_at"])
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit) -> Visit:
    if visit.status in (VisitStatus.APPROVED, VisitStatus.CANCELLED):
        raise Conflict("This visit is already finished.", code="visit_not_editable")
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status", "updated_at"])
    return visit


@dataclass
class ImportResult:
    created: list[Visit]


def _parse_when(text: str, tz: tzinfo) -> datetime | None:
    value = parse_datetime((text or "").strip())
    if value is None:
        return None
    return timezone.make_aware(value, tz) if timezone.is_naive(value) else value


@transaction.atomic
def visits_import_csv(*, wave: Wave, text: str) -> ImportResult:
    """Rows of `location, auditor, window_start, window_end` (optional `scenario`): a location by name
    or id, an auditor by e-mail, windows in ISO 8601 (without an offset: the location's time zone).
    Every bad row is named (`rows.<line>.<column>`); one bad row and nothing is created."""
    if wave.status == WaveStatus.CLOSED:
        raise ValidationFailed.field("wave", "This wave is closed.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        message = f"The CSV needs the columns: {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})."
        raise ValidationFailed.field("file", message)
    reader.fieldnames = header
    rows = list(reader)
    if not rows:
        raise ValidationFailed.field("file", "The CSV has no rows.")

    locations = list(Location.objects.filter(organization_id=wave.organization_id, client_id=wave.client_id))
    by_name = {loc.name.strip().lower(): loc for loc in locations}
    by_id = {str(loc.pk): loc for loc in locations}
    members = {m.user.email.lower(): m for m in Membership.objects.filter(
        organization_id=wave.organization_id).select_related("user")}
    scenarios = {s.title.strip().lower(): s for s in Scenario.objects.filter(organization_id=wave.organization_id)}

    errors: FieldErrors = {}
    visits: list[Visit] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        def fail(column: str, message: str, line: int = line) -> None:
            errors.setdefault(f"rows.{line}.{column}", []).append(message)

        key = (row.get("location") or "").strip()
        location = by_id.get(key) or by_name.get(key.lower())
        if location is None:
            fail("location", f'No location "{key}" for this client.')
        email = (row.get("auditor") or "").strip().lower()
        membership = members.get(email)
        if membership is None or not role_may(membership.role, Action.WALK_VISITS):
            fail("auditor", f'"{email}" is not an auditor of this organization.')
        scenario = None
        if (row.get("scenario") or "").strip():
            scenario = scenarios.get(row["scenario"].strip().lower())
            if scenario is None:
                fail("scenario", f'No scenario "{row["scenario"].strip()}".')
        try:
            tz = zoneinfo.ZoneInfo(location.timezone if location else "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        start = _parse_when(row.get("window_start", ""), tz)
        end = _parse_when(row.get("window_end", ""), tz)
        if start is None:
            fail("window_start", "A date and time (ISO 8601) is required.")
        if end is None:
            fail("window_end", "A date and time (ISO 8601) is required.")
        if start and end and end <= start:
            fail("window_end", "Must be after the start of the window.")
        if location is not None and membership is not None and start and end and end > start:
            visits.append(Visit(organization_id=wave.organization_id, wave=wave, location=location,
                                scenario=scenario, auditor=membership.user, window_start=start, window_end=end))
    if errors:
        count = len({name.split(".")[1] for name in errors})
        raise ValidationFailed.from_fields(
            errors, message=f"{count} row(s) of the CSV have errors; nothing was created.")
    return ImportResult(created=Visit.objects.bulk_create(visits))


@transaction.atomic
def wave_close(*, wave: Wave) -> Wave:
    """Closing a wave ends its fieldwork: visits not walked are cancelled."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status == WaveStatus.CLOSED:
        return wave
    Visit.objects.filter(wave=wave, status__in=[VisitStatus.SCHEDULED]).update(
        status=VisitStatus.CANCELLED, updated_at=timezone.now())
    wave.status = WaveStatus.CLOSED
    wave.closed_at = timezone.now()
    wave.save(update_fields=["status", "closed_at", "updated_at"])
    return wave


def wave_problems(*, client: Client, journey: Journey, checklist_version: ChecklistVersion, persona: Persona | None,
                  starts_on: date | None, ends_on: date | None) -> FieldErrors:
    """What is wrong with a wave's parts (all visible to the writer already)."""
    errors: FieldErrors = {}
    org_id = client.organization_id
    if journey.organization_id != org_id or journey.client_id != client.pk:
        errors["journey"] = ["Not a journey of this client."]
    if checklist_version.organization_id != org_id:
        errors["checklist_version"] = ["Belongs to another organization."]
    elif checklist_version.journey_id and checklist_version.journey_id != journey.pk:
        errors["checklist_version"] = ["This checklist version is for another journey."]
    if persona is not None and persona.organization_id != org_id:
        errors["persona"] = ["Belongs to another organization."]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = ["Must not be before the start."]
    return errors
