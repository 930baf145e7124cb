// One control per checklist item kind. Every change is written to IndexedDB at once.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as cap from './lib/capture';
import { run } from './lib/db';
import { t, tn } from './lib/i18n';
import { downscale } from './lib/photo';
import * as sw from './lib/stopwatch';
import type { FrictionTag, Item, LocalAudit, LocalPhoto, Step, Timer } from './lib/types';
import { act, toast, useLive } from './state';
import { Chips, useTick } from './ui';

export interface ItemProps {
  audit: LocalAudit;
  item: Item;
  step: Step | null;
  tags: FrictionTag[];
  photos: LocalPhoto[];
  readOnly: boolean;
}

const valueOf = (a: LocalAudit, item: Item) => a.responses[String(item.id)]?.value;
const set = (a: LocalAudit, item: Item, value: unknown, detail?: Record<string, any> | null) =>
  act(() => cap.setResponse(a.id, item.id, detail === undefined ? { value } : { value, detail }));
/** tapping the selected chip again clears the answer */
const toggle = (a: LocalAudit, item: Item, v: unknown) =>
  valueOf(a, item) === v ? act(() => cap.clearResponse(a.id, item.id)) : set(a, item, v);

export function ItemControl(p: ItemProps) {
  const { item } = p;
  const label = (
    <>
      {item.label}
      {item.required ? <span class="req"> · {t('walk.required')}</span> : null}
      {item.critical ? <span class="crit"> · {t('walk.critical')}</span> : null}
    </>
  );
  return (
    <div class={`item kind-${item.kind}`} id={`item-${item.id}`}>
      {renderKind(p, label)}
      {item.help && item.kind !== 'effort' ? <p class="hint">{item.help}</p> : null}
    </div>
  );
}

function renderKind(p: ItemProps, label: any) {
  const { audit: a, item, step, readOnly } = p;
  const v = valueOf(a, item);
  const legend = label;
  const on = readOnly ? () => {} : undefined;
  switch (item.kind) {
    case 'outcome':
      return (
        <Chips
          legend={legend}
          selected={v}
          onSelect={on ?? ((x) => toggle(a, item, x))}
          options={(['done', 'done_with_help', 'gave_up'] as const).map((o) => ({ value: o, label: t(`outcome.${o}`), cls: `out-${o}` }))}
        />
      );
    case 'effort':
      return (
        <Chips
          legend={legend}
          hint={t('effort.hint')}
          cls="scale7"
          selected={v}
          onSelect={on ?? ((x) => toggle(a, item, x))}
          options={[1, 2, 3, 4, 5, 6, 7].map((n) => ({ value: n, label: String(n), sub: n === 1 ? t('effort.1') : n === 7 ? t('effort.7') : undefined }))}
        />
      );
    case 'delivered_level': {
      const promise = step?.promise_level ?? null;
      return (
        <Chips
          legend={legend}
          hint={promise ? t('delivered.hint', { n: promise }) + (typeof v === 'number' ? ` · ${t('delivered.gap', { gap: (v - promise > 0 ? '+' : '') + (v - promise) })}` : '') : undefined}
          cls="scale5"
          selected={v}
          onSelect={on ?? ((x) => toggle(a, item, x))}
          options={[1, 2, 3, 4, 5].map((n) => ({ value: n, label: String(n), cls: n === promise ? 'promise' : '' }))}
        />
      );
    }
    case 'score': {
      const min = Number(item.options?.min ?? 1);
      const max = Number(item.options?.max ?? 5);
      const labels = (item.options?.labels ?? {}) as Record<string, string>;
      const opts = [];
      for (let n = min; n <= max && opts.length < 11; n++) opts.push({ value: n, label: String(n), sub: labels[String(n)] });
      return <Chips legend={legend} cls="scale" selected={v} onSelect={on ?? ((x) => toggle(a, item, x))} options={opts} />;
    }
    case 'yes_no':
      return (
        <Chips
          legend={legend}
          selected={v}
          onSelect={on ?? ((x) => toggle(a, item, x))}
          options={[
            { value: 'yes', label: t('yes') },
            { value: 'no', label: t('no') },
            { value: 'na', label: t('na') },
          ]}
        />
      );
    case 'single_choice':
    case 'multi_choice': {
      const choices = ((item.options?.choices ?? []) as { value: string; label: string }[]).map((c) => ({ value: c.value, label: c.label }));
      if (item.kind === 'single_choice') return <Chips legend={legend} selected={v} onSelect={on ?? ((x) => toggle(a, item, x))} options={choices} />;
      const list: string[] = Array.isArray(v) ? v : [];
      return (
        <Chips
          legend={legend}
          multi
          selected={list}
          onSelect={on ?? ((x) => set(a, item, list.includes(x) ? list.filter((y) => y !== x) : [...list, x]))}
          options={choices}
        />
      );
    }
    case 'number':
      return <NumberInput {...p} label={label} />;
    case 'text':
      return <TextInput {...p} label={label} />;
    case 'duration':
      return <Stopwatch {...p} label={label} />;
    case 'friction':
      return <Friction {...p} label={label} />;
    case 'photo':
      return <Photos {...p} label={label} />;
    case 'signature':
      return <Signature {...p} label={label} />;
    default:
      return <TextInput {...p} label={label} />;
  }
}

