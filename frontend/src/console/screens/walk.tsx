// A walk under review: each step with its answers beside its photos, the check-in, the history; correct an
// answer in place with a reason, return it with a comment, approve it. Keys: j/k next/previous walk, ←/→ photos
// (in the viewer), a approve, r return.
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useLocation, useRoute } from 'preact-iso';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, useJourney, useLocations, useWaves } from '../data';
import { formatDateTime, formatNumber, t } from '../i18n';
import {
  correctionText, groupByStep, judgeCheckin, laps, options, parseCorrection, photoOrder, showValue,
  type AuditDetail, type Change, type Item, type Photo, type Row,
} from '../logic/walk';
import { fetchQueuePage, filterQuery, readFilter, useQueue } from '../queue';
import { useSession } from '../session';
import { errorText, Failed, FieldProblems, Loading, Page } from '../ui';

const words = () => ({ yes: t('answer.yes'), no: t('answer.no'), na: t('answer.na'), done: t('answer.done'),
  done_with_help: t('answer.doneWithHelp'), gave_up: t('answer.gaveUp'), signed: t('answer.signed'), none: t('answer.none') });

export function Walk() {
  const { params } = useRoute();
  const id = params.id;
  const audit = useQuery({ queryKey: ['audit', id], queryFn: () => api.call('get', '/api/v1/audits/{id}', { path: { id } }) });
  if (audit.isPending) return <Page title={t('walk.title')}><Loading /></Page>;
  if (audit.isError) return <Failed error={audit.error} />;
  return <WalkView audit={audit.data} />;
}

