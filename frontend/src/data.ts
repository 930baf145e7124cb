// Reads that screens need, all from IndexedDB (so they work offline).
import { run } from './lib/db';
import type { FrictionTag, Journey, LocalAudit, Location, Me, Persona, Scenario, Version, Visit } from './lib/types';

export const getMe = () => run(async (db) => ((await db.get('kv', 'me')) as Me | undefined) ?? null);
export const getOrg = () => run(async (db) => ((await db.get('kv', 'org')) as number | undefined) ?? null);

export interface AuditBundle {
  audit: LocalAudit;
  version: Version | null;
  journey: Journey | null;
  visit: Visit | null;
  persona: Persona | null;
  tags: FrictionTag[];
}

export async function auditBundle(id: string): Promise<AuditBundle | null> {
  return run(async (db) => {
    const audit = await db.get('audits', id);
    if (!audit) return null;
    const [version, journey, visit, persona, tags] = await Promise.all([
      db.get('versions', audit.checklist_version),
      db.get('journeys', audit.journey),
      audit.visit !== null ? db.get('visits', audit.visit) : undefined,
      audit.persona !== null ? db.get('personas', audit.persona) : undefined,
      db.getAll('tags'),
    ]);
    return { audit, version: version ?? null, journey: journey ?? null, visit: visit ?? null, persona: persona ?? null, tags };
  });
}

export interface VisitBundle {
  visit: Visit;
  scenario: Scenario | null;
  location: Location | null;
  journey: Journey | null;
  version: Version | null;
  persona: Persona | null;
  audit: LocalAudit | null;
}

export async function visitBundle(id: number): Promise<VisitBundle | null> {
  return run(async (db) => {
    const visit = await db.get('visits', id);
    if (!visit) return null;
    const [scenario, location, journey, version, persona, audits] = await Promise.all([
      visit.scenario !== null ? db.get('scenarios', visit.scenario) : undefined,
      visit.location !== null ? db.get('locations', visit.location) : undefined,
      db.get('journeys', visit.journey),
      db.get('versions', visit.checklist_version),
      visit.persona !== null ? db.get('personas', visit.persona) : undefined,
      db.getAllFromIndex('audits', 'visit', id),
    ]);
    const audit = audits.sort((a, b) => b.started_at.localeCompare(a.started_at))[0] ?? null;
    return { visit, scenario: scenario ?? null, location: location ?? null, journey: journey ?? null, version: version ?? null, persona: persona ?? null, audit };
  });
}

export interface HomeData {
  visits: (Visit & { locationName: string; scenarioTitle: string; journeyName: string; audit: LocalAudit | null })[];
  drafts: (LocalAudit & { title: string })[];
}

export async function homeData(): Promise<HomeData> {
  return run(async (db) => {
    const [visits, audits, locations, scenarios, journeys] = await Promise.all([
      db.getAll('visits'),
      db.getAll('audits'),
      db.getAll('locations'),
      db.getAll('scenarios'),
      db.getAll('journeys'),
    ]);
    const name = <T extends { id: number }>(list: T[], id: number | null, f: (x: T) => string) => (id === null ? '' : (list.find((x) => x.id === id) ? f(list.find((x) => x.id === id)!) : ''));
    const open = visits
      .filter((v) => v.status === 'scheduled' || v.status === 'in_progress' || v.status === 'returned')
      .sort((a, b) => (a.window_start ?? '').localeCompare(b.window_start ?? ''))
      .map((v) => ({
        ...v,
        locationName: name(locations, v.location, (l) => l.name),
        scenarioTitle: name(scenarios, v.scenario, (s) => s.title),
        journeyName: name(journeys, v.journey, (j) => j.name),
        audit: audits.filter((a) => a.visit === v.id).sort((a, b) => b.started_at.localeCompare(a.started_at))[0] ?? null,
      }));
    const drafts = audits
      .filter((a) => a.state === 'draft')
      .sort((a, b) => b.updated_at - a.updated_at)
      .map((a) => {
        const v = a.visit !== null ? visits.find((x) => x.id === a.visit) : undefined;
        const j = journeys.find((x) => x.id === a.journey);
        const loc = v ? name(locations, v.location, (l) => l.name) : '';
        return { ...a, title: [j?.name ?? '', loc].filter(Boolean).join(' · ') };
      });
    return { visits: open, drafts };
  });
}

/** Where to continue an audit: expectations first for a self-audit, else the walk. */
export function auditHref(a: LocalAudit): string {
  if (a.state === 'submitted') return `#/audits/${a.id}/review`;
  if (a.kind === 'self' && !a.walking) return `#/audits/${a.id}/expect`;
  return `#/audits/${a.id}/walk/0`;
}
