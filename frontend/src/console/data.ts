// Server state: every read goes through TanStack Query (cached, deduplicated, refetched on focus), every call
// through the typed client of src/lib/api.ts (the schema's paths, the session cookie, the CSRF header).
import { QueryClient, useQuery } from '@tanstack/preact-query';
import { api, ApiError } from '../lib/api';
import type { components } from '../lib/api-schema';

export { api, ApiError };
type S = components['schemas'];
export type Me = S['Me'];
export type Role = S['RoleEnum'];
export type Wave = S['Wave'];
export type Visit = S['Visit'];
export type Location = S['Location'];

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // a refusal (404 of another organization's id, 403) is an answer, not a hiccup
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

export const isNotFound = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 403);

/** Every page of a list (page_size 500, the server's most). */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ results: T[]; next?: string | null }>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page < 200; page++) {
    const answer = await fetchPage(page);
    out.push(...answer.results);
    if (!answer.next) break;
  }
  return out;
}

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: () => api.me(),
    retry: false,
    staleTime: 5 * 60_000,
  });
}

export const MANAGING: Role[] = ['owner', 'manager'];
export const REPORT_ROLES: Role[] = ['executive', 'client_viewer'];

/** The console's view of an organization the user belongs to: the best role held there. */
export type Seat = { organization: number; name: string; role: Role };
const RANK: Role[] = ['owner', 'manager', 'executive', 'client_viewer', 'auditor'];

export function seats(me: Me): Seat[] {
  const by = new Map<number, Seat>();
  for (const m of me.memberships) {
    const prev = by.get(m.organization.id);
    if (!prev || RANK.indexOf(m.role) < RANK.indexOf(prev.role)) by.set(m.organization.id, { organization: m.organization.id, name: m.organization.name, role: m.role });
  }
  return [...by.values()].filter((s) => s.role !== 'auditor').sort((a, b) => RANK.indexOf(a.role) - RANK.indexOf(b.role) || a.name.localeCompare(b.name));
}

export const canManage = (seat: Seat | null) => !!seat && MANAGING.includes(seat.role);

export function useWaves(organization: number, status?: 'open' | 'planned' | 'closed') {
  return useQuery({
    queryKey: ['waves', organization, status ?? 'all'],
    queryFn: () => allPages((page) => api.call('get', '/api/v1/waves', { query: { organization, status, page, page_size: 500, ordering: '-starts_on' } })),
  });
}

export function useWaveVisits(wave: number | null) {
  return useQuery({
    queryKey: ['visits', wave],
    enabled: wave !== null,
    queryFn: () => allPages((page) => api.call('get', '/api/v1/visits', { query: { wave: wave!, page, page_size: 500 } })),
  });
}

export function useLocations(organization: number) {
  return useQuery({
    queryKey: ['locations', organization],
    queryFn: () => allPages((page) => api.call('get', '/api/v1/locations', { query: { organization, page, page_size: 500 } })),
    staleTime: 5 * 60_000,
  });
}

export function useJourney(id: number | null) {
  return useQuery({
    queryKey: ['journey', id],
    enabled: id !== null,
    queryFn: () => api.call('get', '/api/v1/journeys/{id}', { path: { id: id! } }),
  });
}
