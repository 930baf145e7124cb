// The outbox: sends what the phone captured, in the order the server needs, and removes nothing.
//
// State lives in the records themselves (audit.sync, photo.sync), written to IndexedDB before and
// after each request, so a page killed at any moment resumes where it was:
//   saved on the phone  -> sending -> stored          (confirmedRevision >= revision)
//                               \-> needs attention   (the server refused it; a person must act)
//                               \-> saved, retry later (offline, 5xx, 429: back-off)
// A crash between "sent" and "confirmed" leaves confirmedRevision behind, so the same body is sent
// again; the server's PUT is an idempotent upsert, so that is harmless.
//
// Order for one audit: while it is a draft only the audit goes (photos can still be deleted on the
// phone). Once submitted: the same answers as a draft (revision - 1) so the server has the audit,
// then its photos (sha256 of the exact bytes), then the submitted revision, which freezes it.
import { ApiError, type Api } from './api';
import { backoffDelay, type BackoffOptions } from './backoff';
import { auditBody } from './checklist';
import { allAudits, allPhotos, getAudit, photosOf, run, updateAudit, updatePhoto } from './db';
import { sha256Hex } from './hash';
import type { LocalAudit, LocalPhoto, SyncInfo, SyncStatus, Version } from './types';

export interface OutboxOptions {
  api: Api;
  now?: () => number;
  backoff?: BackoffOptions;
  /** send everything now, ignoring back-off ("Sync now", `online`) */
  force?: boolean;
}

export interface FlushResult {
  auditsStored: number;
  photosStored: number;
  failures: number;
  attention: number;
  offline: boolean;
  authNeeded: boolean;
  /** items still waiting after this flush */
  pending: number;
}

export function newSyncInfo(): SyncInfo {
  return { confirmedRevision: 0, sentRevision: 0, sending: false, attempts: 0, nextAttemptAt: 0, attention: null, lastError: null };
}

export function newPhotoSync(): LocalPhoto['sync'] {
  return { sending: false, attempts: 0, nextAttemptAt: 0, attention: null, lastError: null };
}

export function auditNeedsSending(a: LocalAudit): boolean {
  return a.sync.confirmedRevision < a.revision && !a.sync.attention;
}

export function photoNeedsSending(p: LocalPhoto): boolean {
  return !p.stored && !p.sync.attention;
}

export function auditStatus(a: LocalAudit, photos: LocalPhoto[] = []): SyncStatus {
  if (a.sync.attention || photos.some((p) => p.sync.attention)) return 'attention';
  const done = a.sync.confirmedRevision >= a.revision && (a.state === 'draft' || photos.every((p) => p.stored));
  if (done) return 'stored';
  if (a.sync.sending || photos.some((p) => p.sync.sending)) return 'sending';
  return 'saved';
}

export function photoStatus(p: LocalPhoto): SyncStatus {
  if (p.sync.attention) return 'attention';
  if (p.stored) return 'stored';
  if (p.sync.sending) return 'sending';
  return 'saved';
}

/** How many things are not yet on the server (the count on the home screen). */
export async function pendingCount(): Promise<number> {
  const [audits, photos] = await Promise.all([allAudits(), allPhotos()]);
  return audits.filter((a) => a.sync.confirmedRevision < a.revision || a.sync.attention).length + photos.filter((p) => !p.stored).length;
}

// ---- one flush at a time, across tabs and the service worker where Web Locks exist ----------

let localChain: Promise<unknown> = Promise.resolve();

function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as any).navigator?.locks;
  if (locks?.request) return locks.request('touchpoint-outbox', fn) as Promise<T>;
  const result = localChain.then(fn, fn);
  localChain = result.catch(() => undefined);
  return result;
}

class StopFlush extends Error {}

export function flush(opts: OutboxOptions): Promise<FlushResult> {
  return withLock(() => flushLocked(opts));
}

