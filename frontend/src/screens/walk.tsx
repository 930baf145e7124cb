import { useEffect } from 'preact/hooks';
import { auditBundle, type AuditBundle } from '../data';
import { ItemControl, usePhotos } from '../items';
import * as cap from '../lib/capture';
import { isShown, journeySteps, missingAnswers, orderedSections } from '../lib/checklist';
import { formatTime, t } from '../lib/i18n';
import { refusalsByItem } from '../lib/refusals';
import type { LocalPhoto, Step } from '../lib/types';
import { act, flushNow, go, toast, useLive } from '../state';
import { Chips, Empty, TopBar } from '../ui';

function query(name: string): string | null {
  const q = location.hash.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

function useBundle(id: string) {
  return useLive(() => auditBundle(id), [id]);
}

function Missing({ children }: { children: any }) {
  return (
    <main class="screen">
      <TopBar title={t('app.name')} back="#/" />
      <Empty>{children}</Empty>
    </main>
  );
}

function stepOf(b: AuditBundle, stepId: number | null): Step | null {
  if (!b.journey || stepId === null) return null;
  return journeySteps(b.journey).find((s) => s.id === stepId) ?? null;
}

export function Walk({ id, index }: { id: string; index: number }) {
  const b = useBundle(id);
  const photos = usePhotos(id);
  const focus = query('item');
  useEffect(() => {
    if (focus) document.getElementById(`item-${focus}`)?.scrollIntoView({ block: 'center' });
    else window.scrollTo(0, 0);
  }, [index, focus, !!b]);
  if (b === undefined) return <main class="screen" />;
  if (!b) return <Missing>{t('visit.notFound')}</Missing>;
  if (!b.version) return <Missing>{t('visit.missingData')}</Missing>;
  const { audit, version } = b;
  const sections = orderedSections(version);
  const i = Math.min(Math.max(0, index), sections.length - 1);
  const section = sections[i];
  const step = stepOf(b, section?.step ?? null);
  const readOnly = audit.state !== 'draft';
  const expectation = step ? audit.expectations[String(step.id)] : undefined;
  const byItem = (item: number) => photos.filter((p: LocalPhoto) => p.item === item);
  const last = i >= sections.length - 1;
  const refused = refusalsByItem(audit.sync.attention?.fields).items;

  return (
    <main class="screen walk">
      <TopBar title={t('walk.step', { n: i + 1, total: sections.length })} back={audit.visit !== null ? `#/visits/${audit.visit}` : '#/'} />
      <div class="content">
        <nav class="step-dots" aria-label={t('walk.steps')}>
          {sections.map((s, k) => (
            <a
              key={s.id}
              href={`#/audits/${id}/walk/${k}`}
              class={k === i ? 'on' : ''}
              aria-current={k === i ? 'step' : undefined}
              aria-label={`${k + 1}. ${stepOf(b, s.step)?.name ?? s.title}`}
            >
              {k + 1}
            </a>
          ))}
        </nav>
        <h2 class="step-name">{step?.name ?? section?.title ?? t('walk.general')}</h2>
        {step ? (
          <div class="promise">
            <span class="tag">{t(`channel.${step.channel}`)}</span>
            {step.touchpoint ? <span class="tag">{step.touchpoint}</span> : null}
            {step.moment_of_truth ? <span class="tag mot">★</span> : null}
            <p>
              <strong>{t('walk.promiseLevel', { n: step.promise_level })}</strong>
              {step.promise_text ? ` — ${step.promise_text}` : ''}
            </p>
            {expectation && audit.kind === 'self' ? <p class="hint">{t('walk.expected', { level: expectation.level ?? '–', effort: expectation.effort ?? '–' })}</p> : null}
          </div>
        ) : null}
        {audit.sync.attention && !readOnly ? (
          <div class="banner warn" role="alert">
            {t('review.serverSays')}: {audit.sync.attention.message}
          </div>
        ) : null}
        {section?.items
          .filter((item) => isShown(item, version, audit.responses))
          .map((item) => (
            <div key={item.id}>
              <ItemControl audit={audit} item={item} step={step} tags={b.tags} photos={byItem(item.id)} readOnly={readOnly} />
              {refused[String(item.id)] ? (
                <p class="error" role="alert" id={`refused-${item.id}`}>
                  {refused[String(item.id)].join(' ')}
                </p>
              ) : null}
            </div>
          ))}
        <p class="saved-note" aria-live="polite">
          {t('walk.saved')} · {formatTime(audit.updated_at)}
        </p>
      </div>
      <div class="actions two">
        {i > 0 ? (
          <a class="btn" href={`#/audits/${id}/walk/${i - 1}`}>
            ‹ {t('walk.prev')}
          </a>
        ) : (
          <span />
        )}
        {last ? (
          <a class="btn primary" href={`#/audits/${id}/review`} id="to-review">
            {t('walk.toReview')}
          </a>
        ) : (
          <a class="btn primary" href={`#/audits/${id}/walk/${i + 1}`} id="next-step">
            {t('walk.next')} ›
          </a>
        )}
      </div>
    </main>
  );
}

export function Review({ id }: { id: string }) {
  const b = useBundle(id);
  const photos = usePhotos(id);
  if (b === undefined) return <main class="screen" />;
  if (!b) return <Missing>{t('visit.notFound')}</Missing>;
  if (!b.version) return <Missing>{t('visit.missingData')}</Missing>;
  const { audit, version, journey } = b;
  const counts: Record<string, number> = {};
  for (const p of photos) if (p.item !== null) counts[String(p.item)] = (counts[String(p.item)] ?? 0) + 1;
  const missing = missingAnswers(audit, version, counts, journey);
  const steps = journey ? journeySteps(journey) : [];
  const sections = orderedSections(version);
  const submitted = audit.state === 'submitted';
  const answered = Object.keys(audit.responses).length;
  const refusals = audit.sync.attention?.fields ? refusalsByItem(audit.sync.attention.fields) : null;
  // problems the phone cannot place under an item of this checklist are shown as the server named them
  const known = new Set(sections.flatMap((s) => s.items.map((i) => String(i.id))));
  const unplaced = { ...refusals?.other };
  for (const [item, v] of Object.entries(refusals?.items ?? {})) if (!known.has(item)) unplaced[`responses.${item}`] = v;

  const submit = async () => {
    if (missing.length || !confirm(t('review.confirm'))) return;
    const ok = await act(() => cap.submitAudit(id));
    if (ok) {
      toast(t('review.submitted'));
      go('/');
      void flushNow(true);
    }
  };

  return (
    <main class="screen review">
      <TopBar title={t('review.title')} back={`#/audits/${id}/walk/${sections.length - 1}`} />
      <div class="content">
        {audit.sync.attention ? (
          <div class="banner warn" role="alert">
            <strong>{t('review.serverSays')}:</strong> {audit.sync.attention.message}
            {refusals ? (
              <ul id="refusals">
                {sections.flatMap((section, k) =>
                  section.items
                    .filter((item) => refusals.items[String(item.id)])
                    .map((item) => (
                      <li key={`i${item.id}`}>
                        <a href={`#/audits/${id}/walk/${k}?item=${item.id}`}>{item.label}</a>: {refusals.items[String(item.id)].join(' ')}
                      </li>
                    )),
                )}
                {Object.entries(refusals.steps).map(([step, v]) => (
                  <li key={`s${step}`}>
                    <a href={`#/audits/${id}/expect`}>{steps.find((s) => String(s.id) === step)?.name ?? step}</a>: {v.join(' ')}
                  </li>
                ))}
                {Object.entries(unplaced).map(([k, v]) => (
                  <li key={k}>
                    {k}: {v.join(' ')}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <p>
          {t('review.answers')}: {answered} · {t('review.photos')}: {photos.length}
        </p>
        {!submitted ? (
          missing.length ? (
            <section>
              <h2>{t('review.missing')}</h2>
              <ul class="list missing" id="missing-list">
                {missing.map((m, k) => {
                  if (m.kind === 'checkin')
                    return (
                      <li key={k}>
                        <a class="card link" href={`#/visits/${audit.visit}/checkin`}>
                          {t('review.checkin')}
                        </a>
                      </li>
                    );
                  if (m.kind === 'expectation')
                    return (
                      <li key={k}>
                        <a class="card link" href={`#/audits/${id}/expect`}>
                          {t('review.expectation', { step: steps.find((s) => s.id === m.step)?.name ?? '' })}
                        </a>
                      </li>
                    );
                  const section = sections[m.section];
                  return (
                    <li key={k}>
                      <a class={`card link ${m.critical ? 'critical' : ''}`} href={`#/audits/${id}/walk/${m.section}?item=${m.item!.id}`}>
                        <strong>{m.item!.label}</strong>
                        <small>
                          {m.section + 1}. {stepOf(b, section.step)?.name ?? section.title}
                        </small>
                      </a>
                    </li>
                  );
                })}
              </ul>
            </section>
          ) : (
            <p class="ok-note">{t('review.allDone')}</p>
          )
        ) : (
          <p class="ok-note">{t('outbox.submitted')} · {formatTime(audit.submitted_at, true)}</p>
        )}
      </div>
      {!submitted ? (
        <div class="actions">
          {missing.length ? <p class="hint center">{t('review.submitMissing')}</p> : null}
          <button class="btn primary wide" type="button" id="submit-audit" disabled={missing.length > 0} onClick={submit}>
            {t('review.submit')}
          </button>
        </div>
      ) : null}
    </main>
  );
}

export function Expect({ id }: { id: string }) {
  const b = useBundle(id);
  if (b === undefined) return <main class="screen" />;
  if (!b || !b.journey) return <Missing>{t('visit.missingData')}</Missing>;
  const { audit, journey } = b;
  const steps = journeySteps(journey);
  const readOnly = audit.state !== 'draft';
  const refused = refusalsByItem(audit.sync.attention?.fields).steps;
  const complete = steps.every((s) => {
    const e = audit.expectations[String(s.id)];
    return e && e.level !== null && e.effort !== null;
  });
  return (
    <main class="screen expect">
      <TopBar title={t('expect.title')} back="#/" />
      <div class="content">
        <p>{t('expect.intro')}</p>
        {steps.map((s, k) => {
          const e = audit.expectations[String(s.id)];
          const write = (change: { level?: number | null; effort?: number | null }) => !readOnly && act(() => cap.setExpectation(id, s.id, change));
          return (
            <section class="card" key={s.id} id={`expect-${s.id}`}>
              <h2>
                {k + 1}. {s.name}
              </h2>
              <p class="hint">
                {t(`channel.${s.channel}`)} · {t('walk.promiseLevel', { n: s.promise_level })}
              </p>
              {refused[String(s.id)] ? (
                <p class="error" role="alert">
                  {refused[String(s.id)].join(' ')}
                </p>
              ) : null}
              <Chips
                legend={t('expect.level')}
                cls="scale5"
                selected={e?.level ?? null}
                onSelect={(n) => write({ level: e?.level === n ? null : n })}
                options={[1, 2, 3, 4, 5].map((n) => ({ value: n, label: String(n) }))}
              />
              <Chips
                legend={t('expect.effort')}
                hint={t('effort.hint')}
                cls="scale7"
                selected={e?.effort ?? null}
                onSelect={(n) => write({ effort: e?.effort === n ? null : n })}
                options={[1, 2, 3, 4, 5, 6, 7].map((n) => ({ value: n, label: String(n) }))}
              />
            </section>
          );
        })}
      </div>
      <div class="actions">
        <button
          class="btn primary wide"
          type="button"
          id="start-walking"
          disabled={!complete}
          onClick={async () => {
            await act(() => cap.startWalking(id));
            go(`/audits/${id}/walk/0`);
          }}
        >
          {t('expect.walk')}
        </button>
      </div>
    </main>
  );
}