// ---- typed inputs: saved as you type (debounced a little) and on blur ------------------------

function useDebouncedSave(save: (v: string) => void, delay = 400) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef<string | null>(null);
  const flush = () => {
    clearTimeout(timer.current);
    if (pending.current !== null) {
      const v = pending.current;
      pending.current = null;
      save(v);
    }
  };
  useEffect(() => {
    // leaving the page or hiding the app writes what was typed
    addEventListener('pagehide', flush);
    return () => {
      removeEventListener('pagehide', flush);
      flush();
    };
  }, []);
  return {
    onInput: (v: string) => {
      pending.current = v;
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, delay);
    },
    flush,
  };
}

function TextInput({ audit: a, item, readOnly, label }: ItemProps & { label: any }) {
  const [text, setText] = useState<string>(String(valueOf(a, item) ?? ''));
  const saver = useDebouncedSave((x) => (x.trim() === '' ? act(() => cap.clearResponse(a.id, item.id)) : set(a, item, x)));
  const id = `in-${item.id}`;
  return (
    <>
      <label for={id} class="label">
        {label}
      </label>
      <textarea
        id={id}
        rows={3}
        value={text}
        readOnly={readOnly}
        placeholder={t('text.placeholder')}
        onInput={(e) => {
          const x = (e.target as HTMLTextAreaElement).value;
          setText(x);
          saver.onInput(x);
        }}
        onBlur={saver.flush}
      />
    </>
  );
}

function NumberInput({ audit: a, item, readOnly, label }: ItemProps & { label: any }) {
  const v = valueOf(a, item);
  const [text, setText] = useState<string>(typeof v === 'number' ? String(v) : '');
  const saver = useDebouncedSave((x) => {
    const n = Number(x.replace(',', '.'));
    if (x.trim() === '' || !Number.isFinite(n)) return act(() => cap.clearResponse(a.id, item.id));
    return set(a, item, n);
  });
  const id = `in-${item.id}`;
  const unit = item.options?.unit as string | undefined;
  return (
    <>
      <label for={id} class="label">
        {label}
        {unit ? ` (${unit})` : ''}
      </label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        readOnly={readOnly}
        placeholder={t('number.placeholder')}
        min={item.options?.min}
        max={item.options?.max}
        onInput={(e) => {
          const x = (e.target as HTMLInputElement).value;
          setText(x);
          saver.onInput(x);
        }}
        onBlur={saver.flush}
      />
    </>
  );
}

// ---- stopwatch with laps; its start time lives in IndexedDB -----------------------------------

const LAPS = ['greet', 'queue', 'hold', 'transfer'] as const;

