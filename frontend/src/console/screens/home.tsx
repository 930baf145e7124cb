// Home: per open wave, its visits by state (each number opens the list behind it) and the review queue.
import { useQuery } from '@tanstack/preact-query';
import { api, useWaves, useWaveVisits, type Wave } from '../data';
import { formatDate, formatNumber, t } from '../i18n';
import { BUCKETS, countVisits } from '../logic/home';
import { useSession } from '../session';
import { Failed, Loading, Page, qs } from '../ui';

function useQueueLength(organization: number, wave?: number) {
  return useQuery({
    queryKey: ['queue-length', organization, wave ?? null],
    queryFn: async () => (await api.call('get', '/api/v1/audits', { query: { organization, wave, state: 'submitted', page_size: 1 } })).count,
  });
}

export function Home() {
  const { seat } = useSession();
  const waves = useWaves(seat.organization, 'open');
  const queue = useQueueLength(seat.organization);
  return (
    <Page title={t('home.title')}>
      <a class="tile tile-queue" href="/console/review">
        <span class="tile-number">{queue.data === undefined ? '…' : formatNumber(queue.data)}</span>
        <span class="tile-label">{t('home.queue')}</span>
      </a>
      <h2>{t('home.openWaves')}</h2>
      {waves.isPending ? <Loading /> : waves.isError ? <Failed error={waves.error} />
        : waves.data.length === 0 ? <p class="muted">{t('home.noWaves')}</p>
        : waves.data.map((w) => <WaveCard key={w.id} wave={w} />)}
    </Page>
  );
}

function WaveCard({ wave }: { wave: Wave }) {
  const { seat } = useSession();
  const visits = useWaveVisits(wave.id);
  const queue = useQueueLength(seat.organization, wave.id);
  const counts = visits.data ? countVisits(visits.data, new Date()) : null;
  return (
    <article class="card wave-card" aria-labelledby={`wave-${wave.id}`}>
      <header class="wave-head">
        <h3 id={`wave-${wave.id}`}><a href={`/console/fieldwork${qs({ wave: wave.id })}`}>{wave.name}</a></h3>
        <span class="muted">{formatDate(wave.starts_on)} – {formatDate(wave.ends_on)}</span>
        {counts && <span class="muted">{t('home.total', { n: counts.total })}</span>}
      </header>
      {visits.isError ? <Failed error={visits.error} /> : (
        <ul class="counts">
          {BUCKETS.map((b) => (
            <li key={b} class={b === 'overdue' && counts?.overdue ? 'count count-alert' : 'count'}>
              <a href={`/console/fieldwork${qs({ wave: wave.id, bucket: b })}`}>
                <span class="count-number">{counts ? formatNumber(counts[b]) : '…'}</span>
                <span class="count-label">{t(`bucket.${b}`)}</span>
              </a>
            </li>
          ))}
          <li class="count count-queue">
            <a href={`/console/review${qs({ wave: wave.id })}`}>
              <span class="count-number">{queue.data === undefined ? '…' : formatNumber(queue.data)}</span>
              <span class="count-label">{t('home.toReview')}</span>
            </a>
          </li>
        </ul>
      )}
    </article>
  );
}
