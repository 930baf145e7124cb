import { describe, expect, it } from 'vitest';
import { countVisits, inBucket, isOverdue } from '../src/console/logic/home';
import { addStage, addStep, blankStep, findStep, fromJourney, moveStage, moveStep, nudge, refusalPlace, removeStep, sameDocument, toRequest, type Journey } from '../src/console/logic/journey';
import { groupByStep, judgeCheckin, parseCorrection, photoOrder, showValue } from '../src/console/logic/walk';
import { parseCsv, sheetProblems } from '../src/console/logic/csv';
import en from '../src/console/locales/en';
import pl from '../src/console/locales/pl';
import ro from '../src/console/locales/ro';
import el from '../src/console/locales/el';
import { pickLocale, translate } from '../src/console/i18n';

const now = new Date('2026-03-10T12:00:00Z');
const visit = (status: string, window_end: string) => ({ status, window_end }) as never;

describe('home counts', () => {
  it('buckets visits by state; overdue is a window that ended with nothing submitted', () => {
    const visits = [
      visit('scheduled', '2026-03-09T18:00:00Z'), // overdue
      visit('scheduled', '2026-03-11T18:00:00Z'),
      visit('in_progress', '2026-03-01T18:00:00Z'), // overdue
      visit('submitted', '2026-03-01T18:00:00Z'), // submitted late: not overdue
      visit('in_review', '2026-03-12T18:00:00Z'),
      visit('returned', '2026-03-12T18:00:00Z'),
      visit('approved', '2026-03-01T18:00:00Z'),
      visit('cancelled', '2026-03-01T18:00:00Z'), // counts nowhere
    ];
    expect(countVisits(visits, now)).toEqual({ planned: 2, in_progress: 1, submitted: 2, returned: 1, approved: 1, overdue: 2, total: 7 });
    expect(visits.filter((v) => inBucket(v, 'overdue', now))).toHaveLength(2);
    expect(visits.filter((v) => inBucket(v, 'submitted', now))).toHaveLength(2);
    expect(isOverdue(visit('approved', '2020-01-01T00:00:00Z'), now)).toBe(false);
  });
});

const journey: Journey = {
  id: 1, client: 7, name: 'Branch', description: '', checklist_version: null,
  stages: [
    { id: 10, name: 'Arrive', position: 0, steps: [
      { id: 100, name: 'Door', touchpoint: '', channel: 'in_store', promise_level: 3, promise_text: '', reach: 1, expected_seconds: null, moment_of_truth: false, position: 0 },
      { id: 101, name: 'Greeting', touchpoint: 'host', channel: 'in_store', promise_level: 4, promise_text: '', reach: 1, expected_seconds: 30, moment_of_truth: true, position: 1 },
    ] },
    { id: 11, name: 'Pay', position: 1, steps: [
      { id: 102, name: 'Till', touchpoint: '', channel: 'in_store', promise_level: 3, promise_text: '', reach: 1, expected_seconds: 60, moment_of_truth: false, position: 0 },
    ] },
  ],
};
const names = (d: ReturnType<typeof fromJourney>) => d.stages.map((s) => s.steps.map((st) => st.name));

describe('journey document', () => {
  it('reorders within a stage and moves between stages, keeping ids; the PUT body has no canvas keys', () => {
    const doc = fromJourney(journey);
    const swapped = moveStep(doc, { stage: 0, index: 1 }, { stage: 0, index: 0 });
    expect(names(swapped)).toEqual([['Greeting', 'Door'], ['Till']]);
    const moved = moveStep(doc, { stage: 0, index: 0 }, { stage: 1, index: 1 });
    expect(names(moved)).toEqual([['Greeting'], ['Till', 'Door']]);
    const body = toRequest(moved);
    expect(body.stages[1].steps).toEqual([expect.objectContaining({ id: 102 }), expect.objectContaining({ id: 100, name: 'Door' })]);
    expect(JSON.stringify(body)).not.toContain('key');
    expect(names(doc)).toEqual([['Door', 'Greeting'], ['Till']]); // the original is untouched
  });

  it('moves with the keyboard and stops at the edges', () => {
    const doc = fromJourney(journey);
    expect(nudge(doc, { stage: 0, index: 0 }, 'up')).toBeNull();
    expect(nudge(doc, { stage: 0, index: 0 }, 'down')).toEqual({ stage: 0, index: 1 });
    expect(nudge(doc, { stage: 0, index: 1 }, 'right')).toEqual({ stage: 1, index: 1 });
    expect(nudge(doc, { stage: 1, index: 0 }, 'right')).toBeNull();
  });

  it('adds and removes stages and steps; a new step has no id; compares documents by content', () => {
    const doc = fromJourney(journey);
    const grown = addStep(addStage(doc, 'Leave'), 2, blankStep('Exit'));
    expect(names(grown)).toEqual([['Door', 'Greeting'], ['Till'], ['Exit']]);
    expect(toRequest(grown).stages[2]).toEqual({ name: 'Leave', steps: [expect.not.objectContaining({ id: expect.anything() })] });
    expect(sameDocument(doc, fromJourney(journey))).toBe(true);
    expect(sameDocument(doc, grown)).toBe(false);
    const place = findStep(grown, grown.stages[2].steps[0].key)!;
    expect(names(removeStep(grown, place))).toEqual([['Door', 'Greeting'], ['Till'], []]);
    expect(moveStage(doc, 1, 0).stages.map((s) => s.name)).toEqual(['Pay', 'Arrive']);
    expect(refusalPlace('stages.1.steps.0.name')).toEqual({ stage: 1, step: 0, field: 'name' });
  });
});

