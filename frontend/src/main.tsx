import { render } from 'preact';
import { App } from './app';
import { api } from './lib/api';
import { kvGet, kvSet } from './lib/db';
import { pickLocale, setLocale, type Locale } from './lib/i18n';
import { startPwa } from './pwa';
import { pickOrg } from './screens/login';
import { changed, flushNow, installSyncTriggers, refreshData, setAuthNeeded } from './state';
import type { Me } from './lib/types';
import './styles.css';

// A chunk that fails to load (an old page after a new deploy): reload once to get the new shell.
addEventListener('vite:preloadError', (e) => {
  e.preventDefault();
  if (!sessionStorage.getItem('tp-reloaded')) {
    sessionStorage.setItem('tp-reloaded', '1');
    location.reload();
  }
});

async function boot() {
  const saved = await kvGet<Locale>('locale').catch(() => undefined);
  await setLocale(saved ?? pickLocale(navigator.languages ?? [navigator.language])).catch(() => setLocale('en'));
  render(<App />, document.getElementById('app')!);
  sessionStorage.removeItem('tp-reloaded');
  startPwa();
  installSyncTriggers();
  // Ask the browser not to clear our IndexedDB under storage pressure.
  void navigator.storage?.persist?.().catch(() => false);

  const me = await kvGet<Me>('me');
  if (!me) return;
  // Online: refresh who we are (and notice an ended session), then send and fetch.
  if (navigator.onLine) {
    try {
      const fresh = await api.me();
      await kvSet('me', fresh);
      await kvSet('org', pickOrg(fresh, await kvGet<number>('org')));
      if (!(await kvGet('csrf'))) await api.refreshCsrf().catch(() => null);
      changed();
    } catch (e: any) {
      if (e?.isAuth) setAuthNeeded(true);
    }
    await flushNow(true);
    await refreshData();
  }
}

void boot();
