import { auditHref } from '../data';
import * as cap from '../lib/capture';
import { allAudits, allPhotos, run } from '../lib/db';
import { formatTime, t } from '../lib/i18n';
import { auditStatus, retryAudit } from '../lib/outbox';
import type { LocalAudit, LocalPhoto } from '../lib/types';
import { act, flushNow, useLive, useSync } from '../state';
import { BottomNav, Empty, TopBar } from '../ui';

interface Row {
  audit: LocalAudit;
  photos: LocalPhoto[];
  title: string;
}

async function rows(): Promise<Row[]> {
  const [audits, photos, journeys, visits, locations] = await Promise.all([
    allAudits(),
    allPhotos(),
    run((db) => db.getAll('journeys')),
    run((db) => db.getAll('visits')),
    run((db) => db.getAll('locations')),
  ]);
  return audits
    .sort((a, b) => b.updated_at - a.updated_at)
    .map((audit) => {
      const v = visits.find((x) => x.id === audit.visit);
      const loc = v ? locations.find((l) => l.id === v.location)?.name : undefined;
      const j = journeys.find((x) => x.id === audit.journey)?.name;
      // photo bytes are not needed here: keep the list light
      const ph = photos.filter((p) => p.audit === audit.id).map((p) => ({ ...p, data: new ArrayBuffer(0) }));
      return { audit, photos: ph, title: [j, loc].filter(Boolean).join(' · ') || audit.id.slice(0, 8) };
    });
}

export function Outbox() {
  const list = useLive(rows, []);
  const sync = useSync();
  return (
    <main class="screen outbox">
      <TopBar title={t('outbox.title')} />
      <div class="content">
        {sync.authNeeded ? (
          <a class="banner warn" href="#/login">
            {t('outbox.signIn')}
          </a>
        ) : null}
        {!sync.online ? <p class="banner">{t('outbox.offline')}</p> : null}
        {list && !list.length ? <Empty>{t('outbox.empty')}</Empty> : null}
        <ul class="list">
          {(list ?? []).map(({ audit: a, photos, title }) => {
            const status = auditStatus(a, photos);
            const stored = photos.filter((p) => p.stored).length;
            const attention = a.sync.attention ?? photos.find((p) => p.sync.attention)?.sync.attention ?? null;
            const lastError = a.sync.lastError ?? photos.find((p) => p.sync.lastError)?.sync.lastError;
            return (
              <li key={a.id} class={`card ob ob-${status}`} data-audit={a.id}>
                <div class="ob-head">
                  <strong>{title}</strong>
                  <span class={`pill st-${status}`}>{t(`outbox.state.${status}`)}</span>
                </div>
                <small>
                  {a.kind === 'self' ? `${t('home.selfAudit')} · ` : ''}
                  {a.state === 'submitted' ? t('outbox.submitted') : t('outbox.draft')} · {formatTime(a.updated_at, true)}
                </small>
                {photos.length ? <small>{t('outbox.photos', { stored, total: photos.length })}</small> : null}
                {status === 'saved' && lastError ? (
                  <small>
                    {lastError === 'offline' ? t('outbox.waiting') : t('outbox.lastError', { error: lastError })}
                    {a.sync.nextAttemptAt > Date.now() ? ` · ${t('outbox.retryAt', { time: formatTime(a.sync.nextAttemptAt) })}` : ''}
                  </small>
                ) : null}
                {attention ? (
                  <p class="error" role="alert">
                    {attention.code === 'audit_frozen' ? t('outbox.frozen') : attention.message}
                    {attention.fields
                      ? Object.entries(attention.fields).map(([k, v]) => (
                          <span key={k} class="block">
                            {k}: {v.join(' ')}
                          </span>
                        ))
                      : null}
                  </p>
                ) : null}
                <div class="row">
                  <a class="btn small" href={auditHref(a)}>
                    {t('outbox.open')}
                  </a>
                  {status !== 'stored' ? (
                    <button
                      type="button"
                      class="btn small"
                      onClick={async () => {
                        await act(() => retryAudit(a.id));
                        await flushNow(true);
                      }}
                    >
                      {t('outbox.retry')}
                    </button>
                  ) : null}
                  {attention?.code === 'audit_frozen' ? (
                    <button type="button" class="btn small" onClick={() => confirm(t('outbox.discardConfirm')) && act(() => cap.acceptServerVersion(a.id))}>
                      {t('outbox.discard')}
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      </div>
      <div class="actions above-nav">
        <button type="button" class="btn primary wide" id="sync-now" disabled={sync.flushing} onClick={() => flushNow(true)}>
          {sync.flushing ? t('outbox.syncing') : t('outbox.syncNow')}
        </button>
      </div>
      <BottomNav active="outbox" />
    </main>
  );
}
