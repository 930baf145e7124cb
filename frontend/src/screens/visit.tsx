import { useEffect, useState } from 'preact/hooks';
import { auditHref, getOrg, visitBundle } from '../data';
import * as cap from '../lib/capture';
import { formatTime, t } from '../lib/i18n';
import type { Checkin } from '../lib/types';
import { act, go, useLive } from '../state';
import { Empty, TopBar } from '../ui';

export function mapsUrl(lat: number | null, lng: number | null, address: string): string {
  const q = lat !== null && lng !== null ? `${lat},${lng}` : address;
  return `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(q)}`;
}

export function Brief({ id }: { id: number }) {
  const b = useLive(() => visitBundle(id), [id]);
  if (b === undefined) return <main class="screen" />;
  if (!b)
    return (
      <main class="screen">
        <TopBar title={t('app.name')} back="#/" />
        <Empty>{t('visit.notFound')}</Empty>
      </main>
    );
  const { visit, scenario, location, journey, persona, audit, version } = b;
  const returnedDraft = visit.status === 'returned' && audit?.state === 'submitted';
  return (
    <main class="screen brief">
      <TopBar title={location?.name ?? journey?.name ?? t('app.name')} back="#/" />
      <div class="content">
        {visit.status === 'returned' && visit.review_comment ? (
          <div class="banner warn" role="note">
            <strong>{t('visit.reviewComment')}:</strong> {visit.review_comment}
          </div>
        ) : null}
        <dl class="facts">
          <dt>{t('visit.window')}</dt>
          <dd>
            {formatTime(visit.window_start, true)}
            {visit.window_end ? ` – ${formatTime(visit.window_end, true)}` : ''}
          </dd>
          {location ? (
            <>
              <dt>{t('visit.location')}</dt>
              <dd>
                {location.name}
                <br />
                {location.address}
                <br />
                <a class="btn small" href={mapsUrl(location.latitude, location.longitude, location.address)} target="_blank" rel="noopener">
                  {t('visit.map')}
                </a>
              </dd>
            </>
          ) : null}
          {journey ? (
            <>
              <dt>{t('visit.journey')}</dt>
              <dd>{journey.name}</dd>
            </>
          ) : null}
          {persona ? (
            <>
              <dt>{t('visit.persona')}</dt>
              <dd>
                {persona.name} ({persona.tier})
              </dd>
            </>
          ) : null}
        </dl>
        {scenario ? (
          <section>
            <h2>
              {t('visit.scenario')}: {scenario.title}
            </h2>
            <p class="pre">{scenario.brief}</p>
          </section>
        ) : null}
        {!version ? <p class="error">{t('visit.missingData')}</p> : null}
      </div>
      <div class="actions">
        {returnedDraft ? (
          <button
            class="btn primary wide"
            type="button"
            onClick={async () => {
              await act(() => cap.reopenAudit(audit!.id));
              go(`/audits/${audit!.id}/walk/0`);
            }}
          >
            {t('visit.reopen')}
          </button>
        ) : audit ? (
          <a class="btn primary wide" href={audit.checkin || audit.state !== 'draft' ? auditHref(audit) : `#/visits/${id}/checkin`}>
            {audit.state === 'submitted' ? t('visit.review') : t('visit.continue')}
          </a>
        ) : version && visit.status !== 'cancelled' ? (
          <a class="btn primary wide" href={`#/visits/${id}/checkin`} id="start-visit">
            {t('visit.start')}
          </a>
        ) : null}
      </div>
    </main>
  );
}

type Pos = { status: 'locating' } | { status: 'ok'; lat: number; lng: number; acc: number } | { status: 'denied' | 'unavailable' };

function locate(): Promise<Pos> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve({ status: 'unavailable' });
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ status: 'ok', lat: p.coords.latitude, lng: p.coords.longitude, acc: p.coords.accuracy }),
      (e) => resolve({ status: e.code === 1 ? 'denied' : 'unavailable' }),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

export function CheckIn({ id }: { id: number }) {
  const b = useLive(() => visitBundle(id), [id]);
  const [pos, setPos] = useState<Pos>({ status: 'locating' });
  const [now, setNow] = useState(new Date());
  const [busy, setBusy] = useState(false);
  const find = () => {
    setPos({ status: 'locating' });
    void locate().then(setPos);
  };
  useEffect(() => {
    find();
    const h = setInterval(() => setNow(new Date()), 15000);
    return () => clearInterval(h);
  }, []);
  if (!b) return <main class="screen" />;
  const { visit, version, location } = b;

  const confirm = async () => {
    if (!version || busy) return;
    setBusy(true);
    const org = await getOrg();
    const checkin: Checkin = {
      at: new Date().toISOString(),
      latitude: pos.status === 'ok' ? pos.lat : null,
      longitude: pos.status === 'ok' ? pos.lng : null,
      accuracy_m: pos.status === 'ok' ? Math.round(pos.acc) : null,
      position_status: pos.status === 'ok' ? 'ok' : pos.status === 'denied' ? 'denied' : 'unavailable',
    };
    const audit = await act(async () => {
      const a =
        b.audit ??
        (await cap.createAudit({
          organization: org ?? 0,
          visit: visit.id,
          journey: visit.journey,
          checklist_version: visit.checklist_version,
          persona: visit.persona,
          kind: 'visit',
        }));
      return cap.setCheckin(a.id, checkin);
    });
    setBusy(false);
    if (audit) go(`/audits/${audit.id}/walk/0`);
  };

  return (
    <main class="screen checkin">
      <TopBar title={t('checkin.title')} back={`#/visits/${id}`} />
      <div class="content">
        <h2>{location?.name}</h2>
        <dl class="facts">
          <dt>{t('checkin.time')}</dt>
          <dd>{formatTime(now)}</dd>
        </dl>
        <p role="status" class={`pos pos-${pos.status}`}>
          {pos.status === 'locating'
            ? t('checkin.locating')
            : pos.status === 'ok'
              ? t('checkin.ok', { m: Math.round(pos.acc) })
              : pos.status === 'denied'
                ? t('checkin.denied')
                : t('checkin.unavailable')}
        </p>
        {pos.status === 'denied' || pos.status === 'unavailable' ? (
          <button class="btn wide" type="button" onClick={find}>
            {t('checkin.retry')}
          </button>
        ) : null}
      </div>
      <div class="actions">
        <button class="btn primary wide" type="button" id="confirm-checkin" disabled={busy || !version} onClick={confirm}>
          {pos.status === 'ok' ? t('checkin.confirm') : t('checkin.without')}
        </button>
      </div>
    </main>
  );
}
