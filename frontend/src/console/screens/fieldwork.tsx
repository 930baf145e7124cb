// Fieldwork: a wave's visits (filters, overdue marked) and the bulk import from CSV with every bad row shown.
import { useQueryClient } from '@tanstack/preact-query';
import { useLocation } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { api, ApiError, useLocations, useWaves, useWaveVisits, type Wave } from '../data';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { parseCsv, sheetProblems } from '../logic/csv';
import { BUCKETS, inBucket, isOverdue, type Bucket } from '../logic/home';
import { useSession } from '../session';
import { errorText, Failed, Loading, Page, Pager, num, qs } from '../ui';

const PAGE = 50;

export function Fieldwork() {
  const { seat } = useSession();
  const { query, route } = useLocation();
  const waves = useWaves(seat.organization);
  const waveId = num(query.wave) ?? waves.data?.find((w) => w.status === 'open')?.id ?? waves.data?.[0]?.id ?? null;
  const wave = waves.data?.find((w) => w.id === waveId) ?? null;
  const set = (patch: Record<string, string | number | null>) => route(`/console/fieldwork${qs({ ...query, page: null, ...patch })}`, true);
  return (
    <Page title={t('fieldwork.title')} wide>
      {waves.isPending ? <Loading /> : waves.isError ? <Failed error={waves.error} /> : !waves.data.length ? <p class="empty">{t('fieldwork.noWaves')}</p> : (
        <>
          <label class="stack wave-pick"><span>{t('filters.wave')}</span>
            <select value={waveId ?? ''} onChange={(e) => set({ wave: (e.target as HTMLSelectElement).value, bucket: null, location: null, auditor: null })}>
              {waves.data.map((w) => <option key={w.id} value={w.id}>{w.name} ({t(`waveStatus.${w.status}` as 'waveStatus.open')})</option>)}
            </select></label>
          {wave && (query.import === '1'
            ? <Import wave={wave} onDone={() => set({ import: null })} />
            : <Visits wave={wave} query={query} set={set} />)}
        </>
      )}
    </Page>
  );
}

