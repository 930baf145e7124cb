// The journey map as an editable document: stages in order, each with its steps in order. Every edit is a
// pure function from one document to the next (the canvas keeps a history of them), and saving sends the
// whole document once (PUT /api/v1/journeys/{id}); the order in the document is the order.
import type { components } from '../../lib/api-schema';

export type Journey = components['schemas']['Journey'];
export type Channel = components['schemas']['ChannelEnum'];
export type StepRequest = components['schemas']['StepRequest'];
export type JourneyRequest = components['schemas']['JourneyRequest'];
export const CHANNELS: Channel[] = ['in_store', 'web', 'app', 'phone', 'chat', 'email', 'sms', 'kiosk', 'other'];

/** A step or stage on the canvas carries a key of its own (new ones have no id yet). */
export type EditStep = StepRequest & { key: string };
export type EditStage = { id?: number; key: string; name: string; steps: EditStep[] };
export type Doc = { client: number; name: string; description: string; stages: EditStage[] };
export type Place = { stage: number; index: number };

let seq = 0;
export const newKey = (prefix: string) => `${prefix}-new-${++seq}`;

export function blankStep(name: string): EditStep {
  return { key: newKey('step'), name, touchpoint: '', channel: 'in_store', promise_level: 3, promise_text: '', reach: 1,
    expected_seconds: null, moment_of_truth: false };
}

export function fromJourney(j: Journey): Doc {
  return {
    client: j.client,
    name: j.name,
    description: j.description ?? '',
    stages: j.stages.map((s) => ({
      id: s.id,
      key: `stage-${s.id}`,
      name: s.name,
      steps: (s.steps ?? []).map((st) => ({
        key: `step-${st.id}`, id: st.id, name: st.name, touchpoint: st.touchpoint ?? '', channel: st.channel ?? 'in_store',
        promise_level: st.promise_level ?? 3, promise_text: st.promise_text ?? '', reach: st.reach ?? 1,
        expected_seconds: st.expected_seconds ?? null, moment_of_truth: !!st.moment_of_truth,
      })),
    })),
  };
}

/** The body of the PUT: the document without the canvas's keys. */
export function toRequest(doc: Doc): JourneyRequest {
  return {
    client: doc.client,
    name: doc.name,
    description: doc.description,
    stages: doc.stages.map(({ key: _k, steps, ...stage }) => ({ ...stage, steps: steps.map(({ key: _s, ...step }) => step) })),
  };
}

/** Two documents say the same (what another editor's save is compared by). */
export const sameDocument = (a: Doc, b: Doc) => JSON.stringify(toRequest(a)) === JSON.stringify(toRequest(b));

function withStages(doc: Doc, stages: EditStage[]): Doc {
  return { ...doc, stages };
}

/** Move a step to `to` (in the same stage or another); `to.index` counts in the list without the moved step. */
export function moveStep(doc: Doc, from: Place, to: Place): Doc {
  const src = doc.stages[from.stage];
  const step = src?.steps[from.index];
  if (!step || !doc.stages[to.stage]) return doc;
  const stages = doc.stages.map((s) => ({ ...s, steps: [...s.steps] }));
  stages[from.stage].steps.splice(from.index, 1);
  const dest = stages[to.stage].steps;
  dest.splice(Math.max(0, Math.min(to.index, dest.length)), 0, step);
  return withStages(doc, stages);
}

/** The place a step moves to with the keyboard: up/down within its stage, left/right to the next stage's end. */
export function nudge(doc: Doc, at: Place, direction: 'up' | 'down' | 'left' | 'right'): Place | null {
  const steps = doc.stages[at.stage]?.steps ?? [];
  if (direction === 'up') return at.index > 0 ? { stage: at.stage, index: at.index - 1 } : null;
  if (direction === 'down') return at.index < steps.length - 1 ? { stage: at.stage, index: at.index + 1 } : null;
  const stage = at.stage + (direction === 'left' ? -1 : 1);
  if (stage < 0 || stage >= doc.stages.length) return null;
  return { stage, index: Math.min(at.index, doc.stages[stage].steps.length) };
}

export function moveStage(doc: Doc, from: number, to: number): Doc {
  if (from === to || !doc.stages[from] || to < 0 || to >= doc.stages.length) return doc;
  const stages = [...doc.stages];
  const [stage] = stages.splice(from, 1);
  stages.splice(to, 0, stage);
  return withStages(doc, stages);
}

export function addStage(doc: Doc, name: string): Doc {
  return withStages(doc, [...doc.stages, { key: newKey('stage'), name, steps: [] }]);
}

export function renameStage(doc: Doc, index: number, name: string): Doc {
  return withStages(doc, doc.stages.map((s, i) => (i === index ? { ...s, name } : s)));
}

export function removeStage(doc: Doc, index: number): Doc {
  return withStages(doc, doc.stages.filter((_, i) => i !== index));
}

export function addStep(doc: Doc, stage: number, step: EditStep): Doc {
  return withStages(doc, doc.stages.map((s, i) => (i === stage ? { ...s, steps: [...s.steps, step] } : s)));
}

export function updateStep(doc: Doc, at: Place, patch: Partial<StepRequest>): Doc {
  return withStages(doc, doc.stages.map((s, i) =>
    i === at.stage ? { ...s, steps: s.steps.map((st, j) => (j === at.index ? { ...st, ...patch } : st)) } : s));
}

export function removeStep(doc: Doc, at: Place): Doc {
  return withStages(doc, doc.stages.map((s, i) => (i === at.stage ? { ...s, steps: s.steps.filter((_, j) => j !== at.index) } : s)));
}

/** Where a step is, by its key. */
export function findStep(doc: Doc, key: string): Place | null {
  for (let s = 0; s < doc.stages.length; s++) {
    const index = doc.stages[s].steps.findIndex((st) => st.key === key);
    if (index >= 0) return { stage: s, index };
  }
  return null;
}

/** A server refusal's field path (`stages.1.steps.0.name`) as the step or stage it names. */
export function refusalPlace(path: string): { stage: number; step?: number; field?: string } | null {
  const m = /^stages\.(\d+)(?:\.steps\.(\d+))?(?:\.(\w+))?/.exec(path);
  if (!m) return null;
  return { stage: Number(m[1]), step: m[2] === undefined ? undefined : Number(m[2]), field: m[3] };
}
