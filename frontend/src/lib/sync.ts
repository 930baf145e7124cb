// Pull: GET /api/v1/sync?organization=&since= and merge what changed into IndexedDB by id,
// so visits, journeys, checklists and the rest are there offline.
import type { Api } from './api';
import { kvGet, kvSet, REFERENCE_STORES, run, type ReferenceStore } from './db';
import type { SyncPayload } from './types';

const PAYLOAD_TO_STORE: Record<ReferenceStore, keyof SyncPayload> = {
  visits: 'visits',
  journeys: 'journeys',
  versions: 'checklist_versions',
  scenarios: 'scenarios',
  locations: 'locations',
  personas: 'personas',
  tags: 'friction_tags',
};

export const cursorKey = (org: number) => `cursor:${org}`;

/** Merge one sync answer into the database in a single transaction; returns how many rows changed. */
export async function applySync(org: number, payload: SyncPayload): Promise<number> {
  let changed = 0;
  await run(async (db) => {
    const tx = db.transaction([...REFERENCE_STORES, 'audits', 'photos', 'kv'] as const, 'readwrite');
    for (const store of REFERENCE_STORES) {
      const rows = (payload[PAYLOAD_TO_STORE[store]] as any[] | undefined) ?? [];
      for (const row of rows) {
        await tx.objectStore(store).put(row);
        changed++;
      }
    }
    // The server's word on our own captures: what it holds is confirmed, even if the phone
    // crashed before it read the answer.
    for (const sa of payload.audits ?? []) {
      const local = await tx.objectStore('audits').get(sa.id);
      if (local && sa.revision >= local.revision && local.sync.confirmedRevision < local.revision) {
        local.sync.confirmedRevision = local.revision;
        local.sync.sending = false;
        await tx.objectStore('audits').put(local);
      }
    }
    for (const sp of payload.photos ?? []) {
      const local = await tx.objectStore('photos').get(sp.id);
      if (local && !local.stored && local.sha256 && local.sha256 === sp.sha256) {
        local.stored = true;
        local.serverState = sp.state;
        local.sync.sending = false;
        await tx.objectStore('photos').put(local);
      }
    }
    await tx.objectStore('kv').put(payload.cursor, cursorKey(org));
    await tx.done;
  });
  await kvSet(`synced_at:${org}`, Date.now());
  return changed;
}

export async function pull(api: Api, org: number): Promise<number> {
  const since = await kvGet<string>(cursorKey(org));
  const payload = await api.sync(org, since ?? null);
  return applySync(org, payload);
}
