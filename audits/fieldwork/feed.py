"""The sync feed, behind `GET /api/v1/sync`: what changed for one user in one organization since a cursor.

A selector: it reads, in a constant number of queries, and answers rows (`SyncFeed`) that the API serialises
with `audits.api.fieldwork.SyncFeedSerializer`, the one description of the feed on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q
from django.utils import timezone

from accounts.access import Action, role_may
from accounts.models import Membership, User
from accounts.tenancy import TenantQuerySet
from audits.checklists.selectors import latest_version_ids, version_documents
from audits.fieldwork.cursors import decode_cursor, encode_cursor
from audits.fieldwork.visibility import seen_through
from audits.models import Audit, ChecklistVersion, Location, Photo, Scenario, Visit, VisitStatus, Wave
from journeys.models import FrictionTag, Journey, Persona
from journeys.selectors import journey_documents

Rows = TypeVar("Rows", bound=TenantQuerySet)


@dataclass(frozen=True)
class SyncFeed:
    """One answer of the feed. Journeys and checklist versions are prefetched for their documents (the
    journeys' and checklists' API shapes); audits and photos carry only their id, revision or hash, and state."""

    cursor: str
    visits: list[Visit]
    journeys: list[Journey]
    checklist_versions: list[ChecklistVersion]
    scenarios: list[Scenario]
    locations: list[Location]
    personas: list[Persona]
    friction_tags: list[FrictionTag]
    audits: list[Audit]
    photos: list[Photo]


def sync_feed(*, user: User, membership: Membership, since: str | None) -> SyncFeed:
    """What changed for `user` in the membership's organization since the cursor: their visits (and the
    journeys, checklist versions, scenarios and locations those need), personas and friction tags, and
    the server's state of each of their audits and photos. Those who may self-audit (executives, managers,
    owners) also get every journey with a published checklist."""
    now = timezone.now()
    after = decode_cursor(since)
    org_id = membership.organization_id

    def changed(rows: Rows) -> Rows:
        return rows if after is None else rows.filter(updated_at__gte=after)

    def seen(rows: Rows) -> Rows:
        return seen_through(rows, membership)

    mine = seen(Visit.objects.all()).filter(auditor=user)
    visits = list(mine.select_related("wave")
                  .filter(Q(pk__in=changed(mine).values("pk")) | Q(wave__in=changed(seen(Wave.objects.all()))
                                                                   .values("pk")))
                  .order_by("window_start", "pk"))
    new_visits = visits if after is None else [v for v in visits if v.updated_at >= after]
    open_visits = mine.exclude(status__in=[VisitStatus.APPROVED, VisitStatus.CANCELLED])

    latest = latest_version_ids(org_id)
    journey_ids = {v.wave.journey_id for v in new_visits}
    visit_versions = {v.wave.checklist_version_id for v in new_visits}
    version_ids = set(visit_versions)
    journeys = seen(Journey.objects.all())
    if role_may(membership.role, Action.SELF_AUDIT):
        wanted = Q(pk__in=journey_ids) | Q(pk__in=latest)
        journeys = journeys.filter(wanted if after is None else (Q(pk__in=journey_ids) | Q(
            pk__in=latest, updated_at__gte=after)))
        version_ids |= set(latest.values())
        if after is not None:  # versions are immutable: only those published since are new
            version_ids = version_ids - set(ChecklistVersion.objects.filter(
                pk__in=version_ids - visit_versions, published_at__lt=after).values_list("pk", flat=True))
    else:
        journeys = journeys.filter(Q(pk__in=journey_ids) | Q(
            pk__in=open_visits.values("wave__journey_id"), **({} if after is None else {"updated_at__gte": after})))
    versions = seen(ChecklistVersion.objects.all()).filter(pk__in=version_ids)

    scenario_ids = {v.scenario_id for v in visits if v.scenario_id}
    scenarios = changed(seen(Scenario.objects.all())).filter(
        Q(pk__in=scenario_ids) | Q(pk__in=open_visits.values("scenario_id")))
    location_ids = {v.location_id for v in visits}
    locations = changed(seen(Location.objects.all())).filter(
        Q(pk__in=location_ids) | Q(pk__in=open_visits.values("location_id")))
    personas = seen(Persona.objects.all()).order_by("tier_rank", "name")
    tags = FrictionTag.objects.usable_by(org_id).order_by("position", "code")
    audits = changed(seen(Audit.objects.all())).filter(auditor=user).only("id", "revision", "state")
    photos = changed(seen(Photo.objects.all())).filter(audit__auditor=user).only("id", "sha256", "state")
    return SyncFeed(
        cursor=encode_cursor(now), visits=visits,
        journeys=list(journey_documents(journeys).order_by("name", "pk")),
        checklist_versions=list(version_documents(versions).order_by("pk")),
        scenarios=list(scenarios), locations=list(locations), personas=list(personas), friction_tags=list(tags),
        audits=list(audits), photos=list(photos))
