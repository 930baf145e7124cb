import { useQuery } from '@tanstack/preact-query';
import { allPages, api } from '../data';
import { t } from '../i18n';
import { Failed, Loading, Page } from '../ui';

export function Journeys() {
  const journeys = useQuery({ queryKey: ['journeys'], queryFn: () => allPages((page) => api.call('get', '/api/v1/journeys', { query: { page, page_size: 500, ordering: 'name' } })) });
  const clients = useQuery({ queryKey: ['clients'], queryFn: () => allPages((page) => api.call('get', '/api/v1/clients', { query: { page, page_size: 500 } })) });
  const clientName = new Map((clients.data ?? []).map((c) => [c.id, c.name]));
  return (
    <Page title={t('journeys.title')}>
      {journeys.isPending ? <Loading /> : journeys.isError ? <Failed error={journeys.error} /> : journeys.data.length === 0 ? <p class="empty">{t('journeys.empty')}</p> : (
        <table class="table">
          <caption class="sr-only">{t('journeys.title')}</caption>
          <thead><tr><th scope="col">{t('journeys.name')}</th><th scope="col">{t('journeys.client')}</th><th scope="col">{t('journeys.stages')}</th><th scope="col">{t('journeys.steps')}</th></tr></thead>
          <tbody>
            {journeys.data.map((j) => (
              <tr key={j.id}>
                <td><a href={`/console/journeys/${j.id}`}>{j.name}</a></td>
                <td>{clientName.get(j.client) ?? `#${j.client}`}</td>
                <td>{j.stages.length}</td>
                <td>{j.stages.reduce((n, s) => n + (s.steps?.length ?? 0), 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
