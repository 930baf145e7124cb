// The walk screen's reading of an audit: answers grouped by the journey step they evidence (each with its
// photos), the check-in judged against the location and the visit's window, and answers shown as words.
import type { components } from '../../lib/api-schema';

type S = components['schemas'];
export type AuditDetail = S['AuditDocument'];
export type Section = S['Section'];
export type Item = S['Item'];
export type Photo = S['AuditPhoto'];
export type Answer = S['AuditAnswer'];
export type Change = S['AuditChangeEntry'];

export type Row = { item: Item; answer: Answer | null; photos: Photo[] };
export type StepGroup = { step: number | null; name: string; sections: { title: string; rows: Row[] }[]; photos: Photo[] };

/** Each step of the walk (in the checklist's order) with its items, their answers and their photos; photos
 *  taken at a step but for no item are the step's own. */
export function groupByStep(sections: readonly Section[], audit: Pick<AuditDetail, 'answers' | 'photos'>,
  stepName: (id: number) => string | undefined, unnamed: string): StepGroup[] {
  const answers = new Map<number, Answer>();
  for (const r of audit.answers) answers.set(r.item, r);
  const photos = audit.photos;
  const groups = new Map<string, StepGroup>();
  const group = (step: number | null) => {
    const k = String(step);
    let g = groups.get(k);
    if (!g) {
      g = { step, name: (step !== null && stepName(step)) || unnamed, sections: [], photos: [] };
      groups.set(k, g);
    }
    return g;
  };
  for (const section of [...sections].sort((a, b) => a.position - b.position)) {
    const rows = [...section.items].sort((a, b) => a.position - b.position).map((item) => ({
      item, answer: answers.get(item.id) ?? null, photos: photos.filter((p) => p.item === item.id),
    }));
    group(section.step).sections.push({ title: section.title, rows });
  }
  for (const p of photos) if (p.item === null) group(p.step).photos.push(p);
  return [...groups.values()];
}

/** Every photo of the walk in reading order (what ←/→ steps through). */
export function photoOrder(groups: readonly StepGroup[]): Photo[] {
  const out: Photo[] = [];
  for (const g of groups) {
    for (const s of g.sections) for (const r of s.rows) out.push(...r.photos);
    out.push(...g.photos);
  }
  return out.filter((p) => p.state === 'ready');
}

export type Timing = 'early' | 'on_time' | 'late' | 'unknown';
export type Checkin = { distance: number | null; accuracy: number | null; at: string | null; status: string; timing: Timing;
  flags: { distance: boolean; accuracy: boolean; timing: boolean; position: boolean } };

/** Accuracy worse than this many metres cannot tell a shop from its neighbour. */
export const POOR_ACCURACY_M = 100;

export function judgeCheckin(c: Partial<S['AuditCheckin']> | null, window: { start: string; end: string } | null): Checkin {
  const a = c ?? {};
  const at = a.at ?? null;
  let timing: Timing = 'unknown';
  if (at && window) {
    const t = new Date(at).getTime();
    timing = t < new Date(window.start).getTime() ? 'early' : t > new Date(window.end).getTime() ? 'late' : 'on_time';
  }
  const status = a.position_status || (at ? 'ok' : '');
  const accuracy = a.accuracy_m ?? null;
  return {
    distance: a.distance_m ?? null, accuracy, at, status, timing,
    flags: { distance: !!a.far, accuracy: accuracy !== null && accuracy > POOR_ACCURACY_M,
      timing: !!a.outside_window || timing === 'early' || timing === 'late', position: !!status && status !== 'ok' },
  };
}

type Option = { value: string; label: string };
export function options(item: Pick<Item, 'options'>): Option[] {
  const raw = item.options;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { choices?: unknown }).choices)
    ? (raw as { choices: unknown[] }).choices : [];
  return list.map((o) => typeof o === 'object' && o !== null
    ? { value: String((o as Record<string, unknown>).value ?? (o as Record<string, unknown>).name ?? ''), label: String((o as Record<string, unknown>).label ?? (o as Record<string, unknown>).value ?? '') }
    : { value: String(o), label: String(o) });
}

export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m ? `${m} min ${String(r).padStart(2, '0')} s` : `${r} s`;
}

/** An answer as a reviewer reads it. */
export function showValue(kind: string, value: unknown, item: Pick<Item, 'options'> | null, words: Record<string, string>): string {
  if (value === null || value === undefined || value === '') return '—';
  if ((kind === 'yes_no' || kind === 'outcome') && typeof value === 'string') return words[value] ?? value;
  if (kind === 'signature') return words.signed ?? '✓';
  if (kind === 'friction' && Array.isArray(value)) return value.map((f) => `${f?.tag ?? '?'} (${f?.severity ?? '?'})`).join(', ') || (words.none ?? '—');
  if (kind === 'duration' && typeof value === 'number') return formatSeconds(value);
  const opts = item ? options(item) : [];
  const label = (v: unknown) => opts.find((o) => o.value === String(v))?.label ?? String(v);
  if (Array.isArray(value)) return value.map(label).join(', ');
  if (kind === 'single_choice') return label(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Stopwatch laps kept in an answer's detail: [{label, seconds}]. */
export function laps(detail: unknown): { label: string; seconds: number }[] {
  const list = detail && typeof detail === 'object' ? (detail as { laps?: unknown }).laps : null;
  return Array.isArray(list) ? list.filter((l) => l && typeof l.seconds === 'number').map((l) => ({ label: String(l.label ?? ''), seconds: l.seconds })) : [];
}

/** The value typed into the correction editor, as the API takes it for the item's kind. */
export function parseCorrection(kind: string, text: string): unknown {
  const s = text.trim();
  if (['score', 'number', 'duration', 'effort', 'delivered_level'].includes(kind)) return s === '' ? null : Number(s);
  if (kind === 'multi_choice') return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
  if (kind === 'text' || kind === 'single_choice' || kind === 'yes_no' || kind === 'outcome') return s;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function correctionText(kind: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && kind === 'multi_choice') return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
