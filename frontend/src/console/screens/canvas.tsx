// The journey map as a canvas: stages as columns, steps as cards. Drag a card (native HTML5 drag and drop) to
// reorder it or move it to another stage, or with the keyboard: focus a card, Alt+↑/↓ within its stage,
// Alt+←/→ to the next stage. Saving is one PUT of the whole document; another editor's save meanwhile is shown.
import { useQueryClient } from '@tanstack/preact-query';
import { useRoute } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, useJourney } from '../data';
import { t } from '../i18n';
import {
  addStage, addStep, blankStep, CHANNELS, findStep, fromJourney, moveStage, moveStep, nudge, removeStage, removeStep,
  renameStage, sameDocument, toRequest, updateStep, type Doc, type EditStep, type Place,
} from '../logic/journey';
import { errorText, Failed, FieldProblems, Loading, NotFound, Page, num } from '../ui';

export function JourneyCanvas() {
  const { params } = useRoute();
  const id = num(params.id);
  const journey = useJourney(id);
  if (id === null) return <NotFound />;
  if (journey.isPending) return <Page title={t('journeys.title')}><Loading /></Page>;
  if (journey.isError) return <Failed error={journey.error} />;
  return <Canvas key={id} id={id} base={fromJourney(journey.data)} />;
}

type Drag = { key: string } | null;

