// Where a refusal's field errors belong. The server keys every problem by what it concerns (the
// convention of the error body's `fields`): an answer by its checklist item's id — `responses.<item id>.value` for a bad
// answer, `responses.<item id>` for a required one that is missing — and an expectation by its step's id
// (`expectations.<step id>.level`). Anything else (a header field, an id the phone does not know) is
// shown as the server named it.
import type { FieldErrors } from './types';

export interface Refusals {
  /** by item id */
  items: Record<string, string[]>;
  /** by step id (a self-audit's expectations) */
  steps: Record<string, string[]>;
  /** every other key, as the server sent it */
  other: Record<string, string[]>;
}

const KEYED = /^(responses|expectations)\.(\d+)(?:\.|$)/;

export function refusalsByItem(fields: FieldErrors | null | undefined): Refusals {
  const out: Refusals = { items: {}, steps: {}, other: {} };
  for (const [key, messages] of Object.entries(fields ?? {})) {
    const m = KEYED.exec(key);
    const into = !m ? out.other : m[1] === 'responses' ? out.items : out.steps;
    const id = m ? m[2] : key;
    into[id] = [...(into[id] ?? []), ...messages];
  }
  return out;
}
