import { describe, expect, it } from 'vitest';
import { Api } from '../src/lib/api';
import { addPhoto, createAudit, deletePhoto, setResponse, submitAudit } from '../src/lib/capture';
import { allPhotos, getAudit, kvSet, run, updateAudit } from '../src/lib/db';
import { sha256Hex } from '../src/lib/hash';
import { auditStatus, flush, pendingCount, retryAudit } from '../src/lib/outbox';
import { refusalsByItem } from '../src/lib/refusals';
import { FakeServer, json } from './fakeServer';

const base = { organization: 1, visit: 7, journey: 3, checklist_version: 11, persona: null, kind: 'visit' as const };

function setup() {
  const server = new FakeServer();
  const api = new Api(server.fetch);
  let clock = 1_000_000;
  const now = () => clock;
  const advance = (ms: number) => (clock += ms);
  return { server, api, now, advance };
}

async function jpeg(n: number) {
  const bytes = new Uint8Array(1000 + n).map((_, i) => (i * 31 + n) & 0xff);
  return bytes.buffer;
}

describe('outbox', () => {
  it('sends a draft once and then has nothing to send', async () => {
    const { server, api, now } = setup();
    const a = await createAudit(base);
    await setResponse(a.id, 101, { value: 'done' });
    const r1 = await flush({ api, now });
    expect(r1.auditsStored).toBe(1);
    expect(r1.pending).toBe(0);
    expect(server.audits.get(a.id)!.body.responses).toEqual([
      expect.objectContaining({ item: 101, value: 'done', detail: null, note: '' }),
    ]);
    const r2 = await flush({ api, now });
    expect(r2.auditsStored).toBe(0);
    expect(server.count('PUT', /audits/)).toBe(1);
    const local = await getAudit(a.id);
    expect(auditStatus(local!)).toBe('stored');
  });

  it('fetches a CSRF token and sends it', async () => {
    const { server, api, now } = setup();
    await createAudit(base);
    await flush({ api, now });
    expect(server.count('GET', /auth\/csrf/)).toBe(1);
    expect(server.audits.size).toBe(1);
  });

  it('retries with exponential back-off after server errors, then succeeds', async () => {
    const { server, api, now, advance } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    let failures = 3;
    server.hook = (m, p) => (m === 'PUT' && p.includes('/audits/') && failures-- > 0 ? json(503, { error: { code: 'unavailable', message: 'busy' } }) : null);

    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await flush({ api, now, backoff: { baseMs: 1000, random: () => 1 } });
      expect(r.failures).toBe(1);
      const s = (await getAudit(a.id))!.sync;
      expect(s.attempts).toBe(i + 1);
      expect(s.lastError).toContain('503');
      delays.push(s.nextAttemptAt - now());
      // not due yet: a flush now sends nothing
      const before = server.requests.length;
      await flush({ api, now, backoff: { baseMs: 1000, random: () => 1 } });
      expect(server.requests.length).toBe(before);
      advance(s.nextAttemptAt - now());
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    const r = await flush({ api, now });
    expect(r.auditsStored).toBe(1);
    const s = (await getAudit(a.id))!.sync;
    expect(s.attempts).toBe(0);
    expect(s.confirmedRevision).toBe(1);
    expect(server.audits.get(a.id)!.revision).toBe(1);
  });

  it('"Sync now" (force) ignores the back-off', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    await createAudit(base);
    server.offline = true;
    const r = await flush({ api, now });
    expect(r.offline).toBe(true);
    server.offline = false;
    expect((await flush({ api, now })).auditsStored).toBe(0); // still backing off
    expect((await flush({ api, now, force: true })).auditsStored).toBe(1);
  });

  it('stops at the first network error and keeps everything', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    await createAudit(base);
    await createAudit({ ...base, visit: 8 });
    server.offline = true;
    const r = await flush({ api, now });
    expect(r.offline).toBe(true);
    expect(server.count('PUT', /audits/)).toBe(1);
    expect(r.pending).toBe(2);
    expect(await pendingCount()).toBe(2);
  });

  it('re-sends after a crash between "sent" and "confirmed"; the server stores it once', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await setResponse(a.id, 5, { value: 4 });
    // The server stores the audit but the answer never reaches the phone (tab killed, reset).
    server.dropAnswerFor = (m, p) => m === 'PUT' && p.includes('/audits/');
    const r1 = await flush({ api, now });
    expect(r1.offline).toBe(true);
    expect(server.audits.get(a.id)!.revision).toBe(2);
    let local = (await getAudit(a.id))!;
    expect(local.sync.sentRevision).toBe(2);
    expect(local.sync.confirmedRevision).toBe(0);
    expect(auditStatus(local)).toBe('saved');

    // Also simulate the page dying while the "sending" mark was on.
    await updateAudit(a.id, (x) => {
      x.sync.sending = true;
    });
    server.dropAnswerFor = null;
    const r2 = await flush({ api, now, force: true });
    expect(r2.auditsStored).toBe(1);
    expect(server.count('PUT', /audits/)).toBe(2); // sent again ...
    expect(server.audits.size).toBe(1); // ... but stored once
    expect(server.audits.get(a.id)!.revision).toBe(2);
    local = (await getAudit(a.id))!;
    expect(local.sync.confirmedRevision).toBe(2);
    expect(local.sync.sending).toBe(false);
    expect(auditStatus(local)).toBe('stored');
  });

  it('drops an older revision when the server already holds a newer one', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await setResponse(a.id, 5, { value: 1 }); // revision 2
    // another device (or a previous install) already stored revision 9
    server.audits.set(a.id, { revision: 9, state: 'draft', body: { revision: 9 } });
    const r = await flush({ api, now });
    expect(r.auditsStored).toBe(1);
    const local = (await getAudit(a.id))!;
    expect(local.revision).toBe(9);
    expect(local.sync.confirmedRevision).toBe(9);
    expect(r.pending).toBe(0);
    expect(server.audits.get(a.id)!.revision).toBe(9);
    // nothing more to send; the next local edit goes above the server's revision
    await setResponse(a.id, 5, { value: 2 });
    await flush({ api, now });
    expect(server.audits.get(a.id)!.revision).toBe(10);
    expect(server.audits.get(a.id)!.body.responses[0].value).toBe(2);
  });

  it('an edit made while a request is in flight is sent afterwards, not lost', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    let edited = false;
    server.hook = (m, p) => {
      if (m === 'PUT' && p.includes('/audits/') && !edited) {
        edited = true;
        // the auditor taps while the PUT is on its way
        void setResponse(a.id, 9, { value: 'yes' });
      }
      return null;
    };
    await flush({ api, now });
    await new Promise((r) => setTimeout(r, 10));
    let local = (await getAudit(a.id))!;
    expect(local.revision).toBe(2);
    expect(local.sync.confirmedRevision).toBe(1);
    expect(auditStatus(local)).toBe('saved');
    await flush({ api, now });
    local = (await getAudit(a.id))!;
    expect(local.sync.confirmedRevision).toBe(2);
    expect(server.audits.get(a.id)!.body.responses[0].value).toBe('yes');
  });

  it('409 audit_frozen needs attention and is not retried on its own', async () => {
    const { server, api, now, advance } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await submitAudit(a.id);
    server.audits.set(a.id, { revision: 1, state: 'submitted', body: { revision: 1, other: true } });
    const r = await flush({ api, now });
    expect(r.attention).toBe(1);
    const local = (await getAudit(a.id))!;
    expect(local.sync.attention?.code).toBe('audit_frozen');
    expect(auditStatus(local)).toBe('attention');
    advance(3_600_000);
    const before = server.requests.length;
    await flush({ api, now, force: true });
    expect(server.requests.length).toBe(before);
    expect(await pendingCount()).toBe(1);
    // "Try again" by hand sends it once more
    await retryAudit(a.id);
    await flush({ api, now });
    expect(server.requests.length).toBe(before + 1);
  });

  it('400 field errors are kept for "needs attention" and cleared by the next edit', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await setResponse(a.id, 3, { value: 9 });
    server.hook = (m, p, init) => {
      if (m === 'PUT' && p.includes('/audits/')) {
        const body = JSON.parse(String(init?.body));
        if (body.responses.some((r: any) => r.value === 9))
          return json(400, { error: { code: 'validation_error', message: 'Some answers are not valid.', fields: { 'responses.3.value': ['Effort is 1 to 7.'] } } });
      }
      return null;
    };
    const r = await flush({ api, now });
    expect(r.attention).toBe(1);
    let local = (await getAudit(a.id))!;
    expect(local.sync.attention).toEqual({ code: 'validation_error', message: 'Some answers are not valid.', fields: { 'responses.3.value': ['Effort is 1 to 7.'] } });
    // the walk shows it under item 3
    expect(refusalsByItem(local.sync.attention?.fields).items).toEqual({ 3: ['Effort is 1 to 7.'] });
    await setResponse(a.id, 3, { value: 5 });
    local = (await getAudit(a.id))!;
    expect(local.sync.attention).toBeNull();
    await flush({ api, now });
    expect(server.audits.get(a.id)!.body.responses[0].value).toBe(5);
  });

  it('a 401 stops the flush and asks for sign-in, keeping everything', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    server.hook = () => json(401, { error: { code: 'not_authenticated', message: 'Sign in' } });
    const r = await flush({ api, now });
    expect(r.authNeeded).toBe(true);
    const local = (await getAudit(a.id))!;
    expect(local.sync.attempts).toBe(0);
    expect(local.sync.attention).toBeNull();
    expect(r.pending).toBe(1);
  });

  it('a draft\'s photos wait on the phone; once submitted: draft, photos with their sha256, then the submit', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    const p1 = await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(1), type: 'image/jpeg', width: 10, height: 10 });
    const p2 = await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(2), type: 'image/jpeg', width: 10, height: 10 });
    const p3 = await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(3), type: 'image/jpeg', width: 10, height: 10 });
    await deletePhoto(p3.id);
    await flush({ api, now });
    expect(server.photos.size).toBe(0);
    expect(server.audits.get(a.id)!.state).toBe('draft');

    await submitAudit(a.id);
    server.requests = [];
    const r = await flush({ api, now });
    expect(r.photosStored).toBe(2);
    const seq = server.requests.filter((q) => q.method === 'PUT').map((q) => q.path.split('/')[3] + ':' + (q.body?.state ?? q.path.split('/')[4]));
    // the server already had the draft (revision - 1), so no draft PUT is needed
    expect(seq.slice(0, 2).sort()).toEqual([`photos:${p1.id}`, `photos:${p2.id}`].sort());
    expect(seq[2]).toBe('audits:submitted');
    expect(server.photos.get(p1.id)!.sha256).toBe(await sha256Hex(await jpeg(1)));
    expect(server.photos.get(p2.id)!.sha256).toBe(await sha256Hex(await jpeg(2)));
    expect(server.photos.has(p3.id)).toBe(false);
    expect(server.audits.get(a.id)!.state).toBe('submitted');
    const photos = await allPhotos();
    expect(photos.every((p) => p.stored && p.sha256)).toBe(true);
    // nothing removed from the phone
    expect(photos.length).toBe(2);
    expect(auditStatus((await getAudit(a.id))!, photos)).toBe('stored');
    await expect(deletePhoto(p1.id)).rejects.toThrow();
  });

  it('submitted offline without any earlier send: draft first, then photos, then the submit', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await setResponse(a.id, 1, { value: 'done' });
    const p = await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(1), type: 'image/jpeg', width: 10, height: 10 });
    await submitAudit(a.id);
    await flush({ api, now });
    const seq = server.requests.filter((q) => q.method === 'PUT').map((q) => q.path.split('/')[3] + ':' + (q.body?.state ?? q.path.split('/')[4]));
    expect(seq).toEqual(['audits:draft', `photos:${p.id}`, 'audits:submitted']);
    const local = (await getAudit(a.id))!;
    expect(server.audits.get(a.id)!.revision).toBe(local.revision);
    expect(server.audits.get(a.id)!.body.submitted_at).toBe(local.submitted_at);
  });

  it('409 audit_not_found on a photo sends the audit again, then the photo', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(1), type: 'image/jpeg', width: 10, height: 10 });
    await submitAudit(a.id);
    // the phone believes the server has the draft, but the server lost it
    await updateAudit(a.id, (x) => {
      x.sync.confirmedRevision = x.revision - 1;
    });
    const r = await flush({ api, now });
    expect(server.photos.size).toBe(1);
    expect(server.audits.get(a.id)!.state).toBe('submitted');
    expect(r.pending).toBe(0);
  });

  it('409 photo_conflict needs attention; the audit stays unsubmitted on the server', async () => {
    const { server, api, now } = setup();
    await kvSet('csrf', 'tok');
    const a = await createAudit(base);
    const p = await addPhoto({ audit: a.id, item: 50, step: 2, data: await jpeg(1), type: 'image/jpeg', width: 10, height: 10 });
    server.photos.set(p.id, { sha256: 'other', audit: a.id, bytes: 1, item: null });
    await submitAudit(a.id);
    const r = await flush({ api, now });
    expect(r.attention).toBe(1);
    const photo = (await allPhotos())[0];
    expect(photo.sync.attention?.code).toBe('photo_conflict');
    expect(auditStatus((await getAudit(a.id))!, [photo])).toBe('attention');
  });

  it('ends the same with a server failing a third of the requests at random', async () => {
    const { server, api, now, advance } = setup();
    let seed = 42;
    server.random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    server.failRate = 1 / 3;
    await kvSet('csrf', 'tok');
    const ids: string[] = [];
    for (let v = 0; v < 3; v++) {
      const a = await createAudit({ ...base, visit: v });
      ids.push(a.id);
      for (let i = 0; i < 3; i++) {
        await setResponse(a.id, 100 + i, { value: i + 1 });
        await addPhoto({ audit: a.id, item: 50, step: i, data: await jpeg(v * 10 + i), type: 'image/jpeg', width: 10, height: 10 });
      }
      await submitAudit(a.id);
    }
    let rounds = 0;
    let r;
    do {
      r = await flush({ api, now, backoff: { baseMs: 100, maxMs: 1000 } });
      advance(1000);
    } while (r.pending > 0 && ++rounds < 50);
    expect(r.pending).toBe(0);
    expect(server.audits.size).toBe(3);
    expect(server.photos.size).toBe(9);
    for (const id of ids) {
      const s = server.audits.get(id)!;
      expect(s.state).toBe('submitted');
      expect(s.body.responses.map((x: any) => x.value).sort()).toEqual([1, 2, 3, null].sort());
    }
    for (const p of await allPhotos()) expect(server.photos.get(p.id)!.sha256).toBe(p.sha256);
  });

  it('a failed IndexedDB write is not swallowed', async () => {
    const { api, now } = setup();
    const a = await createAudit(base);
    await run(async (db) => {
      await db.delete('audits', a.id);
    });
    await expect(setResponse(a.id, 1, { value: 1 })).rejects.toThrow(/not on the phone/);
    await expect(flush({ api, now })).resolves.toBeTruthy();
  });
});