async function flushLocked(opts: OutboxOptions): Promise<FlushResult> {
  const now = opts.now ?? Date.now;
  const result: FlushResult = { auditsStored: 0, photosStored: 0, failures: 0, attention: 0, offline: false, authNeeded: false, pending: 0 };
  const due = (s: { nextAttemptAt: number }) => opts.force || s.nextAttemptAt <= now();

  try {
    // Oldest first: the auditor expects what they did first to arrive first.
    const audits = (await allAudits()).sort((a, b) => a.started_at.localeCompare(b.started_at));
    for (const a0 of audits) {
      // Two passes at most: a photo answered "audit_not_found" sends the audit again.
      for (let pass = 0; pass < 2; pass++) {
        const again = await flushAudit(a0.id, opts, result, due, now);
        if (!again) break;
      }
    }
  } catch (e) {
    if (!(e instanceof StopFlush)) throw e;
  }
  const [audits, photos] = await Promise.all([allAudits(), allPhotos()]);
  result.pending =
    audits.filter((a) => a.sync.confirmedRevision < a.revision || a.sync.attention).length + photos.filter((p) => !p.stored).length;
  return result;
}

/** Returns true when the audit should be gone through once more (the server lost it). */
async function flushAudit(
  id: string,
  opts: OutboxOptions,
  result: FlushResult,
  due: (s: { nextAttemptAt: number }) => boolean,
  now: () => number,
): Promise<boolean> {
  let audit = await getAudit(id);
  if (!audit) return false;
  const version = (await run((db) => db.get('versions', audit!.checklist_version))) ?? null;

  if (audit.state === 'submitted') {
    const photos = (await photosOf(id)).sort((x, y) => x.taken_at.localeCompare(y.taken_at));
    const unsent = photos.filter(photoNeedsSending);
    if (unsent.length) {
      // 1. the server must hold the audit before its photos: the answers as a draft
      if (audit.sync.confirmedRevision < audit.revision - 1 && !audit.sync.attention) {
        if (!due(audit.sync)) return false;
        const ok = await sendAudit(audit, version, opts, result, now, { state: 'draft', revision: audit.revision - 1 });
        if (!ok) return false;
      }
      // 2. the photos
      for (const p of unsent) {
        if (!due(p.sync)) continue;
        const outcome = await sendPhoto(p, opts, result, now);
        if (outcome === 'audit_not_found') {
          await updateAudit(id, (a) => {
            a.sync.confirmedRevision = 0;
          });
          return true;
        }
      }
      audit = (await getAudit(id))!;
      if ((await photosOf(id)).some((p) => !p.stored)) return false; // submit only with every photo in
    }
  }
  // 3. the audit itself (a draft as it is now, or the submitted one)
  if (auditNeedsSending(audit) && due(audit.sync)) {
    await sendAudit(audit, version, opts, result, now);
  }
  return false;
}

async function sendAudit(
  audit: LocalAudit,
  version: Version | null,
  opts: OutboxOptions,
  result: FlushResult,
  now: () => number,
  override?: { state: 'draft'; revision: number },
): Promise<boolean> {
  const body = { ...auditBody(audit, version), ...(override ?? {}) };
  const sentFrom = audit.revision;
  if (override) body.submitted_at = null;
  await updateAudit(audit.id, (a) => {
    a.sync.sending = true;
    a.sync.sentRevision = body.revision;
  });
  try {
    const res = await opts.api.putAudit(audit.id, body);
    await updateAudit(audit.id, (a) => {
      const s = a.sync;
      s.sending = false;
      s.attempts = 0;
      s.nextAttemptAt = 0;
      s.lastError = null;
      s.attention = null;
      const serverRev = typeof res.revision === 'number' ? res.revision : body.revision;
      if (res.stored) {
        s.confirmedRevision = Math.max(s.confirmedRevision, body.revision);
      } else if (serverRev >= sentFrom) {
        // The server already holds everything this phone had when it sent (or newer, from
        // another device): drop ours, do not send it again.
        if (a.revision > sentFrom) {
          // edited while the request was in flight: lift the edit above the server's revision
          if (a.revision <= serverRev) a.revision = serverRev + 1;
          s.confirmedRevision = Math.max(s.confirmedRevision, serverRev);
        } else {
          a.revision = Math.max(a.revision, serverRev);
          s.confirmedRevision = a.revision;
        }
      } else {
        // not stored, yet not newer on the server either (e.g. the draft step of a submitted
        // audit answered with the older draft the server had): count what was sent as held
        s.confirmedRevision = Math.max(s.confirmedRevision, Math.min(serverRev, body.revision));
      }
    });
    result.auditsStored++;
    return true;
  } catch (e) {
    await recordFailure(e, result, now, opts, (change) => updateAudit(audit.id, (a) => change(a.sync)));
    return false;
  }
}

