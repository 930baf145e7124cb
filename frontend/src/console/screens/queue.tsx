// The review queue: submitted walks, oldest first, filtered and paged by the server.
import { useLocation } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocations, useWaves, useWaveVisits } from '../data';
import { formatDateTime, formatNumber, t } from '../i18n';
import { filterQuery, PAGE_SIZE, readFilter, useQueue, type QueueFilter } from '../queue';
import { useSession } from '../session';
import { Failed, Loading, Page, Pager } from '../ui';

export function Queue() {
  const { seat } = useSession();
  const { query, route } = useLocation();
  const filter = readFilter(query);
  const queue = useQueue(seat.organization, filter);
  const waves = useWaves(seat.organization);
  const locations = useLocations(seat.organization);
  const visits = useWaveVisits(filter.wave);
  const [selected, setSelected] = useState(0);
  const set = (patch: Partial<QueueFilter>) => route(`/console/review${filterQuery({ ...filter, page: 1, ...patch })}`, true);

  const waveName = useMemo(() => new Map((waves.data ?? []).map((w) => [w.id, w.name])), [waves.data]);
  const locationName = useMemo(() => new Map((locations.data ?? []).map((l) => [l.id, l.name])), [locations.data]);
  const auditors = useMemo(() => {
    const m = new Map<number, string>();
    for (const v of visits.data ?? []) if (v.auditor) m.set(v.auditor, v.auditor_email);
    for (const a of queue.data?.results ?? []) m.set(a.auditor, a.auditor_email);
    return [...m].sort((a, b) => a[1].localeCompare(b[1]));
  }, [visits.data, queue.data]);
  const rows = queue.data?.results ?? [];
  const open = (id: string) => route(`/console/review/${id}${filterQuery(filter)}`);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'j') setSelected((s) => Math.min(rows.length - 1, s + 1));
      else if (e.key === 'k') setSelected((s) => Math.max(0, s - 1));
      else if (e.key === 'Enter' && rows[selected] && document.activeElement === document.body) open(rows[selected].id);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  useEffect(() => {
    document.querySelector<HTMLElement>(`[data-row="${selected}"] a`)?.focus();
  }, [selected]);

  return (
    <Page title={t('queue.title')} wide actions={queue.data && <span class="badge">{t('queue.count', { n: formatNumber(queue.data.count) })}</span>}>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filters.label')}>
        <label class="stack"><span>{t('filters.wave')}</span>
          <select value={filter.wave ?? ''} onChange={(e) => set({ wave: num((e.target as HTMLSelectElement).value), auditor: null })}>
            <option value="">{t('filters.all')}</option>
            {(waves.data ?? []).map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select></label>
        <label class="stack"><span>{t('filters.location')}</span>
          <select value={filter.location ?? ''} onChange={(e) => set({ location: num((e.target as HTMLSelectElement).value) })}>
            <option value="">{t('filters.all')}</option>
            {(locations.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select></label>
        <label class="stack"><span>{t('filters.auditor')}</span>
          <select value={filter.auditor ?? ''} onChange={(e) => set({ auditor: num((e.target as HTMLSelectElement).value) })}>
            <option value="">{t('filters.all')}</option>
            {auditors.map(([id, email]) => <option key={id} value={id}>{email}</option>)}
          </select></label>
        <label class="check"><input type="checkbox" checked={filter.flagged} onChange={(e) => set({ flagged: (e.target as HTMLInputElement).checked })} /> {t('filters.flagged')}</label>
      </form>
      <p class="muted small">{t('queue.keys')}</p>
      {queue.isPending ? <Loading /> : queue.isError ? <Failed error={queue.error} /> : rows.length === 0 ? (
        <p class="empty">{t('queue.empty')}</p>
      ) : (
        <>
          <table class="table">
            <caption class="sr-only">{t('queue.title')}</caption>
            <thead><tr>
              <th scope="col">{t('queue.submitted')}</th><th scope="col">{t('filters.wave')}</th><th scope="col">{t('filters.location')}</th>
              <th scope="col">{t('filters.auditor')}</th><th scope="col">{t('queue.checkin')}</th>
            </tr></thead>
            <tbody>
              {rows.map((a, i) => (
                <tr key={a.id} data-row={i} class={i === selected ? 'selected' : undefined}>
                  <td><a href={`/console/review/${a.id}${filterQuery(filter)}`}>{formatDateTime(a.submitted_at)}</a></td>
                  <td>{waveName.get(a.wave) ?? `#${a.wave}`}</td>
                  <td>{a.location ? locationName.get(a.location) ?? `#${a.location}` : t('walk.selfAudit')}</td>
                  <td>{a.auditor_email}</td>
                  <td>{a.checkin_flagged
                    ? <span class="flag">{t('queue.flagged', { m: formatNumber(a.checkin_distance_m ?? 0) })}</span>
                    : a.checkin_distance_m != null ? t('queue.distance', { m: formatNumber(a.checkin_distance_m) }) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={filter.page} count={queue.data.count} size={PAGE_SIZE} onPage={(page) => route(`/console/review${filterQuery({ ...filter, page })}`)} />
        </>
      )}
    </Page>
  );
}

const num = (s: string) => (s ? Number(s) : null);
