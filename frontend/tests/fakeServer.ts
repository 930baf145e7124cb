// A small in-memory server that follows the API contract for audits and photos, with failure
// injection, used to drive the outbox in unit tests.
import { sha256Hex } from '../src/lib/hash';

export interface StoredAudit {
  revision: number;
  state: string;
  body: any;
}

type Hook = (method: string, path: string, init?: RequestInit) => Response | 'drop-after' | null | undefined;

export class FakeServer {
  audits = new Map<string, StoredAudit>();
  photos = new Map<string, { sha256: string; audit: string; bytes: number; item: string | null }>();
  requests: { method: string; path: string; body?: any }[] = [];
  /** called before the normal handling; return a Response to answer with it instead */
  hook: Hook | null = null;
  /** answer normally but then "lose" the answer (connection reset after the server stored it) */
  dropAnswerFor: ((method: string, path: string) => boolean) | null = null;
  failRate = 0;
  random: () => number = Math.random;
  offline = false;

  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = new URL(input, 'http://localhost');
    const path = url.pathname;
    let body: any = init?.body;
    if (typeof body === 'string') body = JSON.parse(body);
    this.requests.push({ method, path, body });
    if (this.offline) throw new TypeError('Failed to fetch');
    const hooked = this.hook?.(method, path, init);
    if (hooked instanceof Response) return hooked;
    if (this.failRate && this.random() < this.failRate) return json(503, { error: { code: 'unavailable', message: 'Try later' } });
    const res = await this.handle(method, path, body, init);
    if (this.dropAnswerFor?.(method, path)) throw new TypeError('NetworkError: connection reset');
    return res;
  };

  async handle(method: string, path: string, body: any, init?: RequestInit): Promise<Response> {
    if (path === '/api/v1/auth/csrf') return json(200, { csrfToken: 'tok' });
    const headers = new Headers(init?.headers);
    if (method !== 'GET' && headers.get('X-CSRFToken') !== 'tok') return json(403, { error: { code: 'csrf_failed', message: 'CSRF' } });
    let m = path.match(/^\/api\/v1\/audits\/([\w-]+)$/);
    if (m && method === 'PUT') return this.putAudit(m[1], body);
    m = path.match(/^\/api\/v1\/photos\/([\w-]+)$/);
    if (m && method === 'PUT') return this.putPhoto(m[1], body as FormData);
    return json(404, { error: { code: 'not_found', message: 'Not found' } });
  }

  putAudit(id: string, body: any): Response {
    const have = this.audits.get(id);
    const { revision: _r, ...content } = body;
    if (have && have.state === 'submitted') {
      const { revision: _h, ...old } = have.body;
      if (JSON.stringify(old) === JSON.stringify(content)) return json(200, { id, revision: have.revision, state: have.state, stored: false });
      return json(409, { error: { code: 'audit_frozen', message: 'This audit was already submitted.' } });
    }
    if (have && have.revision >= body.revision) return json(200, { id, revision: have.revision, state: have.state, stored: false });
    this.audits.set(id, { revision: body.revision, state: body.state, body });
    return json(have ? 200 : 201, { id, revision: body.revision, state: body.state, stored: true });
  }

  async putPhoto(id: string, form: FormData): Promise<Response> {
    const audit = String(form.get('audit'));
    if (!this.audits.has(audit)) return json(409, { error: { code: 'audit_not_found', message: 'Send the audit first.' } });
    const file = form.get('file') as Blob;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const sha = await sha256Hex(bytes);
    if (sha !== form.get('sha256')) return json(400, { error: { code: 'validation_error', message: 'Hash mismatch', fields: { sha256: ['does not match'] } } });
    const have = this.photos.get(id);
    if (have) {
      if (have.sha256 === sha) return json(200, { id, sha256: sha, state: 'processing' });
      return json(409, { error: { code: 'photo_conflict', message: 'Another photo has this id.' } });
    }
    this.photos.set(id, { sha256: sha, audit, bytes: bytes.length, item: (form.get('item') as string) ?? null });
    return json(201, { id, sha256: sha, state: 'processing' });
  }

  count(method: string, re: RegExp) {
    return this.requests.filter((r) => r.method === method && re.test(r.path)).length;
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
