// The HTTP side: same origin, session cookie, CSRF header on every unsafe request,
// errors always as {"error": {"code", "message", "fields"}}. Every call is typed by the paths of the
// server's OpenAPI schema (api-schema.d.ts): its path, its parameters, its body and its answer.
import type { paths } from './api-schema';
import { kvGet, kvSet } from './db';
import type { ApiErrorBody, AuditBody, FieldErrors } from './types';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

// ---- types from the schema's paths (no code: they vanish in the build) ------------------------

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The paths with an operation for `M`. */
export type PathWith<M extends Method> = { [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P }[keyof paths];
type Part<O, K extends 'path' | 'query'> = O extends { parameters: { [Q in K]?: infer X } } ? ([X] extends [never | undefined] ? never : X) : never;
/** A JSON body as JSON; a multipart one (photos) as FormData. */
type BodyOf<O> = O extends { requestBody?: infer B }
  ? [B] extends [never | undefined]
    ? never
    : NonNullable<B> extends { content: infer C }
      ? 'application/json' extends keyof C
        ? C['application/json']
        : FormData
      : never
  : never;
/** What `init` must carry: the path's parameters, the query, the body, each only where the operation has one. */
export type CallInit<O> = ([Part<O, 'path'>] extends [never] ? {} : { path: Part<O, 'path'> }) &
  ([Part<O, 'query'>] extends [never] ? {} : {} extends Part<O, 'query'> ? { query?: Part<O, 'query'> } : { query: Part<O, 'query'> }) &
  ([BodyOf<O>] extends [never] ? {} : { body: BodyOf<O> });
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
/** The JSON of a 2xx answer (undefined for 204). */
export type AnswerOf<O> = O extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 202 | 204 ? JsonOf<R[S]> : never }[keyof R] : never;
type InitArgs<O> = {} extends CallInit<O> ? [init?: CallInit<O>] : [init: CallInit<O>];

export class ApiError extends Error {
  status: number;
  code: string;
  fields: FieldErrors | undefined;
  constructor(status: number, code: string, message: string, fields?: FieldErrors) {
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
    const body = await this.call('get', '/api/v1/auth/csrf');
    await kvSet('csrf', body.csrfToken);
    return body.csrfToken;
  }

  /** One operation of the schema: `call('put', '/api/v1/audits/{id}', { path: { id }, body })`. */
  call<M extends Method, P extends PathWith<M>>(method: M, path: P, ...[init]: InitArgs<Operation<P, M>>): Promise<AnswerOf<Operation<P, M>>> {
    const parts = (init ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    let url: string = path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String(parts.path?.[name])));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(parts.query ?? {})) if (v !== undefined && v !== null) query.set(k, String(v));
    if ([...query].length) url += `?${query}`;
    return this.request(method.toUpperCase(), url, parts.body);
  }

  private async request<T>(method: string, path: string, body?: unknown, retriedCsrf = false): Promise<T> {
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
    let data: unknown = null;
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
    return this.call('get', '/api/v1/me');
  }
  async login(email: string, password: string) {
    await this.refreshCsrf().catch(() => null);
    const me = await this.call('post', '/api/v1/auth/login', { body: { email, password } });
    // Django rotates the token on sign-in.
    await this.refreshCsrf().catch(() => null);
    return me;
  }
  logout() {
    return this.call('post', '/api/v1/auth/logout');
  }
  sync(organization: number, since?: string | null) {
    return this.call('get', '/api/v1/sync', { query: { organization, since: since ?? undefined } });
  }
  putAudit(id: string, body: AuditBody) {
    return this.call('put', '/api/v1/audits/{id}', { path: { id }, body });
  }
  putPhoto(id: string, form: FormData) {
    return this.call('put', '/api/v1/photos/{id}', { path: { id }, body: form });
  }
}

export const api = new Api();