function Visits({ wave, query, set }: { wave: Wave; query: Record<string, string>; set: (p: Record<string, string | number | null>) => void }) {
  const { seat } = useSession();
  const visits = useWaveVisits(wave.id);
  const locations = useLocations(seat.organization);
  const bucket = (BUCKETS as readonly string[]).includes(query.bucket) ? (query.bucket as Bucket) : null;
  const location = num(query.location);
  const auditor = num(query.auditor);
  const page = num(query.page) ?? 1;
  const now = useMemo(() => new Date(), [visits.data]);
  const locationName = useMemo(() => new Map((locations.data ?? []).map((l) => [l.id, l.name])), [locations.data]);
  const auditors = useMemo(() => [...new Map((visits.data ?? []).filter((v) => v.auditor).map((v) => [v.auditor!, v.auditor_email]))].sort((a, b) => a[1].localeCompare(b[1])), [visits.data]);
  const rows = useMemo(() => (visits.data ?? [])
    .filter((v) => (!bucket || inBucket(v, bucket, now)) && (!location || v.location === location) && (!auditor || v.auditor === auditor))
    .sort((a, b) => a.window_start.localeCompare(b.window_start)), [visits.data, bucket, location, auditor, now]);
  return (
    <>
      <div class="filters">
        <label class="stack"><span>{t('fieldwork.state')}</span>
          <select value={bucket ?? ''} onChange={(e) => set({ bucket: (e.target as HTMLSelectElement).value || null })}>
            <option value="">{t('filters.all')}</option>
            {BUCKETS.map((b) => <option key={b} value={b}>{t(`bucket.${b}`)}</option>)}
          </select></label>
        <label class="stack"><span>{t('filters.location')}</span>
          <select value={location ?? ''} onChange={(e) => set({ location: (e.target as HTMLSelectElement).value || null })}>
            <option value="">{t('filters.all')}</option>
            {(locations.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select></label>
        <label class="stack"><span>{t('filters.auditor')}</span>
          <select value={auditor ?? ''} onChange={(e) => set({ auditor: (e.target as HTMLSelectElement).value || null })}>
            <option value="">{t('filters.all')}</option>
            {auditors.map(([id, email]) => <option key={id} value={id}>{email}</option>)}
          </select></label>
        <div class="filters-end">
          {wave.status !== 'closed' && <button type="button" onClick={() => set({ import: 1 })}>{t('fieldwork.import')}</button>}
        </div>
      </div>
      {visits.isPending ? <Loading /> : visits.isError ? <Failed error={visits.error} /> : rows.length === 0 ? <p class="empty">{t('fieldwork.noVisits')}</p> : (
        <>
          <p class="muted">{t('fieldwork.count', { n: formatNumber(rows.length) })}</p>
          <table class="table">
            <caption class="sr-only">{t('fieldwork.title')}</caption>
            <thead><tr><th scope="col">{t('filters.location')}</th><th scope="col">{t('filters.auditor')}</th><th scope="col">{t('fieldwork.window')}</th><th scope="col">{t('fieldwork.state')}</th></tr></thead>
            <tbody>
              {rows.slice((page - 1) * PAGE, page * PAGE).map((v) => {
                const late = isOverdue(v, now);
                return (
                  <tr key={v.id} class={late ? 'overdue' : undefined}>
                    <td>{locationName.get(v.location) ?? `#${v.location}`}</td>
                    <td>{v.auditor_email || <span class="muted">{t('fieldwork.unassigned')}</span>}</td>
                    <td>{formatDateTime(v.window_start)} – {formatDateTime(v.window_end)}</td>
                    <td><span class={`state state-${v.status}`}>{t(`visitStatus.${v.status}` as 'visitStatus.scheduled')}</span>{late && <span class="flag"> · {t('bucket.overdue')}</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager page={page} count={rows.length} size={PAGE} onPage={(p) => set({ page: p })} />
        </>
      )}
    </>
  );
}

function Import({ wave, onDone }: { wave: Wave; onDone: () => void }) {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [sheet, setSheet] = useState<string[][]>([]);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = error instanceof ApiError ? sheetProblems(error.fields) : null;
  const choose = async (f: File | null) => {
    setFile(f);
    setError(null);
    setCreated(null);
    setSheet(f ? parseCsv(await f.text()) : []);
  };
  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    const form = new FormData();
    form.set('wave', String(wave.id));
    form.set('file', file);
    try {
      const answer = await api.call('post', '/api/v1/visits/bulk', { body: form });
      setCreated(answer.created);
      client.invalidateQueries({ queryKey: ['visits', wave.id] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const header = sheet[0] ?? [];
  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">{t('fieldwork.importTitle', { wave: wave.name })}</h2>
      <p class="muted">{t('fieldwork.importHint')}</p>
      <form onSubmit={send} class="row">
        <label class="stack"><span>{t('fieldwork.file')}</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => choose((e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
        <button type="submit" class="primary" disabled={!file || busy}>{busy ? t('fieldwork.importing') : t('fieldwork.importSend')}</button>
        <button type="button" onClick={onDone}>{t('fieldwork.backToVisits')}</button>
      </form>
      {created !== null && <p class="notice" role="status">{t('fieldwork.created', { n: created })}</p>}
      {error != null && (
        <div class="error" role="alert">
          <p>{errorText(error)}</p>
          {problems && problems.other.map(([k, v]) => <p key={k}><code>{k}</code>: {v.join(' ')}</p>)}
          {problems && problems.cells.size > 0 && <p>{t('fieldwork.badRows', { n: problems.cells.size })}</p>}
        </div>
      )}
      {sheet.length > 0 && (
        <div class="sheet-wrap">
          <table class="table sheet">
            <caption class="sr-only">{t('fieldwork.sheet')}</caption>
            <thead><tr><th scope="col">{t('fieldwork.line')}</th>{header.map((h) => <th key={h} scope="col">{h}</th>)}<th scope="col">{t('fieldwork.problems')}</th></tr></thead>
            <tbody>
              {sheet.slice(1).map((row, i) => {
                const line = i + 2;
                const bad = problems?.cells.get(line);
                return (
                  <tr key={line} class={bad ? 'bad-row' : undefined}>
                    <th scope="row">{line}</th>
                    {header.map((h, c) => <td key={c} class={bad?.has(h) ? 'bad-cell' : undefined}>{row[c] ?? ''}</td>)}
                    <td>{bad ? [...bad].map(([col, msgs]) => <p key={col}><strong>{col}</strong>: {msgs.join(' ')}</p>) : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">{t('fieldwork.window')}: {formatDate(wave.starts_on)} – {formatDate(wave.ends_on)}</p>
    </section>
  );
}
