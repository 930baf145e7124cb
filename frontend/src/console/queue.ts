// The review queue's query (shared by the queue and the walk screen, which steps through the same list).
import { useQuery } from '@tanstack/preact-query';
import { api } from './data';
import { num, qs } from './ui';

export const PAGE_SIZE = 25;
export type QueueFilter = { wave: number | null; location: number | null; auditor: number | null; flagged: boolean; page: number };

export function readFilter(query: Record<string, string>): QueueFilter {
  return { wave: num(query.wave), location: num(query.location), auditor: num(query.auditor), flagged: query.flagged === '1', page: num(query.page) ?? 1 };
}

export const filterQuery = (f: QueueFilter) =>
  qs({ wave: f.wave, location: f.location, auditor: f.auditor, flagged: f.flagged ? 1 : null, page: f.page > 1 ? f.page : null });

export function fetchQueuePage(organization: number, f: QueueFilter) {
  return api.call('get', '/api/v1/audits', {
    query: { organization, state: 'submitted', ordering: 'submitted_at', page: f.page, page_size: PAGE_SIZE, wave: f.wave ?? undefined,
      location: f.location ?? undefined, auditor: f.auditor ?? undefined, checkin_flagged: f.flagged ? true : undefined },
  });
}

export function useQueue(organization: number, f: QueueFilter) {
  return useQuery({ queryKey: ['queue', organization, f], queryFn: () => fetchQueuePage(organization, f), placeholderData: (prev) => prev });
}
