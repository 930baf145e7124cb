import { useState } from 'preact/hooks';
import { auditHref, getMe, homeData } from '../data';
import { kvGet } from '../lib/db';
import { formatTime, t, tn } from '../lib/i18n';
import { pendingCount } from '../lib/outbox';
import type { Visit } from '../lib/types';
import { refreshData, useLive, useSync } from '../state';
import { BottomNav, Empty, TopBar } from '../ui';

function isToday(iso: string | null) {
  if (!iso) return false;
  const d = new Date(iso);
  const n = new Date();
  return d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
}

function VisitCard({ v }: { v: Visit & { locationName: string; scenarioTitle: string; journeyName: string; audit: { state: string } | null } }) {
  return (
    <li>
      <a class="card link" href={`#/visits/${v.id}`}>
        <strong>{v.locationName || v.journeyName}</strong>
        <span>{v.scenarioTitle || v.journeyName}</span>
        <small>
          {formatTime(v.window_start, true)}
          {v.window_end ? ` – ${formatTime(v.window_end, !isToday(v.window_end))}` : ''} · <span class={`status st-${v.status}`}>{t(`status.${v.status}`)}</span>
          {v.audit?.state === 'draft' ? ` · ${t('outbox.draft')}` : ''}
        </small>
      </a>
    </li>
  );
}

export function Home() {
  const me = useLive(getMe, []);
  const data = useLive(homeData, []);
  const pending = useLive(pendingCount, []) ?? 0;
  const syncedAt = useLive(async () => kvGet<number>(`synced_at:${await kvGet<number>('org')}`), []);
  const sync = useSync();
  const [refreshing, setRefreshing] = useState(false);
  const visits = data?.visits ?? [];
  const returned = visits.filter((v) => v.status === 'returned');
  const today = visits.filter((v) => v.status !== 'returned' && (isToday(v.window_start) || (v.window_start && new Date(v.window_start) < new Date())));
  const upcoming = visits.filter((v) => v.status !== 'returned' && !today.includes(v));

  return (
    <main class="screen home">
      <TopBar title={t('app.name')} />
      <div class="content">
        <p class="hello">{me ? t('home.hello', { name: me.name || me.email }) : ''}</p>
        {sync.authNeeded ? (
          <a class="banner warn" href="#/login">
            {t('login.expired')}
          </a>
        ) : null}
        <a class={`banner ${pending ? 'pending' : 'ok'}`} href="#/outbox" id="outbox-count">
          {pending ? tn('home.outbox', pending) : t('home.outbox.none')}
        </a>

        {returned.length ? (
          <section>
            <h2>{t('home.returned')}</h2>
            <ul class="list">{returned.map((v) => <VisitCard key={v.id} v={v} />)}</ul>
          </section>
        ) : null}
        <section>
          <h2>{t('home.today')}</h2>
          {today.length ? <ul class="list">{today.map((v) => <VisitCard key={v.id} v={v} />)}</ul> : <Empty>{t('home.noVisits')}</Empty>}
        </section>
        {upcoming.length ? (
          <section>
            <h2>{t('home.upcoming')}</h2>
            <ul class="list">{upcoming.map((v) => <VisitCard key={v.id} v={v} />)}</ul>
          </section>
        ) : null}

        <section>
          <h2>{t('home.drafts')}</h2>
          {data?.drafts.length ? (
            <ul class="list">
              {data.drafts.map((a) => (
                <li key={a.id}>
                  <a class="card link" href={auditHref(a)}>
                    <strong>{a.title || t('home.selfAudit')}</strong>
                    <small>
                      {a.kind === 'self' ? `${t('home.selfAudit')} · ` : ''}
                      {formatTime(a.updated_at, true)}
                    </small>
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('home.noDrafts')}</Empty>
          )}
        </section>

        <section class="fly">
          <a class="btn accent wide" href="#/fly" id="fly-economy">
            ✈ {t('home.fly')}
          </a>
          <p class="hint">{t('home.flyHint')}</p>
        </section>

        <p class="hint center">{syncedAt ? t('home.lastSync', { time: formatTime(syncedAt, true) }) : t('home.neverSynced')}</p>
        <button
          type="button"
          class="btn wide"
          disabled={refreshing}
          onClick={async () => {
            setRefreshing(true);
            await refreshData();
            setRefreshing(false);
          }}
        >
          {refreshing ? t('home.refreshing') : t('home.refresh')}
        </button>
      </div>
      <BottomNav active="home" />
    </main>
  );
}
