// App-level glue: live reads from IndexedDB, the hash router, toasts, and when to flush the outbox.
import { useEffect, useState } from 'preact/hooks';
import { api } from './lib/api';
import { allAudits, kvGet } from './lib/db';
import { t } from './lib/i18n';
import { flush, type FlushResult } from './lib/outbox';
import { pull } from './lib/sync';

// ---- change notification: every write calls changed(); live views re-read ------------------

const subscribers = new Set<() => void>();
export function changed() {
  subscribers.forEach((f) => f());
}
export function onChanged(f: () => void) {
  subscribers.add(f);
  return () => subscribers.delete(f);
}

/** Read something from IndexedDB and read it again whenever anything changes. */
export function useLive<T>(read: () => Promise<T>, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    const load = () =>
      read().then(
        (v) => alive && setValue(() => v),
        (e) => alive && toast(t('app.saveFailed', { message: String(e?.message ?? e) }), 'error'),
      );
    load();
    const off = onChanged(load);
    return () => {
      alive = false;
      off();
    };
  }, deps);
  return value;
}

// ---- router (hash) ---------------------------------------------------------------------------

export function currentRoute(): string[] {
  return location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const f = () => setRoute(currentRoute());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return route;
}

export function go(path: string) {
  location.hash = path.startsWith('#') ? path : `#${path}`;
}

// ---- toasts -------------------------------------------------------------------------------------

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}
let toasts: Toast[] = [];
let toastId = 0;
const toastSubs = new Set<(t: Toast[]) => void>();
export function toast(text: string, kind: Toast['kind'] = 'info', ms = 5000) {
  const item = { id: ++toastId, text, kind };
  toasts = [...toasts, item];
  toastSubs.forEach((f) => f(toasts));
  setTimeout(() => {
    toasts = toasts.filter((x) => x !== item);
    toastSubs.forEach((f) => f(toasts));
  }, ms);
}
export function useToasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastSubs.add(setList);
    return () => void toastSubs.delete(setList);
  }, []);
  return list;
}

/**
 * Run a capture (a write to IndexedDB). A failure is shown, never swallowed; success tells the
 * views and schedules a send.
 */
export async function act<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    const r = await write();
    changed();
    scheduleFlush();
    return r;
  } catch (e: any) {
    toast(t('app.saveFailed', { message: String(e?.message ?? e) }), 'error', 8000);
    changed();
    return undefined;
  }
}

// ---- sync status and flushing ------------------------------------------------------------------

export interface SyncState {
  flushing: boolean;
  authNeeded: boolean;
  online: boolean;
  last: FlushResult | null;
}
let syncState: SyncState = { flushing: false, authNeeded: false, online: typeof navigator === 'undefined' ? true : navigator.onLine, last: null };
const syncSubs = new Set<(s: SyncState) => void>();
function setSync(p: Partial<SyncState>) {
  syncState = { ...syncState, ...p };
  syncSubs.forEach((f) => f(syncState));
}
export function useSync() {
  const [s, set] = useState(syncState);
  useEffect(() => {
    syncSubs.add(set);
    return () => void syncSubs.delete(set);
  }, []);
  return s;
}
export const setAuthNeeded = (v: boolean) => setSync({ authNeeded: v });

let flushTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** A send soon after the last tap (taps come in bursts). */
export function scheduleFlush(delay = 1500) {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(() => void flushNow(false), delay);
}

export async function flushNow(force: boolean): Promise<FlushResult | null> {
  if (syncState.authNeeded && !force) return null;
  setSync({ flushing: true });
  changed();
  try {
    const r = await flush({ api, force });
    setSync({ last: r, authNeeded: r.authNeeded });
    if (r.pending > 0) {
      await registerBackgroundSync();
      await planRetry();
    }
    return r;
  } catch (e: any) {
    toast(String(e?.message ?? e), 'error');
    return null;
  } finally {
    setSync({ flushing: false });
    changed();
  }
}

/** While the app is open, wake up when the earliest back-off ends. */
async function planRetry() {
  clearTimeout(retryTimer);
  const audits = await allAudits();
  const next = Math.min(...audits.filter((a) => a.sync.confirmedRevision < a.revision && !a.sync.attention).map((a) => a.sync.nextAttemptAt), Infinity);
  if (!Number.isFinite(next) || !navigator.onLine) return;
  retryTimer = setTimeout(() => document.visibilityState === 'visible' && void flushNow(false), Math.max(1000, next - Date.now()));
}

/** Background Sync exists only in Chromium; elsewhere the app flushes on open/online/visibility. */
export async function registerBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.getRegistration?.();
    await (reg as any)?.sync?.register?.('touchpoint-outbox');
  } catch {
    /* not available: the other triggers cover it */
  }
}

export async function refreshData(): Promise<boolean> {
  const org = await kvGet<number>('org');
  if (!org) return false;
  try {
    await pull(api, org);
    changed();
    return true;
  } catch (e: any) {
    if (e?.isAuth) setAuthNeeded(true);
    return false;
  }
}

export function installSyncTriggers() {
  addEventListener('online', () => {
    setSync({ online: true });
    void flushNow(true).then(() => refreshData());
  });
  addEventListener('offline', () => setSync({ online: false }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flushNow(false);
  });
  navigator.serviceWorker?.addEventListener?.('message', (e: MessageEvent) => {
    if (e.data?.type === 'flush') void flushNow(true);
    if (e.data?.type === 'changed') changed();
  });
}