function WalkView({ audit }: { audit: AuditDetail }) {
  const { seat } = useSession();
  const { query, route } = useLocation();
  const client = useQueryClient();
  const filter = readFilter(query);
  const version = useQuery({ queryKey: ['version', audit.checklist_version], staleTime: Infinity,
    queryFn: () => api.call('get', '/api/v1/checklist-versions/{id}', { path: { id: audit.checklist_version } }) });
  const journey = useJourney(audit.journey);
  const visit = useQuery({ queryKey: ['visit', audit.visit], enabled: !!audit.visit,
    queryFn: () => api.call('get', '/api/v1/visits/{id}', { path: { id: audit.visit! } }) });
  const waves = useWaves(seat.organization);
  const locations = useLocations(seat.organization);
  const queue = useQueue(seat.organization, filter);
  const [viewer, setViewer] = useState<number | null>(null);
  const [dialog, setDialog] = useState<'return' | 'approve' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const stepNames = useMemo(() => {
    const m = new Map<number, string>();
    for (const s of journey.data?.stages ?? []) for (const st of s.steps ?? []) if (st.id) m.set(st.id, `${s.name} · ${st.name}`);
    return m;
  }, [journey.data]);
  const groups = useMemo(() => groupByStep(version.data?.sections ?? [], audit, (sid) => stepNames.get(sid), t('walk.noStep')),
    [version.data, audit, stepNames]);
  const photos = useMemo(() => photoOrder(groups), [groups]);
  const checkin = judgeCheckin(audit.checkin, visit.data ? { start: visit.data.window_start, end: visit.data.window_end } : null);
  const items = useMemo(() => new Map((version.data?.sections ?? []).flatMap((s) => s.items).map((i) => [i.id, i])), [version.data]);
  const reviewable = audit.state === 'submitted';
  // the list entry (from the queue) carries what the walk's document does not: wave, location, auditor, score
  const entry = queue.data?.results.find((a) => a.id === audit.id);
  const auditorEmail = entry?.auditor_email ?? visit.data?.auditor_email ?? '';
  const waveId = entry?.wave ?? visit.data?.wave ?? null;
  const locationId = entry?.location ?? visit.data?.location ?? null;

  const neighbour = async (delta: 1 | -1): Promise<string | null> => {
    const rows = queue.data?.results ?? [];
    const i = rows.findIndex((a) => a.id === audit.id);
    const target = rows[i < 0 ? 0 : i + delta];
    if (target && target.id !== audit.id) return target.id;
    if (delta === 1 && queue.data?.next) return (await fetchQueuePage(seat.organization, { ...filter, page: filter.page + 1 })).results[0]?.id ?? null;
    return null;
  };
  const go = async (delta: 1 | -1) => {
    const next = await neighbour(delta);
    if (next) route(`/console/review/${next}${filterQuery(filter)}`);
    else setNotice(delta === 1 ? t('walk.lastInQueue') : t('walk.firstInQueue'));
  };
  const done = async (message: string) => {
    client.invalidateQueries({ queryKey: ['queue'] });
    client.invalidateQueries({ queryKey: ['queue-length'] });
    client.invalidateQueries({ queryKey: ['visits'] });
    setDialog(null);
    const next = await neighbour(1).catch(() => null);
    setNotice(message);
    route(next ? `/console/review/${next}${filterQuery(filter)}` : `/console/review${filterQuery(filter)}`);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog !== null || viewer !== null || e.metaKey || e.ctrlKey || e.altKey) return;
      const el = e.target as HTMLElement;
      if (el.closest('input, textarea, select, [contenteditable]')) return;
      if (e.key === 'j') go(1);
      else if (e.key === 'k') go(-1);
      else if (e.key === 'a' && reviewable) setDialog('approve');
      else if (e.key === 'r' && reviewable) setDialog('return');
      else if (e.key === 'ArrowRight' && photos.length) setViewer(0);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const wave = waves.data?.find((w) => w.id === waveId);
  const location = locations.data?.find((l) => l.id === locationId);
  const title = t('walk.heading', { location: location?.name ?? (audit.kind === 'self' ? t('walk.selfAudit') : '…'), auditor: auditorEmail || '…' });
  return (
    <Page title={title} wide actions={
      <div class="toolbar">
        <button type="button" onClick={() => go(-1)} aria-keyshortcuts="k">{t('walk.previous')} <kbd>k</kbd></button>
        <button type="button" onClick={() => go(1)} aria-keyshortcuts="j">{t('walk.next')} <kbd>j</kbd></button>
        {reviewable && <button type="button" class="warn" onClick={() => setDialog('return')} aria-keyshortcuts="r">{t('walk.return')} <kbd>r</kbd></button>}
        {reviewable && <button type="button" class="primary" onClick={() => setDialog('approve')} aria-keyshortcuts="a">{t('walk.approve')} <kbd>a</kbd></button>}
      </div>}>
      <p class="crumbs"><a href={`/console/review${filterQuery(filter)}`}>← {t('queue.title')}</a></p>
      {notice && <p class="notice" role="status">{notice}</p>}
      <dl class="facts">
        <div><dt>{t('filters.wave')}</dt><dd>{wave?.name ?? '—'}</dd></div>
        <div><dt>{t('walk.state')}</dt><dd><span class={`state state-${audit.state}`}>{t(`state.${audit.state ?? 'draft'}` as 'state.draft')}</span></dd></div>
        <div><dt>{t('walk.started')}</dt><dd>{formatDateTime(audit.started_at)}</dd></div>
        <div><dt>{t('queue.submitted')}</dt><dd>{formatDateTime(audit.submitted_at)}</dd></div>
        <div><dt>{t('walk.score')}</dt><dd>{entry?.score != null ? `${formatNumber(Number(entry.score), 1)} %` : '—'}</dd></div>
      </dl>
      {audit.return_comment && <p class="notice">{t('walk.lastComment')}: {audit.return_comment}</p>}
      <div class="walk">
        <div class="walk-steps">
          {version.isPending ? <Loading /> : version.isError ? <Failed error={version.error} /> : groups.map((g) => (
            <section key={String(g.step)} class="card step" aria-labelledby={`step-${g.step}`}>
              <h2 id={`step-${g.step}`}>{g.name}</h2>
              {g.sections.map((s, si) => (
                <div key={si} class="section">
                  {s.title && <h3>{s.title}</h3>}
                  {s.rows.map((row) => <AnswerRow key={row.item.id} audit={audit} row={row} editable={reviewable || audit.state === 'approved'}
                    onPhoto={(p) => setViewer(photos.findIndex((x) => x.id === p.id))} />)}
                </div>
              ))}
              {g.photos.length > 0 && <Thumbs photos={g.photos} onOpen={(p) => setViewer(photos.findIndex((x) => x.id === p.id))} />}
            </section>
          ))}
        </div>
        <aside class="walk-side">
          <section class="card" aria-labelledby="checkin-title">
            <h2 id="checkin-title">{t('walk.checkin')}</h2>
            <dl class="facts facts-stack">
              <div><dt>{t('walk.distance')}</dt><dd class={checkin.flags.distance ? 'flag' : ''}>{checkin.distance != null ? `${formatNumber(checkin.distance)} m` : '—'}{checkin.flags.distance && ` · ${t('walk.farAway')}`}</dd></div>
              <div><dt>{t('walk.accuracy')}</dt><dd class={checkin.flags.accuracy ? 'flag' : ''}>{checkin.accuracy != null ? `± ${formatNumber(checkin.accuracy)} m` : '—'}</dd></div>
              <div><dt>{t('walk.position')}</dt><dd class={checkin.flags.position ? 'flag' : ''}>{checkin.status ? t(`position.${checkin.status}` as 'position.ok') : '—'}</dd></div>
              <div><dt>{t('walk.checkedInAt')}</dt><dd class={checkin.flags.timing ? 'flag' : ''}>{formatDateTime(checkin.at)} · {t(`timing.${checkin.timing}` as 'timing.on_time')}</dd></div>
              {visit.data && <div><dt>{t('walk.window')}</dt><dd>{formatDateTime(visit.data.window_start)} – {formatDateTime(visit.data.window_end)}</dd></div>}
            </dl>
          </section>
          <History changes={audit.changes} items={items} />
        </aside>
      </div>
      {viewer !== null && photos[viewer] && <Viewer photos={photos} index={viewer} onIndex={setViewer} onClose={() => setViewer(null)} />}
      {dialog === 'return' && <ReturnDialog audit={audit} auditor={auditorEmail} onClose={() => setDialog(null)} onDone={() => done(t('walk.returned'))} />}
      {dialog === 'approve' && <ApproveDialog audit={audit} flagged={checkin.flags.distance || checkin.flags.timing}
        onClose={() => setDialog(null)} onDone={() => done(t('walk.approved'))} />}
    </Page>
  );
}