function Canvas({ id, base: initial }: { id: number; base: Doc }) {
  const client = useQueryClient();
  const [base, setBase] = useState(initial);
  const [doc, setDoc] = useState(initial);
  const [selected, setSelected] = useState<string | null>(null);
  const [drag, setDrag] = useState<Drag>(null);
  const [over, setOver] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [theirs, setTheirs] = useState<Doc | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = !sameDocument(doc, base);
  const focusKey = useRef<string | null>(null);

  useEffect(() => {
    if (focusKey.current) document.querySelector<HTMLElement>(`[data-key="${focusKey.current}"]`)?.focus();
    focusKey.current = null;
  });
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => { if (dirty) e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const edit = (next: Doc) => {
    setDoc(next);
    setStatus(null);
  };
  const place = selected ? findStep(doc, selected) : null;
  const step = place ? doc.stages[place.stage].steps[place.index] : null;

  const save = async (force = false) => {
    setBusy(true);
    setError(null);
    try {
      // Another editor's save since this canvas was opened: show it, never overwrite it unasked.
      if (!force) {
        const now = fromJourney(await api.call('get', '/api/v1/journeys/{id}', { path: { id } }));
        if (!sameDocument(now, base)) {
          setTheirs(now);
          return;
        }
      }
      const saved = fromJourney(await api.call('put', '/api/v1/journeys/{id}', { path: { id }, body: toRequest(doc) }));
      client.invalidateQueries({ queryKey: ['journey', id] });
      client.invalidateQueries({ queryKey: ['journeys'] });
      setBase(saved);
      setDoc(saved);
      setTheirs(null);
      setSelected((k) => (k && findStep(saved, k) ? k : null));
      setStatus(t('canvas.saved'));
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };

  const onCardKey = (e: KeyboardEvent, at: Place, key: string) => {
    const dir = ({ ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' } as const)[e.key as 'ArrowUp'];
    if (!dir || !e.altKey) return;
    e.preventDefault();
    const to = nudge(doc, at, dir);
    if (!to) return;
    focusKey.current = key;
    edit(moveStep(doc, at, to));
    setStatus(t('canvas.moved', { stage: doc.stages[to.stage].name, n: to.index + 1 }));
  };
  const dropAt = (to: Place) => {
    if (!drag) return;
    const from = findStep(doc, drag.key);
    setDrag(null);
    setOver(null);
    if (!from) return;
    // dropping below itself in the same stage: the index counts without the moved card
    const index = from.stage === to.stage && from.index < to.index ? to.index - 1 : to.index;
    edit(moveStep(doc, from, { stage: to.stage, index }));
  };

  return (
    <Page title={doc.name || t('journeys.title')} wide actions={
      <div class="toolbar">
        <span class="muted" role="status">{busy ? t('canvas.saving') : status ?? (dirty ? t('canvas.unsaved') : t('canvas.upToDate'))}</span>
        <button type="button" disabled={!dirty || busy} onClick={() => { setDoc(base); setStatus(null); }}>{t('canvas.discard')}</button>
        <button type="button" class="primary" disabled={!dirty || busy} onClick={() => save()}>{t('canvas.save')}</button>
      </div>}>
      <p class="crumbs"><a href="/console/journeys">← {t('journeys.title')}</a></p>
      <p class="muted small">{t('canvas.keys')}</p>
      {theirs && (
        <div class="conflict" role="alert">
          <p><strong>{t('canvas.conflict')}</strong> {t('canvas.conflictHint')}</p>
          <div class="row">
            <button type="button" class="warn" onClick={() => save(true)}>{t('canvas.overwrite')}</button>
            <button type="button" onClick={() => { setBase(theirs); setDoc(theirs); setTheirs(null); }}>{t('canvas.loadTheirs')}</button>
          </div>
        </div>
      )}
      {error && <div class="error" role="alert">{typeof error === 'string' ? error : <>{t('canvas.refused')} {errorText(error)}<FieldProblems fields={error.fields} /></>}</div>}
      <div class="canvas-wrap">
        <div class="canvas" role="group" aria-label={t('canvas.stages')}>
          {doc.stages.map((stage, si) => (
            <section key={stage.key} class="stage" aria-label={stage.name}
              onDragOver={(e) => { if (drag) { e.preventDefault(); setOver(`${stage.key}:end`); } }}
              onDrop={(e) => { e.preventDefault(); dropAt({ stage: si, index: stage.steps.length }); }}>
              <header class="stage-head">
                <label class="sr-only" for={`stage-name-${stage.key}`}>{t('canvas.stageName')}</label>
                <input id={`stage-name-${stage.key}`} class="stage-name" value={stage.name} onInput={(e) => edit(renameStage(doc, si, (e.target as HTMLInputElement).value))} />
                <div class="stage-tools">
                  <button type="button" class="icon" disabled={si === 0} onClick={() => edit(moveStage(doc, si, si - 1))} aria-label={t('canvas.stageLeft', { name: stage.name })}>←</button>
                  <button type="button" class="icon" disabled={si === doc.stages.length - 1} onClick={() => edit(moveStage(doc, si, si + 1))} aria-label={t('canvas.stageRight', { name: stage.name })}>→</button>
                  <button type="button" class="icon danger" onClick={() => { if (!stage.steps.length || confirm(t('canvas.removeStageConfirm', { name: stage.name, n: stage.steps.length }))) edit(removeStage(doc, si)); }}
                    aria-label={t('canvas.removeStage', { name: stage.name })}>×</button>
                </div>
              </header>
              <ol class="steps">
                {stage.steps.map((st, i) => (
                  <li key={st.key}
                    class={over === `${st.key}` ? 'drop-before' : undefined}
                    onDragOver={(e) => { if (drag) { e.preventDefault(); e.stopPropagation(); setOver(st.key); } }}
                    onDrop={(e) => { e.preventDefault(); e.stopPropagation(); dropAt({ stage: si, index: i }); }}>
                    <StepCard step={st} selected={selected === st.key} dragging={drag?.key === st.key}
                      onSelect={() => setSelected(st.key)}
                      onKeyDown={(e) => onCardKey(e, { stage: si, index: i }, st.key)}
                      onDragStart={(e) => { e.dataTransfer?.setData('text/plain', st.key); if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move'; setDrag({ key: st.key }); }}
                      onDragEnd={() => { setDrag(null); setOver(null); }} />
                  </li>
                ))}
                <li class={over === `${stage.key}:end` ? 'drop-end drop-before' : 'drop-end'} aria-hidden="true" />
              </ol>
              <button type="button" class="add-step" onClick={() => { const s = blankStep(t('canvas.newStep')); edit(addStep(doc, si, s)); setSelected(s.key); }}>+ {t('canvas.addStep')}</button>
            </section>
          ))}
          <button type="button" class="add-stage" onClick={() => edit(addStage(doc, t('canvas.newStage')))}>+ {t('canvas.addStage')}</button>
        </div>
        {step && place && <StepPanel step={step} onChange={(patch) => edit(updateStep(doc, place, patch))}
          onRemove={() => { edit(removeStep(doc, place)); setSelected(null); }} onClose={() => setSelected(null)} />}
      </div>
    </Page>
  );
}

function StepCard({ step, selected, dragging, onSelect, onKeyDown, onDragStart, onDragEnd }: {
  step: EditStep; selected: boolean; dragging: boolean; onSelect: () => void; onKeyDown: (e: KeyboardEvent) => void;
  onDragStart: (e: DragEvent) => void; onDragEnd: () => void;
}) {
  return (
    <button type="button" class={`step-card${selected ? ' selected' : ''}${dragging ? ' dragging' : ''}${step.moment_of_truth ? ' mot' : ''}`}
      draggable data-key={step.key} data-step={step.id ?? ''} aria-pressed={selected} onClick={onSelect} onKeyDown={onKeyDown}
      onDragStart={onDragStart} onDragEnd={onDragEnd}>
      <span class="step-name">{step.name || t('canvas.unnamed')}</span>
      {step.touchpoint && <span class="step-touchpoint">{step.touchpoint}</span>}
      <span class="step-meta">
        <span class="chip">{t(`channel.${step.channel}` as 'channel.web')}</span>
        <span class="chip" title={t('canvas.promise')}>{t('canvas.promiseShort', { n: step.promise_level })}</span>
        {step.expected_seconds != null && <span class="chip">{t('canvas.seconds', { n: step.expected_seconds })}</span>}
        {step.moment_of_truth && <span class="chip chip-mot">{t('canvas.mot')}</span>}
      </span>
    </button>
  );
}

function StepPanel({ step, onChange, onRemove, onClose }: { step: EditStep; onChange: (p: Partial<EditStep>) => void; onRemove: () => void; onClose: () => void }) {
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  return (
    <aside class="card step-panel" aria-labelledby="step-panel-title">
      <header class="modal-head">
        <h2 id="step-panel-title">{t('canvas.editStep')}</h2>
        <button type="button" class="link" onClick={onClose}>{t('app.close')}</button>
      </header>
      <label class="stack"><span>{t('canvas.name')}</span><input value={step.name} onInput={(e) => onChange({ name: val(e) })} /></label>
      <label class="stack"><span>{t('canvas.touchpoint')}</span><input value={step.touchpoint} onInput={(e) => onChange({ touchpoint: val(e) })} /></label>
      <label class="stack"><span>{t('canvas.channel')}</span>
        <select value={step.channel} onChange={(e) => onChange({ channel: val(e) as EditStep['channel'] })}>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(`channel.${c}` as 'channel.web')}</option>)}
        </select></label>
      <label class="stack"><span>{t('canvas.promise')}</span>
        <select value={step.promise_level} onChange={(e) => onChange({ promise_level: Number(val(e)) })}>
          {[1, 2, 3, 4, 5].map((n) => <option key={n} value={n}>{n}</option>)}
        </select></label>
      <label class="stack"><span>{t('canvas.promiseText')}</span><textarea rows={2} value={step.promise_text} onInput={(e) => onChange({ promise_text: val(e) })} /></label>
      <label class="stack"><span>{t('canvas.expectedSeconds')}</span>
        <input type="number" min={0} value={step.expected_seconds ?? ''} onInput={(e) => onChange({ expected_seconds: val(e) === '' ? null : Number(val(e)) })} /></label>
      <label class="stack"><span>{t('canvas.reach')}</span>
        <input type="number" min={0} max={1} step={0.05} value={step.reach} onInput={(e) => onChange({ reach: Number(val(e)) })} /></label>
      <label class="check"><input type="checkbox" checked={step.moment_of_truth} onChange={(e) => onChange({ moment_of_truth: (e.target as HTMLInputElement).checked })} /> {t('canvas.mot')}</label>
      <button type="button" class="danger" onClick={onRemove}>{t('canvas.removeStep')}</button>
    </aside>
  );
}
