import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/lib/backoff';
import { auditBody, isAnswered, isShown, journeySteps, missingAnswers, orderedSections } from '../src/lib/checklist';
import { sha256Hex, uuid } from '../src/lib/hash';
import * as sw from '../src/lib/stopwatch';
import type { Item, Journey, LocalAudit, ResponseValue, Version } from '../src/lib/types';
import { newSyncInfo } from '../src/lib/outbox';

const item = (id: number, name: string, kind: Item['kind'], extra: Partial<Item> = {}): Item => ({
  id, name, label: name, help: '', kind, required: true, critical: false, weight: 1, step: null, options: {}, shown_when: null, position: id, ...extra,
});

const version: Version = {
  id: 11, template: 1, number: 1, title: 'Store visit', journey: 3,
  sections: [
    { id: 2, title: 'Pay', step: 21, position: 2, items: [item(20, 'pay_outcome', 'outcome'), item(21, 'pay_photos', 'photo', { options: { min_count: 2 } })] },
    {
      id: 1, title: 'Enter', step: 20, position: 1,
      items: [
        item(11, 'greeted', 'yes_no'),
        item(12, 'greet_quality', 'score', { shown_when: { item: 'greeted', equals: 'yes' }, options: { min: 1, max: 5 } }),
        item(13, 'why_not', 'text', { shown_when: { item: 'greeted', equals: 'no' } }),
        item(14, 'friction', 'friction'),
        item(15, 'note', 'text', { required: false }),
        item(16, 'channels', 'multi_choice', { required: false }),
        item(17, 'chained', 'text', { shown_when: { item: 'greet_quality', equals: 1 } }),
      ],
    },
  ],
};

const resp = (item: number, value: unknown): ResponseValue => ({ id: `r${item}`, item, value, detail: null, note: '' });

describe('checklist', () => {
  it('orders sections and items by position', () => {
    expect(orderedSections(version).map((s) => s.id)).toEqual([1, 2]);
  });

  it('evaluates shown_when, including chains', () => {
    const [greetQ, whyNot, chained] = [12, 13, 17].map((id) => version.sections[1].items.find((i) => i.id === id)!);
    expect(isShown(greetQ, version, {})).toBe(false);
    expect(isShown(greetQ, version, { 11: resp(11, 'yes') })).toBe(true);
    expect(isShown(whyNot, version, { 11: resp(11, 'yes') })).toBe(false);
    expect(isShown(whyNot, version, { 11: resp(11, 'no') })).toBe(true);
    expect(isShown(chained, version, { 11: resp(11, 'yes'), 12: resp(12, 1) })).toBe(true);
    // the controlling item is hidden: so is the chained one, whatever its stale answer says
    expect(isShown(chained, version, { 11: resp(11, 'no'), 12: resp(12, 1) })).toBe(false);
  });

  it('shown_when on a multi-choice answer means "contains"', () => {
    const v: Version = { ...version, sections: [{ id: 1, title: '', step: null, position: 1, items: [item(1, 'ch', 'multi_choice'), item(2, 'dep', 'text', { shown_when: { item: 'ch', equals: 'web' } })] }] };
    expect(isShown(v.sections[0].items[1], v, { 1: resp(1, ['app', 'web']) })).toBe(true);
    expect(isShown(v.sections[0].items[1], v, { 1: resp(1, ['app']) })).toBe(false);
  });

  it('knows what counts as answered', () => {
    expect(isAnswered(item(1, 'f', 'friction'), resp(1, []))).toBe(true); // "no friction" is an answer
    expect(isAnswered(item(1, 'f', 'friction'), undefined)).toBe(false);
    expect(isAnswered(item(1, 'm', 'multi_choice'), resp(1, []))).toBe(false);
    expect(isAnswered(item(1, 't', 'text'), resp(1, '  '))).toBe(false);
    expect(isAnswered(item(1, 'e', 'effort'), resp(1, 0))).toBe(true);
    expect(isAnswered(item(1, 'y', 'yes_no'), resp(1, 'na'))).toBe(true);
    expect(isAnswered(item(1, 'p', 'photo', { options: { min_count: 2 } }), undefined, 1)).toBe(false);
    expect(isAnswered(item(1, 'p', 'photo', { options: { min_count: 2 } }), undefined, 2)).toBe(true);
  });

  it('lists what is missing, skipping hidden and optional items', () => {
    const audit = { responses: { 11: resp(11, 'no') } as Record<string, ResponseValue>, expectations: {}, kind: 'visit' as const, visit: 7, checkin: null };
    const missing = missingAnswers(audit, version, { 21: 1 });
    expect(missing.map((m) => (m.kind === 'item' ? m.item!.name : m.kind))).toEqual(['checkin', 'why_not', 'friction', 'pay_outcome', 'pay_photos']);
    expect(missing.find((m) => m.item?.name === 'pay_outcome')!.section).toBe(1);
  });

  it('asks a self-audit for every step\'s expectation', () => {
    const journey: Journey = { id: 3, client: 1, name: 'J', description: '', checklist_version: 11, stages: [
      { id: 2, name: 'b', position: 2, steps: [{ id: 21, name: 'Pay', touchpoint: '', channel: 'in_store', promise_level: 4, promise_text: '', reach: 1, expected_seconds: null, moment_of_truth: false, position: 1 }] },
      { id: 1, name: 'a', position: 1, steps: [{ id: 20, name: 'Enter', touchpoint: '', channel: 'in_store', promise_level: 3, promise_text: '', reach: 1, expected_seconds: null, moment_of_truth: true, position: 1 }] },
    ] };
    expect(journeySteps(journey).map((s) => s.id)).toEqual([20, 21]);
    const audit = { responses: {}, expectations: { 20: { step: 20, level: 3, effort: 2 }, 21: { step: 21, level: 4, effort: null } }, kind: 'self' as const, visit: null, checkin: null };
    const missing = missingAnswers(audit, version, {}, journey).filter((m) => m.kind === 'expectation');
    expect(missing.map((m) => m.step)).toEqual([21]);
  });

  it('leaves answers to hidden items out of the body', () => {
    const audit: LocalAudit = {
      id: 'a', organization: 1, visit: 7, journey: 3, checklist_version: 11, persona: null, kind: 'visit', revision: 4, state: 'draft',
      started_at: '2025-01-01T10:00:00Z', submitted_at: null, checkin: null,
      responses: { 11: resp(11, 'no'), 12: resp(12, 5), 13: resp(13, 'nobody there') },
      expectations: {}, walking: true, updated_at: 0, sync: newSyncInfo(),
    };
    const body = auditBody(audit, version);
    expect(body.responses.map((r) => r.item)).toEqual([11, 13]);
    expect(body.revision).toBe(4);
    expect(body.kind).toBe('visit');
  });
});