const photoIndex = (photos: Photo[], p: Photo) => photos.indexOf(p) + 1;

function Thumbs({ photos, onOpen }: { photos: Photo[]; onOpen: (p: Photo) => void }) {
  return (
    <ul class="thumbs">
      {photos.map((p) => (
        <li key={p.id}>
          {p.state === 'ready' ? (
            <button type="button" class="thumb" onClick={() => onOpen(p)} aria-label={t('walk.openPhoto', { n: photoIndex(photos, p) })}>
              <img src={`/api/v1/photos/${p.id}/small`} alt="" loading="lazy" width={200} height={150} />
            </button>
          ) : <span class="thumb thumb-failed">{t('walk.photoMissing')}</span>}
        </li>
      ))}
    </ul>
  );
}

function AnswerRow({ audit, row, editable, onPhoto }: { audit: AuditDetail; row: Row; editable: boolean; onPhoto: (p: Photo) => void }) {
  const [editing, setEditing] = useState(false);
  const { item, answer } = row;
  const lapList = laps(answer?.detail);
  return (
    <div class="answer" id={`item-${item.id}`}>
      <div class="answer-main">
        <p class="answer-label">{item.label}{item.critical && <span class="tag tag-critical">{t('walk.critical')}</span>}</p>
        {!editing && <p class="answer-value">{answer ? showValue(item.kind, answer.value, item, words()) : <span class="muted">{t('walk.unanswered')}</span>}</p>}
        {answer?.note && <p class="answer-note"><span class="muted">{t('walk.note')}:</span> {answer.note}</p>}
        {lapList.length > 0 && <ol class="laps">{lapList.map((l, i) => <li key={i}>{l.label || t('walk.lap', { n: i + 1 })}: {showValue('duration', l.seconds, null, {})}</li>)}</ol>}
        {editing ? <CorrectForm audit={audit} item={item} value={answer?.value ?? null} onClose={() => setEditing(false)} />
          : editable && item.kind !== 'photo' && item.kind !== 'signature' && (
            <button type="button" class="link" onClick={() => setEditing(true)} aria-label={t('walk.correctItem', { label: item.label })}>{t('walk.correct')}</button>)}
      </div>
      {row.photos.length > 0 && <Thumbs photos={row.photos} onOpen={onPhoto} />}
    </div>
  );
}

