import { useEffect, useState } from 'preact/hooks';
import { getMe, getOrg } from '../data';
import { api } from '../lib/api';
import { clearAll, kvSet } from '../lib/db';
import { formatBytes, LOCALE_NAMES, LOCALES, locale, setLocale, t, tn, type Locale } from '../lib/i18n';
import { pendingCount } from '../lib/outbox';
import { changed, refreshData, toast, useLive } from '../state';
import { BottomNav, Chips, TopBar } from '../ui';
import { checkForUpdate } from '../pwa';

export function Settings() {
  const me = useLive(getMe, []);
  const org = useLive(getOrg, []);
  const [est, setEst] = useState<{ usage?: number; quota?: number } | null>(null);
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [lang, setLang] = useState<Locale>(locale());
  useEffect(() => {
    void navigator.storage?.estimate?.().then(setEst, () => setEst(null));
    void navigator.storage?.persisted?.().then(setPersisted, () => setPersisted(null));
  }, []);

  const signOut = async () => {
    const n = await pendingCount();
    if (n > 0) {
      toast(tn('settings.signOutRefused', n), 'error', 8000);
      return;
    }
    if (!confirm(t('settings.signOutConfirm'))) return;
    try {
      await api.logout();
    } catch {
      /* offline or already signed out: the local data is what matters */
    }
    await clearAll();
    changed();
    location.hash = '#/login';
    location.reload();
  };

  const orgs = (me?.memberships ?? []).filter((m) => m.role !== 'client_viewer');
  return (
    <main class="screen settings">
      <TopBar title={t('settings.title')} />
      <div class="content">
        <Chips
          legend={t('settings.language')}
          selected={lang}
          onSelect={async (l: Locale) => {
            await setLocale(l);
            await kvSet('locale', l);
            setLang(l);
          }}
          options={LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))}
        />
        {orgs.length > 1 ? (
          <Chips
            legend={t('home.organization')}
            cls="stack"
            selected={org}
            onSelect={async (id: number) => {
              await kvSet('org', id);
              changed();
              await refreshData();
            }}
            options={orgs.map((m) => ({ value: m.organization.id, label: m.organization.name, sub: m.role }))}
          />
        ) : null}
        <section>
          <h2>{t('settings.storage')}</h2>
          <p id="storage-used">
            {est?.usage !== undefined && est.quota ? t('settings.storageValue', { used: formatBytes(est.usage), quota: formatBytes(est.quota) }) : t('settings.storageUnknown')}
          </p>
          {persisted !== null ? <p class="hint">{persisted ? t('settings.persisted') : t('settings.notPersisted')}</p> : null}
        </section>
        <section>
          <h2>{me ? t('settings.account', { email: me.email }) : ''}</h2>
          <button type="button" class="btn danger wide" id="sign-out" onClick={signOut}>
            {t('settings.signOut')}
          </button>
        </section>
        <section>
          <p class="hint">{t('settings.version', { v: __APP_VERSION__ })}</p>
          <button type="button" class="btn wide" onClick={() => checkForUpdate()}>
            {t('settings.checkUpdate')}
          </button>
        </section>
      </div>
      <BottomNav active="settings" />
    </main>
  );
}