describe('walk', () => {
  const sections = [
    { id: 1, title: 'Door', step: 100, position: 0, items: [
      { id: 5, name: 'greeted', label: 'Greeted?', help: '', kind: 'yes_no', required: true, critical: false, weight: 1, step: 100, options: {}, shown_when: null, position: 0 },
      { id: 6, name: 'wait', label: 'Wait', help: '', kind: 'duration', required: false, critical: false, weight: 1, step: 100, options: {}, shown_when: null, position: 1 },
    ] },
  ] as never;
  const photo = (id: string, item: number | null, step: number | null) => ({ id, item, step, state: 'ready', sha256: '' });
  const audit = {
    answers: [{ id: 'r', item: 5, step: 100, value: 'yes', detail: null, note: '', corrected: null }],
    photos: [photo('p1', 5, 100), photo('p2', null, 100)],
  } as never;

  it('groups answers and photos by step, and steps through photos in reading order', () => {
    const groups = groupByStep(sections, audit, (id) => (id === 100 ? 'Arrive · Door' : undefined), 'none');
    expect(groups).toHaveLength(1);
    expect(groups[0].name).toBe('Arrive · Door');
    expect(groups[0].sections[0].rows.map((r) => [r.item.id, r.answer?.value ?? null, r.photos.map((p) => p.id)])).toEqual([[5, 'yes', ['p1']], [6, null, []]]);
    expect(groups[0].photos.map((p) => p.id)).toEqual(['p2']);
    expect(photoOrder(groups).map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('judges the check-in against the window and flags what a reviewer must see', () => {
    const c = judgeCheckin({ far: true, distance_m: 900, accuracy_m: 20, at: '2026-03-10T19:00:00Z', position_status: 'ok', outside_window: false },
      { start: '2026-03-10T09:00:00Z', end: '2026-03-10T18:00:00Z' });
    expect(c.timing).toBe('late');
    expect(c.flags).toEqual({ distance: true, accuracy: false, timing: true, position: false });
    expect(judgeCheckin({ position_status: 'denied' }, null).flags.position).toBe(true);
  });

  it('shows and parses answers by kind', () => {
    expect(showValue('yes_no', 'yes', null, { yes: 'Tak' })).toBe('Tak');
    expect(showValue('duration', 75, null, {})).toBe('1 min 15 s');
    expect(showValue('single_choice', 'b', { options: { choices: [{ value: 'b', label: 'Bee' }] } }, {})).toBe('Bee');
    expect(parseCorrection('score', '4')).toBe(4);
    expect(parseCorrection('yes_no', 'no')).toBe('no');
    expect(parseCorrection('multi_choice', 'a, b')).toEqual(['a', 'b']);
  });
});

describe('bulk import sheet', () => {
  it('reads quoted CSV and lays the refusal onto its cells', () => {
    const rows = parseCsv('location,auditor\r\n"Main St, 1",a@x.test\nNowhere,"b ""q"""\n');
    expect(rows).toEqual([['location', 'auditor'], ['Main St, 1', 'a@x.test'], ['Nowhere', 'b "q"']]);
    const p = sheetProblems({ 'rows.3.location': ['No location "Nowhere".'], file: ['bad'] });
    expect(p.cells.get(3)?.get('location')).toEqual(['No location "Nowhere".']);
    expect(p.other).toEqual([['file', ['bad']]]);
  });
});

describe('console strings', () => {
  it('every language has exactly the English keys, each with the same {placeholders}', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const dict of [pl, ro, el]) {
      expect(Object.keys(dict).sort()).toEqual(Object.keys(en).sort());
      for (const k of Object.keys(en) as (keyof typeof en)[]) expect([k, holes(dict[k])]).toEqual([k, holes(en[k])]);
    }
  });
  it('picks the language and falls back to English', () => {
    expect(pickLocale(['pl-PL', 'en'])).toBe('pl');
    expect(pickLocale([null, 'de'])).toBe('en');
    expect(translate({}, 'home.total', { n: 3 })).toBe('3 visits');
  });
});
