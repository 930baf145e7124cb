"""What a report covers. A scope is a wave, or a filter (client, journey, locations, period, persona); it
names the approved field walks the report counts, the self-audits it compares them with, and the wave
before it (for the trend). `fingerprint()` summarises the input data so the same scope over the same data
is recognised as the same report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from django.db.models import Count, Max, QuerySet, Sum

from audits.models import (
    Audit,
    AuditKind,
    AuditState,
    Expectation,
    FrictionMark,
    Photo,
    PhotoState,
    Response,
    Wave,
)
from journeys.models import Step

#: Bump when the compile changes what it computes: the same data then gives a new report version.
COMPILER_VERSION = 1


class ReportScope(TypedDict):
    """A scope as `Report.scope` stores it (ids; dates in ISO; null where the scope does not narrow)."""

    client: int
    journey: int
    wave: int | None
    locations: list[int]
    period_from: str | None
    period_to: str | None
    persona: int | None


@dataclass(frozen=True)
class Scope:
    organization_id: int
    client_id: int
    journey_id: int
    wave_id: int | None = None
    location_ids: tuple[int, ...] = field(default_factory=tuple)
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    persona_id: int | None = None

    # -- identity --------------------------------------------------------------------------------------
    def as_json(self) -> ReportScope:
        return {
            "client": self.client_id,
            "journey": self.journey_id,
            "wave": self.wave_id,
            "locations": sorted(self.location_ids),
            "period_from": self.period_from.isoformat() if self.period_from else None,
            "period_to": self.period_to.isoformat() if self.period_to else None,
            "persona": self.persona_id,
        }

    @classmethod
    def from_json(cls, organization_id: int, data: ReportScope) -> Scope:
        def date(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        return cls(organization_id=organization_id, client_id=data["client"], journey_id=data["journey"],
                   wave_id=data.get("wave"), location_ids=tuple(sorted(data.get("locations") or ())),
                   period_from=date(data.get("period_from")), period_to=date(data.get("period_to")),
                   persona_id=data.get("persona"))

    def key(self) -> str:
        canonical = json.dumps({"org": self.organization_id, **self.as_json()}, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    # -- the rows it covers ----------------------------------------------------------------------------
    def wave(self) -> Wave | None:
        return Wave.objects.filter(pk=self.wave_id).first() if self.wave_id else None

    def _dates(self) -> tuple[dt.date | None, dt.date | None]:
        wave = self.wave()
        if wave is not None:
            return wave.starts_on, wave.ends_on
        return self.period_from, self.period_to

    def field_audits(self) -> QuerySet[Audit]:
        """Approved field walks: the only audits whose figures a report counts."""
        qs = Audit.objects.filter(organization_id=self.organization_id, journey_id=self.journey_id,
                                  kind=AuditKind.VISIT, state=AuditState.APPROVED)
        if self.wave_id:
            qs = qs.filter(visit__wave_id=self.wave_id)
        else:
            if self.period_from:
                qs = qs.filter(submitted_at__date__gte=self.period_from)
            if self.period_to:
                qs = qs.filter(submitted_at__date__lte=self.period_to)
        if self.location_ids:
            qs = qs.filter(location_id__in=self.location_ids)
        if self.persona_id:
            qs = qs.filter(persona_id=self.persona_id)
        return qs

    def self_audits(self) -> QuerySet[Audit]:
        """Executives' self-audits of the same journey, submitted within the scope's dates (all when open)."""
        qs = Audit.objects.filter(organization_id=self.organization_id, journey_id=self.journey_id,
                                  kind=AuditKind.SELF, state__in=[AuditState.SUBMITTED, AuditState.APPROVED])
        start, end = self._dates()
        if start:
            qs = qs.filter(submitted_at__date__gte=start)
        if end:
            qs = qs.filter(submitted_at__date__lte=end)
        return qs

    def previous(self) -> Scope | None:
        """The wave of the same client and journey before this one (or before the period's start)."""
        wave = self.wave()
        waves = Wave.objects.filter(organization_id=self.organization_id, client_id=self.client_id,
                                    journey_id=self.journey_id)
        if wave is not None:
            waves = waves.filter(starts_on__lt=wave.starts_on)
        elif self.period_from:
            waves = waves.filter(ends_on__lt=self.period_from)
        else:
            return None
        previous = waves.order_by("-starts_on", "-id").first()
        if previous is None:
            return None
        return replace(self, wave_id=previous.pk, period_from=None, period_to=None)

    # -- fingerprint -----------------------------------------------------------------------------------
    def fingerprint(self) -> tuple[str, int]:
        """(a hash of everything the figures depend on, the number of field walks). Aggregates only."""
        parts: list[Any] = [COMPILER_VERSION, self.as_json()]
        scopes = [self, self.previous()]
        for scope in scopes:
            if scope is None:
                parts.append(None)
                continue
            audits = scope.field_audits()
            parts.append(audits.aggregate(n=Count("pk"), u=Max("updated_at"), a=Max("approved_at")))
            parts.append(Response.objects.filter(audit__in=audits).aggregate(n=Count("pk"), u=Max("updated_at")))
            parts.append(FrictionMark.objects.filter(audit__in=audits).aggregate(
                n=Count("pk"), s=Sum("severity"), m=Max("pk")))
            parts.append(Photo.objects.filter(audit__in=audits, state=PhotoState.READY).aggregate(
                n=Count("pk"), u=Max("updated_at")))
        selfs = self.self_audits()
        parts.append(selfs.aggregate(n=Count("pk"), u=Max("updated_at")))
        parts.append(Expectation.objects.filter(audit__in=selfs).aggregate(
            n=Count("pk"), s=Sum("level"), e=Sum("effort"), m=Max("pk")))
        parts.append(list(Step.objects.filter(journey_id=self.journey_id).values_list(
            "pk", "name", "stage_id", "position", "promise_level", "reach", "moment_of_truth", "archived")))
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
        walks = parts[2]["n"]
        return digest, walks
