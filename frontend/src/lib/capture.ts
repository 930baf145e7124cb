// Every tap of the walk, written to IndexedDB at once (and bumping the audit's revision, which
// puts it back in the outbox). These functions throw when the write fails: the UI shows it.
import { run, updateAudit } from './db';
import { uuid } from './hash';
import { newPhotoSync, newSyncInfo, touch } from './outbox';
import * as sw from './stopwatch';
import type { Checkin, LocalAudit, LocalPhoto, Timer } from './types';

export type NewAudit = Pick<LocalAudit, 'organization' | 'visit' | 'journey' | 'checklist_version' | 'persona' | 'kind'>;

export async function createAudit(init: NewAudit, now = new Date()): Promise<LocalAudit> {
  const audit: LocalAudit = {
    id: uuid(),
    ...init,
    revision: 1,
    state: 'draft',
    started_at: now.toISOString(),
    submitted_at: null,
    checkin: null,
    responses: {},
    expectations: {},
    walking: init.kind === 'visit',
    updated_at: now.getTime(),
    sync: newSyncInfo(),
  };
  await run(async (db) => {
    await db.put('audits', audit);
  });
  return audit;
}

/** The draft for a visit, if one was started on this phone. */
export async function auditForVisit(visit: number): Promise<LocalAudit | undefined> {
  const list = await run((db) => db.getAllFromIndex('audits', 'visit', visit));
  return list.sort((a, b) => b.started_at.localeCompare(a.started_at))[0];
}

function editable(a: LocalAudit) {
  if (a.state !== 'draft') throw new Error('This audit is submitted and can no longer be changed on the phone.');
}

export async function setResponse(
  auditId: string,
  item: number,
  change: { value?: unknown; detail?: Record<string, any> | null; note?: string },
): Promise<LocalAudit> {
  const a = await updateAudit(auditId, (a) => {
    editable(a);
    const key = String(item);
    const r = a.responses[key] ?? { id: uuid(), item, value: null, detail: null, note: '' };
    if ('value' in change) r.value = change.value ?? null;
    if ('detail' in change) r.detail = change.detail ?? null;
    if ('note' in change) r.note = change.note ?? '';
    a.responses[key] = r;
    touch(a);
  });
  if (!a) throw new Error('The audit is not on the phone.');
  return a;
}

export async function clearResponse(auditId: string, item: number): Promise<LocalAudit> {
  const a = await updateAudit(auditId, (a) => {
    editable(a);
    delete a.responses[String(item)];
    touch(a);
  });
  if (!a) throw new Error('The audit is not on the phone.');
  return a;
}

export async function setCheckin(auditId: string, checkin: Checkin): Promise<LocalAudit> {
  const a = await updateAudit(auditId, (a) => {
    editable(a);
    a.checkin = checkin;
    touch(a);
  });
  if (!a) throw new Error('The audit is not on the phone.');
  return a;
}

export async function setExpectation(auditId: string, step: number, change: { level?: number | null; effort?: number | null }) {
  const a = await updateAudit(auditId, (a) => {
    editable(a);
    const e = a.expectations[String(step)] ?? { step, level: null, effort: null };
    if ('level' in change) e.level = change.level ?? null;
    if ('effort' in change) e.effort = change.effort ?? null;
    a.expectations[String(step)] = e;
    touch(a);
  });
  if (!a) throw new Error('The audit is not on the phone.');
  return a;
}

export async function startWalking(auditId: string) {
  return updateAudit(auditId, (a) => {
    a.walking = true;
  });
}

export async function submitAudit(auditId: string, now = new Date()): Promise<LocalAudit> {
  const a = await updateAudit(auditId, (a) => {
    editable(a);
    a.state = 'submitted';
    a.submitted_at = now.toISOString();
    touch(a, now.getTime());
  });
  if (!a) throw new Error('The audit is not on the phone.');
  return a;
}

/** A returned visit: back to draft so the auditor can correct and submit again. */
export async function reopenAudit(auditId: string): Promise<LocalAudit | undefined> {
  return updateAudit(auditId, (a) => {
    a.state = 'draft';
    a.submitted_at = null;
    a.sync.attention = null;
    touch(a);
  });
}

/** Stop sending this phone's copy (the server keeps its own, e.g. after audit_frozen). */
export async function acceptServerVersion(auditId: string): Promise<void> {
  await updateAudit(auditId, (a) => {
    a.sync.attention = null;
    a.sync.confirmedRevision = a.revision;
  });
}

// ---- photos ------------------------------------------------------------------------------

export async function addPhoto(p: {
  audit: string;
  item: number | null;
  step: number | null;
  data: ArrayBuffer;
  type: string;
  width: number;
  height: number;
  latitude?: number | null;
  longitude?: number | null;
  sha256?: string | null;
}): Promise<LocalPhoto> {
  const photo: LocalPhoto = {
    id: uuid(),
    audit: p.audit,
    item: p.item,
    step: p.step,
    taken_at: new Date().toISOString(),
    latitude: p.latitude ?? null,
    longitude: p.longitude ?? null,
    data: p.data,
    type: p.type,
    width: p.width,
    height: p.height,
    sha256: p.sha256 ?? null,
    stored: false,
    serverState: null,
    sync: newPhotoSync(),
  };
  await run(async (db) => {
    const tx = db.transaction(['photos', 'audits'], 'readwrite');
    const a = await tx.objectStore('audits').get(p.audit);
    if (!a) throw new Error('The audit is not on the phone.');
    editable(a);
    await tx.objectStore('photos').put(photo);
    // a photo item's answer is null: the photos point at the item
    if (p.item !== null && !a.responses[String(p.item)]) {
      a.responses[String(p.item)] = { id: uuid(), item: p.item, value: null, detail: null, note: '' };
    }
    touch(a);
    await tx.objectStore('audits').put(a);
    await tx.done;
  });
  return photo;
}

/** Delete a photo that has not been sent (a sent one is evidence on the server). */
export async function deletePhoto(id: string): Promise<void> {
  await run(async (db) => {
    const tx = db.transaction(['photos', 'audits'], 'readwrite');
    const p = await tx.objectStore('photos').get(id);
    if (!p) return;
    if (p.stored) throw new Error('This photo is already on the server.');
    const a = await tx.objectStore('audits').get(p.audit);
    if (a) {
      editable(a);
      touch(a);
      await tx.objectStore('audits').put(a);
    }
    await tx.objectStore('photos').delete(id);
    await tx.done;
  });
}

// ---- stopwatches -------------------------------------------------------------------------

export async function getTimer(audit: string, item: number): Promise<Timer> {
  return (await run((db) => db.get('timers', `${audit}:${item}`))) ?? sw.newTimer(audit, item);
}

export async function saveTimer(t: Timer): Promise<void> {
  await run(async (db) => {
    await db.put('timers', t);
  });
}

/** Write the stopwatch's time and laps into the duration item's answer. */
export async function timerToResponse(t: Timer, now = Date.now()): Promise<LocalAudit> {
  return setResponse(t.audit, t.item, { value: sw.seconds(t, now), detail: t.laps.length ? { laps: t.laps } : null });
}
