// Pure checklist logic: order, shown_when, what counts as answered, what is still missing,
// and the body the server receives.
import type { Item, Journey, LocalAudit, ResponseValue, Section, Step, Version } from './types';

export const byPosition = <T extends { position: number; id?: number }>(a: T, b: T) =>
  a.position - b.position || (a.id ?? 0) - (b.id ?? 0);

export function orderedSections(version: Version): Section[] {
  return [...version.sections].sort(byPosition).map((s) => ({ ...s, items: [...s.items].sort(byPosition) }));
}

/** The journey's steps in walking order (stage by stage). */
export function journeySteps(journey: Journey): Step[] {
  return [...journey.stages].sort(byPosition).flatMap((st) => [...st.steps].sort(byPosition));
}

export function allItems(version: Version): Item[] {
  return orderedSections(version).flatMap((s) => s.items);
}

function valueEquals(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) {
    if (Array.isArray(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
    return actual.some((v) => valueEquals(v, expected));
  }
  if (typeof actual === 'number' && typeof expected === 'string') return String(actual) === expected;
  if (typeof actual === 'string' && typeof expected === 'number') return actual === String(expected);
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    // yes_no answers "yes"/"no" compared with true/false
    const norm = (v: unknown) => (v === true || v === 'yes' ? 'yes' : v === false || v === 'no' ? 'no' : v);
    return norm(actual) === norm(expected);
  }
  return actual === expected;
}

/**
 * Is the item shown, given the answers so far? An item shown only when another item has a value
 * is hidden while that item is unanswered or itself hidden.
 */
export function isShown(item: Item, version: Version, responses: Record<string, ResponseValue>, depth = 0): boolean {
  const cond = item.shown_when;
  if (!cond) return true;
  if (depth > 20) return false; // a cycle in the template: hide rather than loop
  const other = allItems(version).find((i) => i.name === cond.item);
  if (!other) return true; // unknown reference: do not hide answers the auditor must give
  if (!isShown(other, version, responses, depth + 1)) return false;
  const r = responses[String(other.id)];
  if (!r || r.value === null || r.value === undefined) return false;
  return valueEquals(r.value, cond.equals);
}

export function isAnswered(item: Item, response: ResponseValue | undefined, photoCount = 0): boolean {
  if (item.kind === 'photo') return photoCount >= Math.max(1, Number(item.options?.min_count ?? 1));
  if (!response) return false;
  const v = response.value;
  switch (item.kind) {
    case 'friction':
      return Array.isArray(v); // an explicit empty list means "no friction here"
    case 'multi_choice':
      return Array.isArray(v) && v.length > 0;
    case 'text':
    case 'signature':
    case 'single_choice':
      return typeof v === 'string' && v.trim() !== '';
    case 'score':
    case 'number':
    case 'duration':
    case 'effort':
    case 'delivered_level':
      return typeof v === 'number' && Number.isFinite(v);
    case 'yes_no':
      return v === 'yes' || v === 'no' || v === 'na';
    case 'outcome':
      return v === 'done' || v === 'done_with_help' || v === 'gave_up';
    default:
      return v !== null && v !== undefined && v !== '';
  }
}

export interface Missing {
  kind: 'item' | 'expectation' | 'checkin';
  /** index of the section in the walk (for "one tap away") */
  section: number;
  item?: Item;
  step?: number;
  critical?: boolean;
}

/** What the auditor still has to give before submitting. */
export function missingAnswers(
  audit: Pick<LocalAudit, 'responses' | 'expectations' | 'kind' | 'visit' | 'checkin'>,
  version: Version,
  photoCounts: Record<string, number> = {},
  journey?: Journey | null,
): Missing[] {
  const out: Missing[] = [];
  if (audit.kind === 'visit' && audit.visit !== null && !audit.checkin) out.push({ kind: 'checkin', section: -1 });
  if (audit.kind === 'self' && journey) {
    for (const step of journeySteps(journey)) {
      const e = audit.expectations[String(step.id)];
      if (!e || e.level === null || e.effort === null) out.push({ kind: 'expectation', section: -1, step: step.id });
    }
  }
  orderedSections(version).forEach((section, index) => {
    for (const item of section.items) {
      if (!item.required && item.kind !== 'photo') continue;
      if (item.kind === 'photo' && !item.required && !(Number(item.options?.min_count ?? 0) > 0)) continue;
      if (!isShown(item, version, audit.responses)) continue;
      if (!isAnswered(item, audit.responses[String(item.id)], photoCounts[String(item.id)] ?? 0)) {
        out.push({ kind: 'item', section: index, item, critical: item.critical });
      }
    }
  });
  return out;
}

/** The JSON body of PUT /api/v1/audits/{id}. Answers to items hidden by shown_when are left out. */
export function auditBody(audit: LocalAudit, version: Version | null) {
  const responses = Object.values(audit.responses)
    .filter((r) => {
      if (!version) return true;
      const item = allItems(version).find((i) => i.id === r.item);
      return !item || isShown(item, version, audit.responses);
    })
    .map((r) => ({ id: r.id, item: r.item, value: r.value ?? null, detail: r.detail ?? null, note: r.note ?? '' }));
  const expectations = Object.values(audit.expectations)
    .filter((e) => e.level !== null || e.effort !== null)
    .map((e) => ({ step: e.step, level: e.level, effort: e.effort }));
  return {
    organization: audit.organization,
    visit: audit.visit,
    journey: audit.journey,
    checklist_version: audit.checklist_version,
    persona: audit.persona,
    kind: audit.kind,
    revision: audit.revision,
    state: audit.state,
    started_at: audit.started_at,
    submitted_at: audit.submitted_at,
    checkin: audit.checkin,
    responses,
    expectations,
  };
}
