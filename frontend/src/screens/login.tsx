import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { allAudits, clearAll, kvGet, kvSet } from '../lib/db';
import { t } from '../lib/i18n';
import type { Me } from '../lib/types';
import { changed, flushNow, refreshData, setAuthNeeded } from '../state';
import { TopBar } from '../ui';

/** The organization to work in: one where the person walks (auditor, executive) if any. */
export function pickOrg(me: Me, previous?: number | null): number | null {
  const ms = me.memberships.filter((m) => m.role !== 'client_viewer');
  if (previous && ms.some((m) => m.organization.id === previous)) return previous;
  const walker = ms.find((m) => m.role === 'auditor' || m.role === 'executive') ?? ms[0] ?? me.memberships[0];
  return walker?.organization.id ?? null;
}

export function Login({ expired }: { expired?: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(expired ? t('login.expired') : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.login(email.trim(), password);
      const before = await kvGet<Me>('me');
      if (before && before.id !== me.id) {
        // another person on this phone: keep nothing of theirs unless it is still unsent
        const unsent = (await allAudits()).some((a) => a.sync.confirmedRevision < a.revision);
        if (!unsent) await clearAll();
      }
      await kvSet('me', me);
      await kvSet('org', pickOrg(me, await kvGet<number>('org')));
      setAuthNeeded(false);
      changed();
      location.hash = '#/';
      await refreshData();
      void flushNow(true);
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) setError(t('login.offline'));
      else if (err instanceof ApiError && (err.status === 400 || err.status === 401 || err.status === 403)) setError(err.message && err.code !== 'http_400' ? err.message : t('login.failed'));
      else setError(String((err as Error)?.message ?? err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="screen login">
      <TopBar title={t('app.name')} />
      <form class="card" onSubmit={submit}>
        <h2>{t('login.title')}</h2>
        <label for="email">{t('login.email')}</label>
        <input id="email" name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="password">{t('login.password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
