// Service worker registration with an update prompt (registerType 'prompt'): a new version waits
// until the person says "Update"; nothing unsynced is at risk since every capture is already in
// IndexedDB. Updates are looked for when the app comes back into view or gets focus.
import { useEffect, useState } from 'preact/hooks';
import { registerSW } from 'virtual:pwa-register';

let needRefresh = false;
let offlineReady = false;
let registration: ServiceWorkerRegistration | undefined;
let updateSW: ((reload?: boolean) => Promise<void>) | undefined;
const subs = new Set<() => void>();
const notify = () => subs.forEach((f) => f());

export async function checkForUpdate() {
  try {
    await registration?.update();
  } catch {
    /* offline */
  }
}

export function startPwa() {
  if (!('serviceWorker' in navigator)) return;
  updateSW = registerSW({
    immediate: true,
    onNeedRefresh() {
      needRefresh = true;
      notify();
    },
    onOfflineReady() {
      offlineReady = true;
      notify();
      setTimeout(() => {
        offlineReady = false;
        notify();
      }, 4000);
    },
    onRegisteredSW(_url, reg) {
      registration = reg;
    },
  });
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void checkForUpdate());
  addEventListener('focus', () => void checkForUpdate());
}

export function applyUpdate() {
  needRefresh = false;
  notify();
  void updateSW?.(true);
}

export function dismissUpdate() {
  needRefresh = false;
  offlineReady = false;
  notify();
}

export function usePwa() {
  const [, force] = useState(0);
  useEffect(() => {
    const f = () => force((n) => n + 1);
    subs.add(f);
    return () => void subs.delete(f);
  }, []);
  return { needRefresh, offlineReady };
}
