// The HTTP side: same origin, session cookie, CSRF header on every unsafe request,
// errors always as {"error": {"code", "message", "fields"}}.
import { kvGet, kvSet } from './db';
import type { ApiErrorBody, Me, SyncPayload } from './types';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  status: number;
  code: string;
  fields: Record<string, string[]> | undefined;
  constructor(status: number, code: string, message: string, fields?: Record<string, string[]>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
  /** No answer at all (offline, DNS, reset): try again later. */
  get isNetwork() {
    return this.status === 0;
  }
  /** Worth retrying on its own: network, timeouts, rate limits, server trouble. */
  get isTransient() {
    return this.status === 0 || this.status === 408 || this.status === 425 || this.status === 429 || this.status >= 500;
  }
  get isAuth() {
    return this.status === 401 || (this.status === 403 && this.code !== 'csrf_failed' && !/csrf/i.test(this.message));
  }
}

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined' || !document.cookie) return null;
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

const UNSAFE = /^(POST|PUT|PATCH|DELETE)$/i;

export class Api {
  fetchFn: FetchFn;
  base: string;
  constructor(fetchFn?: FetchFn, base = '') {
    this.fetchFn = fetchFn ?? ((input, init) => fetch(input, init));
    this.base = base;
  }

  async csrfToken(): Promise<string | null> {
    // The cookie is the truth in a page (Django rotates it on sign-in); a worker has no
    // document.cookie and uses the copy kept in IndexedDB.
    const fromCookie = readCookie('csrftoken');
    if (fromCookie) return fromCookie;
    return (await kvGet<string>('csrf')) ?? null;
  }

  async refreshCsrf(): Promise<string> {
    const body = await this.request<{ csrfToken: string }>('GET', '/api/v1/auth/csrf');
    await kvSet('csrf', body.csrfToken);
    return body.csrfToken;
  }

  async request<T = any>(method: string, path: string, body?: unknown, retriedCsrf = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (UNSAFE.test(method)) {
      let token = await this.csrfToken();
      if (!token) token = await this.refreshCsrf().catch(() => null);
      if (token) headers['X-CSRFToken'] = token;
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'network', String((e as Error)?.message ?? e));
    }
    if (res.status === 204) return undefined as T;
    let data: any = null;
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const err = (data as ApiErrorBody | null)?.error;
      const apiErr = new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? (res.statusText || `HTTP ${res.status}`), err?.fields);
      // A stale CSRF token (rotated at sign-in, or a new cookie): fetch a fresh one, try once more.
      if (res.status === 403 && !retriedCsrf && UNSAFE.test(method) && /csrf/i.test(apiErr.code + ' ' + apiErr.message)) {
        await this.refreshCsrf().catch(() => null);
        return this.request<T>(method, path, body, true);
      }
      throw apiErr;
    }
    return data as T;
  }

  me() {
    return this.request<Me>('GET', '/api/v1/me');
  }
  async login(email: string, password: string): Promise<Me> {
    await this.refreshCsrf().catch(() => null);
    const me = await this.request<Me>('POST', '/api/v1/auth/login', { email, password });
    // Django rotates the token on sign-in.
    await this.refreshCsrf().catch(() => null);
    return me;
  }
  logout() {
    return this.request<void>('POST', '/api/v1/auth/logout', {});
  }
  sync(organization: number, since?: string | null) {
    const q = new URLSearchParams({ organization: String(organization) });
    if (since) q.set('since', since);
    return this.request<SyncPayload>('GET', `/api/v1/sync?${q}`);
  }
  putAudit(id: string, body: unknown) {
    return this.request<{ id: string; revision: number; state: string; stored: boolean }>('PUT', `/api/v1/audits/${id}`, body);
  }
  putPhoto(id: string, form: FormData) {
    return this.request<{ id: string; sha256: string; state: string }>('PUT', `/api/v1/photos/${id}`, form);
  }
}

export const api = new Api();