describe('back-off', () => {
  it('doubles up to a ceiling, with jitter in the upper half', () => {
    const max = (n: number) => backoffDelay(n, { baseMs: 1000, maxMs: 10_000, random: () => 1 });
    const min = (n: number) => backoffDelay(n, { baseMs: 1000, maxMs: 10_000, random: () => 0 });
    expect([0, 1, 2, 3, 4, 5, 6].map(max)).toEqual([0, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect(min(3)).toBe(2000);
    expect(backoffDelay(1000, { baseMs: 1000, maxMs: 10_000, random: () => 1 })).toBe(10000);
  });
});

describe('hashing and ids', () => {
  it('sha256 hex of the exact bytes', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('uuids are v4 and unique', () => {
    const a = uuid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid()).not.toBe(a);
  });
});

describe('stopwatch', () => {
  it('keeps time from timestamps, so a reload loses nothing', () => {
    let t = sw.newTimer('a', 1);
    t = sw.start(t, 1_000);
    // the app is closed; a fresh copy read from IndexedDB 90 s later
    const reloaded = JSON.parse(JSON.stringify(t));
    expect(sw.seconds(reloaded, 91_000)).toBe(90);
    expect(sw.isRunning(reloaded)).toBe(true);
  });

  it('records laps as the time since the previous lap, across stop and resume', () => {
    let t = sw.newTimer('a', 1);
    t = sw.start(t, 0);
    t = sw.lap(t, 'greet', 12_000);
    t = sw.stop(t, 20_000);
    expect(sw.seconds(t, 999_999)).toBe(20); // stopped: time does not move
    t = sw.start(t, 100_000);
    t = sw.lap(t, 'queue', 130_000);
    expect(t.laps).toEqual([{ label: 'greet', seconds: 12 }, { label: 'queue', seconds: 38 }]);
    expect(sw.seconds(t, 130_000)).toBe(50);
    t = sw.reset(t);
    expect(sw.seconds(t, 1e9)).toBe(0);
    expect(t.laps).toEqual([]);
  });

  it('formats seconds', () => {
    expect(sw.formatSeconds(5)).toBe('0:05');
    expect(sw.formatSeconds(125)).toBe('2:05');
    expect(sw.formatSeconds(3725)).toBe('1:02:05');
  });
});
