import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach } from 'vitest';
import { closeDB } from '../src/lib/db';

beforeEach(async () => {
  await closeDB();
  // a brand-new, empty IndexedDB for every test
  (globalThis as any).indexedDB = new IDBFactory();
});