function Stopwatch({ audit: a, item, readOnly, label }: ItemProps & { label: any }) {
  const timer = useLive(() => cap.getTimer(a.id, item.id), [a.id, item.id]);
  const running = !!timer && sw.isRunning(timer);
  const now = useTick(running);
  if (!timer) return null;
  const value = valueOf(a, item);
  const shown = timer.startedAt !== null || timer.elapsedBefore > 0 ? sw.seconds(timer, now) : typeof value === 'number' ? value : 0;
  const laps = timer.laps.length ? timer.laps : ((a.responses[String(item.id)]?.detail?.laps ?? []) as Timer['laps']);

  const save = (next: Timer, toResponse: boolean) =>
    act(async () => {
      await cap.saveTimer(next);
      if (toResponse) await cap.timerToResponse(next);
    });
  const n = () => Date.now();
  return (
    <div class="stopwatch" role="group" aria-label={item.label}>
      <div class="label">{label}</div>
      <div class="sw-time" aria-live="off">
        <span class="digits">{sw.formatSeconds(shown)}</span>
        {running ? <small>{t('timer.running')}</small> : null}
      </div>
      {!readOnly ? (
        <div class="sw-buttons">
          {running ? (
            <button type="button" class="btn danger" onClick={() => save(sw.stop(timer, n()), true)}>
              {t('timer.stop')}
            </button>
          ) : (
            <button type="button" class="btn primary" onClick={() => save(sw.start(timer, n()), true)}>
              {shown > 0 ? t('timer.resume') : t('timer.start')}
            </button>
          )}
          {!running && shown > 0 ? (
            <button
              type="button"
              class="btn"
              onClick={() => {
                if (confirm(t('timer.resetConfirm'))) void act(async () => {
                  await cap.saveTimer(sw.reset(timer));
                  await cap.clearResponse(a.id, item.id);
                });
              }}
            >
              {t('timer.reset')}
            </button>
          ) : null}
        </div>
      ) : null}
      {running && !readOnly ? (
        <div class="chip-row laps-buttons" role="group" aria-label={t('timer.lap')}>
          {LAPS.map((l) => (
            <button type="button" class="chip" key={l} onClick={() => save(sw.lap(timer, t(`timer.lap.${l}`), n()), true)}>
              {t('timer.lap')}: {t(`timer.lap.${l}`)}
            </button>
          ))}
        </div>
      ) : null}
      {laps.length ? (
        <ol class="laps" aria-label={t('timer.laps')}>
          {laps.map((l, i) => (
            <li key={i}>
              <span>{l.label}</span> <b>{sw.formatSeconds(l.seconds)}</b>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

// ---- friction: large chips for the tags, then severity for each chosen tag ----------------------

function tagLabel(tag: FrictionTag) {
  const k = `tag.${tag.code}`;
  const own = t(k);
  return own === k ? tag.label : own;
}

function Friction({ audit: a, item, tags, readOnly, label }: ItemProps & { label: any }) {
  const v = valueOf(a, item);
  const list: { tag: string; severity: number }[] = Array.isArray(v) ? v : [];
  const active = tags.filter((x) => !x.retired || list.some((l) => l.tag === x.code));
  const write = (next: typeof list) => !readOnly && set(a, item, next);
  return (
    <fieldset class="chips friction">
      <legend>{label}</legend>
      <div class="chip-row">
        <button
          type="button"
          aria-pressed={Array.isArray(v) && list.length === 0}
          class={`chip ${Array.isArray(v) && list.length === 0 ? 'on' : ''}`}
          onClick={() => write([])}
        >
          {t('friction.none')}
        </button>
        {active.map((tag) => {
          const on = list.some((l) => l.tag === tag.code);
          return (
            <button
              type="button"
              key={tag.code}
              aria-pressed={on}
              title={tag.description}
              class={`chip ${on ? 'on' : ''}`}
              onClick={() => write(on ? list.filter((l) => l.tag !== tag.code) : [...list, { tag: tag.code, severity: 1 }])}
            >
              {tagLabel(tag)}
            </button>
          );
        })}
      </div>
      {list.map((l) => {
        const tag = tags.find((x) => x.code === l.tag);
        return (
          <Chips
            key={l.tag}
            legend={`${tag ? tagLabel(tag) : l.tag}: ${t('friction.severity')}`}
            cls="severity"
            selected={l.severity}
            onSelect={(s) => write(list.map((x) => (x.tag === l.tag ? { ...x, severity: s } : x)))}
            options={[1, 2, 3].map((s) => ({ value: s, label: t(`severity.${s}`), cls: `sev${s}` }))}
          />
        );
      })}
    </fieldset>
  );
}

// ---- photos from the camera, downscaled before they are stored ---------------------------------

function Thumb({ photo, onDelete }: { photo: LocalPhoto; onDelete?: () => void }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([photo.data], { type: photo.type })), [photo.id]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <figure class="thumb">
      <img src={url} alt="" width={96} height={96} />
      {photo.stored ? (
        <figcaption>{t('photo.sent')}</figcaption>
      ) : onDelete ? (
        <button type="button" class="del" aria-label={t('photo.delete')} onClick={onDelete}>
          ×
        </button>
      ) : null}
    </figure>
  );
}

function Photos({ audit: a, item, step, photos, readOnly, label }: ItemProps & { label: any }) {
  const [busy, setBusy] = useState(false);
  const id = `cam-${item.id}`;
  const min = Number(item.options?.min_count ?? 0);
  const onFiles = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    try {
      for (const f of Array.from(files)) {
        let shrunk;
        try {
          shrunk = await downscale(f);
        } catch (e: any) {
          toast(t('photo.failed', { message: String(e?.message ?? e) }), 'error');
          continue;
        }
        await act(() =>
          cap.addPhoto({
            audit: a.id,
            item: item.id,
            step: step?.id ?? item.step ?? null,
            ...shrunk,
            latitude: a.checkin?.latitude ?? null,
            longitude: a.checkin?.longitude ?? null,
          }),
        );
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="photos" role="group" aria-labelledby={`${id}-l`}>
      <div class="label" id={`${id}-l`}>
        {label} <small>{tn('photo.count', photos.length)}{min ? ` · ${t('photo.min', { n: min })}` : ''}</small>
      </div>
      <div class="thumbs">
        {photos.map((p) => (
          <Thumb
            key={p.id}
            photo={p}
            onDelete={readOnly ? undefined : () => confirm(t('photo.deleteConfirm')) && act(() => cap.deletePhoto(p.id))}
          />
        ))}
      </div>
      {!readOnly ? (
        <label class="btn primary camera" for={id}>
          {busy ? t('photo.processing') : t('photo.add')}
          <input
            id={id}
            type="file"
            accept="image/*"
            capture="environment"
            class="visually-hidden"
            disabled={busy}
            onChange={(e) => {
              const input = e.target as HTMLInputElement;
              void onFiles(input.files).finally(() => (input.value = ''));
            }}
          />
        </label>
      ) : null}
    </div>
  );
}

// ---- signature pad --------------------------------------------------------------------------

function Signature({ audit: a, item, readOnly, label }: ItemProps & { label: any }) {
  const v = valueOf(a, item) as string | undefined;
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const dirty = useRef(false);
  const pos = (e: PointerEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.current!.width) / r.width, ((e.clientY - r.top) * canvas.current!.height) / r.height];
  };
  const ctx = () => canvas.current!.getContext('2d')!;
  if (v && readOnly) return <img class="sig" src={v} alt={item.label} />;
  return (
    <div class="signature" role="group" aria-label={item.label}>
      <div class="label">{label}</div>
      {v ? <img class="sig" src={v} alt={item.label} /> : null}
      <canvas
        ref={canvas}
        width={600}
        height={220}
        aria-label={t('signature.hint')}
        onPointerDown={(e) => {
          drawing.current = true;
          dirty.current = true;
          (e.target as Element).setPointerCapture(e.pointerId);
          const c = ctx();
          c.lineWidth = 3;
          c.lineCap = 'round';
          c.strokeStyle = '#111';
          c.beginPath();
          const [x, y] = pos(e);
          c.moveTo(x, y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const [x, y] = pos(e);
          ctx().lineTo(x, y);
          ctx().stroke();
        }}
        onPointerUp={() => (drawing.current = false)}
      />
      <p class="hint">{t('signature.hint')}</p>
      <div class="sw-buttons">
        <button
          type="button"
          class="btn"
          onClick={() => {
            ctx().clearRect(0, 0, 600, 220);
            dirty.current = false;
            void act(() => cap.clearResponse(a.id, item.id));
          }}
        >
          {t('signature.clear')}
        </button>
        <button type="button" class="btn primary" onClick={() => dirty.current && set(a, item, canvas.current!.toDataURL('image/png'))}>
          {t('signature.save')}
        </button>
      </div>
    </div>
  );
}

/** Photos of an audit, grouped by item id (as strings). */
export function usePhotos(audit: string) {
  return useLive(() => run((db) => db.getAllFromIndex('photos', 'audit', audit)), [audit]) ?? [];
}