async function sendPhoto(p: LocalPhoto, opts: OutboxOptions, result: FlushResult, now: () => number): Promise<'ok' | 'failed' | 'audit_not_found'> {
  let sha = p.sha256;
  if (!sha) {
    sha = await sha256Hex(p.data);
    await updatePhoto(p.id, (x) => {
      x.sha256 = sha;
    });
  }
  await updatePhoto(p.id, (x) => {
    x.sync.sending = true;
  });
  const form = new FormData();
  form.set('file', new Blob([p.data], { type: p.type || 'image/jpeg' }), `${p.id}.jpg`);
  form.set('sha256', sha);
  form.set('audit', p.audit);
  if (p.item !== null) form.set('item', String(p.item));
  if (p.step !== null) form.set('step', String(p.step));
  form.set('taken_at', p.taken_at);
  if (p.latitude !== null && p.longitude !== null) {
    form.set('latitude', String(p.latitude));
    form.set('longitude', String(p.longitude));
  }
  try {
    const res = await opts.api.putPhoto(p.id, form);
    await updatePhoto(p.id, (x) => {
      x.stored = true;
      x.serverState = res?.state ?? null;
      x.sync = { ...x.sync, sending: false, attempts: 0, nextAttemptAt: 0, attention: null, lastError: null };
    });
    result.photosStored++;
    return 'ok';
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && e.code === 'audit_not_found') {
      await updatePhoto(p.id, (x) => {
        x.sync.sending = false;
        x.sync.lastError = e.message;
      });
      return 'audit_not_found';
    }
    await recordFailure(e, result, now, opts, (change) => updatePhoto(p.id, (x) => change(x.sync)));
    return 'failed';
  }
}

type SyncLike = { sending: boolean; attempts: number; nextAttemptAt: number; attention: SyncInfo['attention']; lastError: string | null };

async function recordFailure(
  e: unknown,
  result: FlushResult,
  now: () => number,
  opts: OutboxOptions,
  update: (change: (s: SyncLike) => void) => Promise<unknown>,
): Promise<void> {
  if (!(e instanceof ApiError)) {
    await update((s) => {
      s.sending = false;
    });
    throw e; // a bug or a failed IndexedDB write: never swallowed
  }
  if (e.isAuth) {
    await update((s) => {
      s.sending = false;
    });
    result.authNeeded = true;
    throw new StopFlush();
  }
  if (e.isTransient) {
    result.failures++;
    await update((s) => {
      s.sending = false;
      s.attempts += 1;
      s.nextAttemptAt = now() + backoffDelay(s.attempts, opts.backoff);
      s.lastError = e.isNetwork ? 'offline' : `${e.status} ${e.message}`;
    });
    if (e.isNetwork) {
      result.offline = true;
      throw new StopFlush(); // no network: nothing else will get through either
    }
    return;
  }
  // 4xx: the server will refuse the same thing again; a person must look at it.
  result.attention++;
  await update((s) => {
    s.sending = false;
    s.attempts += 1;
    s.attention = { code: e.code, message: e.message, fields: e.fields };
    s.lastError = null;
  });
}

/** "Try again" on the outbox screen: clear a needs-attention mark and the back-off. */
export async function retryAudit(id: string): Promise<void> {
  await updateAudit(id, (a) => {
    a.sync.attention = null;
    a.sync.nextAttemptAt = 0;
  });
  for (const p of await photosOf(id)) {
    await updatePhoto(p.id, (x) => {
      x.sync.attention = null;
      x.sync.nextAttemptAt = 0;
    });
  }
}

/** Any local change to an audit: a new revision, and it goes back in the outbox. */
export function touch(a: LocalAudit, now = Date.now()): LocalAudit {
  a.revision += 1;
  a.updated_at = now;
  if (a.sync.attention && a.sync.attention.code !== 'audit_frozen') a.sync.attention = null;
  a.sync.nextAttemptAt = 0;
  return a;
}
