// IndexedDB through idb. Everything the phone knows lives here: the synced reference data,
// the audits being walked, their photos (as ArrayBuffer + type, never Blob: Safari), the timers.
//
// Safari has dropped its IndexedDB connection under us ("Connection to Indexed Database server
// lost"). Every call goes through `run`, which reopens the database once on such an error and
// tries again; any other failure is thrown to the caller. A failed write is never swallowed.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type {
  FrictionTag,
  Journey,
  LocalAudit,
  LocalPhoto,
  Location,
  Persona,
  Scenario,
  Timer,
  Version,
  Visit,
} from './types';

export const DB_NAME = 'touchpoint';
export const DB_VERSION = 1;

export interface TouchpointDB extends DBSchema {
  kv: { key: string; value: any };
  visits: { key: number; value: Visit };
  journeys: { key: number; value: Journey };
  versions: { key: number; value: Version };
  scenarios: { key: number; value: Scenario };
  locations: { key: number; value: Location };
  personas: { key: number; value: Persona };
  tags: { key: string; value: FrictionTag };
  audits: { key: string; value: LocalAudit; indexes: { visit: number } };
  photos: { key: string; value: LocalPhoto; indexes: { audit: string } };
  timers: { key: string; value: Timer; indexes: { audit: string } };
}

export type StoreName = 'kv' | 'visits' | 'journeys' | 'versions' | 'scenarios' | 'locations' | 'personas' | 'tags' | 'audits' | 'photos' | 'timers';
export const REFERENCE_STORES = ['visits', 'journeys', 'versions', 'scenarios', 'locations', 'personas', 'tags'] as const;
export type ReferenceStore = (typeof REFERENCE_STORES)[number];

export type DB = IDBPDatabase<TouchpointDB>;

/** Errors that mean "the connection is gone", worth one reopen and retry. */
export function isConnectionError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as any).name as string | undefined;
  const message = String((e as any).message ?? '');
  return (
    name === 'InvalidStateError' ||
    name === 'UnknownError' ||
    /connection.*(lost|closed|closing)|database.*(closed|closing)|is closing/i.test(message)
  );
}

let dbPromise: Promise<DB> | null = null;
let openCount = 0;

function open(): Promise<DB> {
  openCount++;
  return openDB<TouchpointDB>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('kv');
      db.createObjectStore('visits', { keyPath: 'id' });
      db.createObjectStore('journeys', { keyPath: 'id' });
      db.createObjectStore('versions', { keyPath: 'id' });
      db.createObjectStore('scenarios', { keyPath: 'id' });
      db.createObjectStore('locations', { keyPath: 'id' });
      db.createObjectStore('personas', { keyPath: 'id' });
      db.createObjectStore('tags', { keyPath: 'code' });
      db.createObjectStore('audits', { keyPath: 'id' }).createIndex('visit', 'visit');
      db.createObjectStore('photos', { keyPath: 'id' }).createIndex('audit', 'audit');
      db.createObjectStore('timers', { keyPath: 'key' }).createIndex('audit', 'audit');
    },
    blocked() {},
    blocking() {
      // A newer version of the app wants to upgrade: let it, we reopen on next use.
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
    terminated() {
      dbPromise = null;
    },
  });
}

export function getDB(): Promise<DB> {
  if (!dbPromise) {
    dbPromise = open().catch((e) => {
      dbPromise = null;
      throw e;
    });
  }
  return dbPromise;
}

/** Close and forget the connection (tests; the `blocking` upgrade path). */
export async function closeDB(): Promise<void> {
  const p = dbPromise;
  dbPromise = null;
  if (p) (await p.catch(() => null))?.close();
}

export function dbOpenCount(): number {
  return openCount;
}

/** Run `fn` against the database; on a lost connection reopen once and run it again. */
export async function run<T>(fn: (db: DB) => Promise<T>): Promise<T> {
  try {
    return await fn(await getDB());
  } catch (e) {
    if (!isConnectionError(e)) throw e;
    await closeDB();
    return await fn(await getDB());
  }
}

// ---- small helpers used all over ---------------------------------------------------------

export const kvGet = <T = any>(key: string): Promise<T | undefined> => run((db) => db.get('kv', key));
export const kvSet = (key: string, value: unknown): Promise<void> =>
  run(async (db) => {
    await db.put('kv', value, key);
  });
export const kvDel = (key: string): Promise<void> => run((db) => db.delete('kv', key));

export const getAudit = (id: string) => run((db) => db.get('audits', id));
export const allAudits = () => run((db) => db.getAll('audits'));
export const putAudit = (a: LocalAudit) =>
  run(async (db) => {
    await db.put('audits', a);
  });

export const updateAudit = (id: string, change: (a: LocalAudit) => LocalAudit | void) => update('audits', id, change);
export const updatePhoto = (id: string, change: (p: LocalPhoto) => LocalPhoto | void) => update('photos', id, change);

type StoreRow<S extends 'audits' | 'photos'> = TouchpointDB[S]['value'];

/**
 * Read-modify-write one row in a single transaction, so an edit made while the outbox is sending is
 * never overwritten by the outbox's bookkeeping (and vice versa).
 */
async function update<S extends 'audits' | 'photos'>(
  store: S,
  id: string,
  change: (row: StoreRow<S>) => StoreRow<S> | void,
): Promise<StoreRow<S> | undefined> {
  return run(async (db) => {
    const tx = db.transaction(store, 'readwrite');
    const current = (await tx.store.get(id)) as StoreRow<S> | undefined;
    if (!current) {
      await tx.done;
      return undefined;
    }
    const next = change(current) ?? current;
    await tx.store.put(next as never);
    await tx.done;
    return next;
  });
}

export const photosOf = (audit: string) => run((db) => db.getAllFromIndex('photos', 'audit', audit));
export const allPhotos = () => run((db) => db.getAll('photos'));

/** Forget everything (sign out, once nothing is waiting to be sent). */
export async function clearAll(): Promise<void> {
  await run(async (db) => {
    const names: StoreName[] = ['kv', ...REFERENCE_STORES, 'audits', 'photos', 'timers'];
    const tx = db.transaction(names, 'readwrite');
    await Promise.all(names.map((n) => tx.objectStore(n).clear()));
    await tx.done;
  });
}
