import { useState } from 'preact/hooks';
import { getOrg } from '../data';
import * as cap from '../lib/capture';
import { run } from '../lib/db';
import { t } from '../lib/i18n';
import { act, go, useLive } from '../state';
import { Chips, Empty, TopBar } from '../ui';

export function Fly() {
  const data = useLive(
    () =>
      run(async (db) => {
        const [journeys, personas] = await Promise.all([db.getAll('journeys'), db.getAll('personas')]);
        return {
          journeys: journeys.filter((j) => j.checklist_version !== null).sort((a, b) => a.name.localeCompare(b.name)),
          // the ordinary tier first: fly economy, not first class
          personas: personas.sort((a, b) => Number(b.is_ordinary) - Number(a.is_ordinary) || a.name.localeCompare(b.name)),
        };
      }),
    [],
  );
  const [journey, setJourney] = useState<number | null>(null);
  const [persona, setPersona] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  if (!data) return <main class="screen" />;
  const j = journey ?? (data.journeys.length === 1 ? data.journeys[0].id : null);
  const p = persona ?? data.personas[0]?.id ?? null;

  const start = async () => {
    const chosen = data.journeys.find((x) => x.id === j);
    if (!chosen || busy) return;
    setBusy(true);
    const org = await getOrg();
    const a = await act(() =>
      cap.createAudit({ organization: org ?? 0, visit: null, journey: chosen.id, checklist_version: chosen.checklist_version!, persona: p, kind: 'self' }),
    );
    setBusy(false);
    if (a) go(`/audits/${a.id}/expect`);
  };

  return (
    <main class="screen fly">
      <TopBar title={t('fly.title')} back="#/" />
      <div class="content">
        <p>{t('fly.intro')}</p>
        {data.journeys.length ? (
          <>
            <Chips legend={t('fly.journey')} cls="stack" selected={j} onSelect={setJourney} options={data.journeys.map((x) => ({ value: x.id, label: x.name, sub: x.description }))} />
            {data.personas.length ? (
              <Chips
                legend={t('fly.persona')}
                cls="stack"
                selected={p}
                onSelect={setPersona}
                options={data.personas.map((x) => ({ value: x.id, label: x.name, sub: x.is_ordinary ? `${x.tier} · ${t('fly.ordinary')}` : x.tier }))}
              />
            ) : null}
          </>
        ) : (
          <Empty>{t('fly.noJourneys')}</Empty>
        )}
      </div>
      <div class="actions">
        <button class="btn primary wide" type="button" id="fly-start" disabled={!j || busy} onClick={start}>
          {t('fly.start')}
        </button>
      </div>
    </main>
  );
}
