import { describe, expect, it } from 'vitest';
import { Api } from '../src/lib/api';
import { addPhoto, createAudit, setResponse } from '../src/lib/capture';
import { dbOpenCount, getAudit, getDB, isConnectionError, kvGet, run } from '../src/lib/db';
import { applySync, pull } from '../src/lib/sync';
import type { SyncPayload } from '../src/lib/types';
import { json } from './fakeServer';

const empty: SyncPayload = { cursor: 'c1', visits: [], journeys: [], checklist_versions: [], scenarios: [], locations: [], personas: [], friction_tags: [], audits: [], photos: [] };

describe('database', () => {
  it('reopens the database after a lost connection and retries once', async () => {
    const a = await createAudit({ organization: 1, visit: 1, journey: 1, checklist_version: 1, persona: null, kind: 'visit' });
    const opened = dbOpenCount();
    // what Safari does: the connection goes away under us
    (await getDB()).close();
    await setResponse(a.id, 3, { value: 'yes' });
    expect(dbOpenCount()).toBe(opened + 1);
    expect((await getAudit(a.id))!.responses['3'].value).toBe('yes');
  });

  it('does not hide other errors', async () => {
    await expect(run(() => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
    expect(isConnectionError(new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError'))).toBe(true);
    expect(isConnectionError(new Error('QuotaExceededError'))).toBe(false);
  });

  it('keeps photos as ArrayBuffer plus type', async () => {
    const a = await createAudit({ organization: 1, visit: 1, journey: 1, checklist_version: 1, persona: null, kind: 'visit' });
    const data = new Uint8Array([1, 2, 3]).buffer;
    const p = await addPhoto({ audit: a.id, item: 4, step: null, data, type: 'image/jpeg', width: 1, height: 1 });
    const back = await run((db) => db.get('photos', p.id));
    expect(back!.data).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(back!.data)).toEqual(new Uint8Array([1, 2, 3]));
    expect(back!.type).toBe('image/jpeg');
    // the photo item gets a null answer: the photo points at it
    expect((await getAudit(a.id))!.responses['4'].value).toBeNull();
  });
});

describe('sync (pull)', () => {
  it('merges changes by id and keeps the cursor', async () => {
    await applySync(5, { ...empty, visits: [{ id: 1, status: 'scheduled' } as any, { id: 2, status: 'scheduled' } as any], friction_tags: [{ code: 'dead_end', label: 'Dead end', description: '', retired: false }] });
    await applySync(5, { ...empty, cursor: 'c2', visits: [{ id: 2, status: 'cancelled' } as any] });
    const visits = await run((db) => db.getAll('visits'));
    expect(visits.map((v) => [v.id, v.status])).toEqual([[1, 'scheduled'], [2, 'cancelled']]);
    expect(await kvGet('cursor:5')).toBe('c2');
    expect((await run((db) => db.get('tags', 'dead_end')))!.label).toBe('Dead end');
  });

  it('sends the cursor back as since', async () => {
    const seen: string[] = [];
    const api = new Api(async (url) => {
      seen.push(url);
      return json(200, { ...empty, cursor: `c${seen.length}` });
    });
    await pull(api, 9);
    await pull(api, 9);
    expect(seen[0]).toBe('/api/v1/sync?organization=9');
    expect(seen[1]).toBe('/api/v1/sync?organization=9&since=c1');
  });

  it('takes the server\'s word for captures it already holds', async () => {
    const a = await createAudit({ organization: 1, visit: 1, journey: 1, checklist_version: 1, persona: null, kind: 'visit' });
    await applySync(1, { ...empty, audits: [{ id: a.id, revision: 1, state: 'draft' }] });
    expect((await getAudit(a.id))!.sync.confirmedRevision).toBe(1);
  });
});