function CorrectForm({ audit, item, value, onClose }: { audit: AuditDetail; item: Item; value: unknown; onClose: () => void }) {
  const client = useQueryClient();
  const [text, setText] = useState(correctionText(item.kind, value));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('select, input, textarea')?.focus(), []);
  const opts = item.kind === 'yes_no' ? [['yes', t('answer.yes')], ['no', t('answer.no')], ['na', t('answer.na')]]
    : item.kind === 'outcome' ? [['done', t('answer.done')], ['done_with_help', t('answer.doneWithHelp')], ['gave_up', t('answer.gaveUp')]]
    : item.kind === 'single_choice' ? options(item).map((o) => [o.value, o.label]) : null;
  const numeric = ['score', 'number', 'duration', 'effort', 'delivered_level'].includes(item.kind);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) return setError(t('walk.reasonNeeded'));
    setBusy(true);
    setError(null);
    try {
      const updated = await api.call('post', '/api/v1/audits/{id}/correct', { path: { id: audit.id }, body: { item: item.id, value: parseCorrection(item.kind, text), reason: reason.trim() } });
      client.setQueryData(['audit', audit.id], updated);
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
    } finally {
      setBusy(false);
    }
  };
  const vid = `value-${item.id}`;
  const rid = `reason-${item.id}`;
  return (
    <form ref={form} class="correct" onSubmit={submit} aria-label={t('walk.correctItem', { label: item.label })}>
      <label for={vid}>{t('walk.newValue')}{item.kind === 'duration' && ` (${t('walk.seconds')})`}{item.kind === 'multi_choice' && ` (${t('walk.commaSeparated')})`}</label>
      {opts ? (
        <select id={vid} value={text} onChange={(e) => setText((e.target as HTMLSelectElement).value)}>
          <option value="">—</option>
          {opts.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      ) : item.kind === 'text' ? (
        <textarea id={vid} rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      ) : (
        numeric ? <input id={vid} type="number" step="any" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          : <input id={vid} type="text" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      )}
      <label for={rid}>{t('walk.reason')}</label>
      <textarea id={rid} rows={2} required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      {error && <div class="error" role="alert">{typeof error === 'string' ? error : errorText(error)}{typeof error !== 'string' && <FieldProblems fields={error.fields} />}</div>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{t('walk.saveCorrection')}</button>
        <button type="button" onClick={onClose}>{t('app.cancel')}</button>
      </div>
    </form>
  );
}

function History({ changes, items }: { changes: Change[]; items: Map<number, Item> }) {
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">{t('walk.history')}</h2>
      {changes.length === 0 ? <p class="muted">{t('walk.noHistory')}</p> : (
        <ol class="history">
          {[...changes].reverse().map((c) => {
            const item = c.item !== null ? items.get(c.item) ?? null : null;
            return (
              <li key={`${c.at}-${c.kind}-${c.item}`}>
                <p><strong>{c.by || t('walk.system')}</strong> · <time dateTime={c.at}>{formatDateTime(c.at)}</time> · {t(`change.${c.kind}` as 'change.correction')}</p>
                {item ? <p>{item.label}: <del>{showValue(item.kind, c.old, item, words())}</del> → <ins>{showValue(item.kind, c.new, item, words())}</ins></p>
                  : (c.old != null || c.new != null) && <p><del>{String(c.old ?? '—')}</del> → <ins>{String(c.new ?? '—')}</ins></p>}
                {c.reason && <p class="muted">“{c.reason}”</p>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: preact.ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    const back = document.activeElement as HTMLElement | null;
    d.showModal();
    return () => back?.focus?.();
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'modal modal-wide' : 'modal'} aria-labelledby="modal-title" onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header class="modal-head">
        <h2 id="modal-title">{title}</h2>
        <button type="button" class="link" onClick={onClose}>{t('app.close')}</button>
      </header>
      {children}
    </dialog>
  );
}

function Viewer({ photos, index, onIndex, onClose }: { photos: Photo[]; index: number; onIndex: (i: number) => void; onClose: () => void }) {
  const p = photos[index];
  const [zoom, setZoom] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowRight') onIndex(Math.min(photos.length - 1, index + 1));
      else if (e.key === 'ArrowLeft') onIndex(Math.max(0, index - 1));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, photos.length]);
  return (
    <Modal title={t('walk.photoOf', { n: index + 1, total: photos.length })} onClose={onClose} wide>
      <div class={zoom ? 'viewer viewer-zoom' : 'viewer'}>
        <button type="button" class="viewer-img" onClick={() => setZoom(!zoom)} aria-pressed={zoom} aria-label={t('walk.zoom')}>
          <img src={`/api/v1/photos/${p.id}/large`} alt={t('walk.photoOf', { n: index + 1, total: photos.length })} />
        </button>
      </div>
      <div class="row viewer-nav">
        <button type="button" disabled={index === 0} onClick={() => onIndex(index - 1)} aria-keyshortcuts="ArrowLeft">← {t('walk.previousPhoto')}</button>
        <span class="muted">{index + 1} / {photos.length}</span>
        <button type="button" disabled={index === photos.length - 1} onClick={() => onIndex(index + 1)} aria-keyshortcuts="ArrowRight">{t('walk.nextPhoto')} →</button>
      </div>
    </Modal>
  );
}

function ReturnDialog({ audit, auditor, onClose, onDone }: { audit: AuditDetail; auditor: string; onClose: () => void; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.call('post', '/api/v1/audits/{id}/return', { path: { id: audit.id }, body: { comment: comment.trim() } });
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title={t('walk.returnTitle')} onClose={onClose}>
      <form onSubmit={submit} class="stack-form">
        <p>{t('walk.returnHint', { auditor: auditor || t('filters.auditor') })}</p>
        <label for="return-comment">{t('walk.comment')}</label>
        <textarea id="return-comment" rows={4} required value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
        {error != null && <p class="error" role="alert">{errorText(error)}</p>}
        <div class="row">
          <button type="submit" class="warn" disabled={busy || !comment.trim()}>{t('walk.returnSend')}</button>
          <button type="button" onClick={onClose}>{t('app.cancel')}</button>
        </div>
      </form>
    </Modal>
  );
}

function ApproveDialog({ audit, flagged, onClose, onDone }: { audit: AuditDetail; flagged: boolean; onClose: () => void; onDone: () => void }) {
  const [ack, setAck] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.call('post', '/api/v1/audits/{id}/approve', { path: { id: audit.id }, body: { acknowledge_flags: flagged && ack } });
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title={t('walk.approveTitle')} onClose={onClose}>
      <form onSubmit={submit} class="stack-form">
        <p>{t('walk.approveHint')}</p>
        {flagged && (
          <label class="check flag-box"><input type="checkbox" checked={ack} onChange={(e) => setAck((e.target as HTMLInputElement).checked)} /> {t('walk.acknowledge')}</label>
        )}
        {error != null && <p class="error" role="alert">{errorText(error)}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy || (flagged && !ack)}>{t('walk.approve')}</button>
          <button type="button" onClick={onClose}>{t('app.cancel')}</button>
        </div>
      </form>
    </Modal>
  );
}
