// A stand-in for the Django API, for working on the app without the backend:
//   npm run build && node scripts/mock-api.mjs [port]     then open http://127.0.0.1:8787/app/
// Serves dist/ at /app/ (index.html for app routes, sw.js with no-cache) and the contract's
// endpoints from memory with demo data. Sign in with any email and the password touchpoint-demo.
// FAIL_RATE=0.33 makes a third of the API requests fail with 503.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const port = Number(process.argv[2] ?? 8787);
const dist = new URL('../dist/', import.meta.url).pathname;
const failRate = Number(process.env.FAIL_RATE ?? 0);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json', '.json': 'application/json' };

const step = (id, name, channel, promise_level, position, mot = false) => ({ id, name, touchpoint: name, channel, promise_level, promise_text: `Level ${promise_level} promised`, reach: 1, expected_seconds: 120, moment_of_truth: mot, position });
const journey = {
  id: 1, client: 1, name: 'Buy a phone in store', description: 'From the door to the receipt', checklist_version: 10,
  stages: [{ id: 1, name: 'Visit', position: 1, steps: [step(101, 'Enter and get greeted', 'in_store', 4, 1), step(102, 'Get advice', 'in_store', 4, 2, true), step(103, 'Pay', 'in_store', 3, 3)] }],
};
let itemId = 1000;
const stepItems = (s) => [
  { kind: 'outcome', name: `s${s.id}_outcome`, label: 'Outcome', required: true },
  { kind: 'effort', name: `s${s.id}_effort`, label: 'Effort', required: true },
  { kind: 'friction', name: `s${s.id}_friction`, label: 'Friction', required: true },
  { kind: 'duration', name: `s${s.id}_time`, label: 'Time on the step', options: { measure: 'time_on_step' } },
  { kind: 'duration', name: `s${s.id}_wait`, label: 'Time waited', options: { measure: 'wait' } },
  { kind: 'delivered_level', name: `s${s.id}_delivered`, label: 'Delivered level', required: true },
  { kind: 'photo', name: `s${s.id}_photo`, label: 'Photos', options: { min_count: 0 } },
  { kind: 'text', name: `s${s.id}_note`, label: 'Note' },
].map((it, k) => ({ id: ++itemId, help: '', critical: false, weight: 1, step: s.id, options: {}, shown_when: null, position: k + 1, required: false, ...it }));
const version = {
  id: 10, template: 1, number: 1, title: 'Store visit', journey: 1,
  sections: [
    ...journey.stages[0].steps.map((s, k) => ({ id: 200 + k, title: s.name, step: s.id, position: k + 1, items: stepItems(s) })),
    { id: 299, title: 'Overall', step: null, position: 9, items: [
      { id: 1901, name: 'clean', label: 'Was the store clean?', help: '', kind: 'yes_no', required: true, critical: true, weight: 1, step: null, options: {}, shown_when: null, position: 1 },
      { id: 1902, name: 'dirty_where', label: 'Where was it not clean?', help: '', kind: 'text', required: true, critical: false, weight: 1, step: null, options: {}, shown_when: { item: 'clean', equals: 'no' }, position: 2 },
      { id: 1903, name: 'overall', label: 'Overall impression', help: '', kind: 'score', required: false, critical: false, weight: 1, step: null, options: { min: 1, max: 5, labels: { 1: 'Poor', 5: 'Excellent' } }, shown_when: null, position: 3 },
    ] },
  ],
};
const today = new Date();
const at = (h) => new Date(today.getFullYear(), today.getMonth(), today.getDate(), h).toISOString();
const data = {
  visits: [
    { id: 1, wave: 1, location: 1, scenario: 1, journey: 1, checklist_version: 10, persona: 1, window_start: at(9), window_end: at(18), status: 'scheduled', review_comment: null },
    { id: 2, wave: 1, location: 2, scenario: 1, journey: 1, checklist_version: 10, persona: 1, window_start: new Date(Date.now() + 3 * 864e5).toISOString(), window_end: null, status: 'scheduled', review_comment: null },
  ],
  journeys: [journey],
  checklist_versions: [version],
  scenarios: [{ id: 1, title: 'Upgrade a phone plan', brief: 'Ask for a new phone with a cheaper plan.\nMention you already gave your details online.' }],
  locations: [
    { id: 1, name: 'Warsaw – Złote Tarasy', address: 'Złota 59, Warszawa', latitude: 52.23, longitude: 21.0, timezone: 'Europe/Warsaw' },
    { id: 2, name: 'Bucharest – AFI Cotroceni', address: 'Bd. Vasile Milea 4, București', latitude: 44.43, longitude: 26.05, timezone: 'Europe/Bucharest' },
  ],
  personas: [{ id: 2, name: 'Frequent flyer', tier: 'first class', is_ordinary: false }, { id: 1, name: 'Everyday customer', tier: 'economy', is_ordinary: true }],
  friction_tags: ['repeat_input', 'dead_end', 'no_human', 'long_wait', 'hidden_control', 'fragile', 'needless_complexity', 'broken_promise', 'lost_context', 'survey_fatigue'].map((code) => ({ code, label: code.replace(/_/g, ' '), description: '', retired: false })),
};
const audits = new Map();
const photos = new Map();
let signedIn = false;

const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const err = (res, status, code, message, fields) => json(res, status, { error: { code, message, ...(fields ? { fields } : {}) } });
const me = { id: 1, email: 'auditor@demo.touchpoint.test', name: 'Ana Auditor', memberships: [{ organization: { id: 1, name: 'Demo', slug: 'demo' }, role: 'auditor', client: null }] };

function body(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function api(req, res, url) {
  const path = url.pathname;
  if (failRate && path !== '/api/v1/auth/csrf' && Math.random() < failRate) return err(res, 503, 'unavailable', 'Try again later.');
  if (path === '/api/v1/auth/csrf') {
    res.setHeader('Set-Cookie', 'csrftoken=tok; Path=/; SameSite=Lax');
    return json(res, 200, { csrfToken: 'tok' });
  }
  if (req.method !== 'GET' && req.headers['x-csrftoken'] !== 'tok') return err(res, 403, 'csrf_failed', 'CSRF token missing.');
  if (path === '/api/v1/auth/login') {
    const b = JSON.parse((await body(req)).toString() || '{}');
    if (b.password !== 'touchpoint-demo') return err(res, 400, 'invalid_credentials', 'Email or password is not right.');
    signedIn = true;
    return json(res, 200, { ...me, email: b.email });
  }
  if (path === '/api/v1/auth/logout') {
    signedIn = false;
    return json(res, 204);
  }
  if (!signedIn) return err(res, 401, 'not_authenticated', 'Sign in.');
  if (path === '/api/v1/me') return json(res, 200, me);
  if (path === '/api/v1/sync') {
    const since = url.searchParams.get('since');
    const all = since ? { visits: [], journeys: [], checklist_versions: [], scenarios: [], locations: [], personas: [], friction_tags: [] } : data;
    return json(res, 200, { cursor: String(Date.now()), ...all, audits: [...audits].map(([id, a]) => ({ id, revision: a.revision, state: a.state })), photos: [...photos].map(([id, p]) => ({ id, sha256: p.sha256, state: 'ready' })) });
  }
  let m = path.match(/^\/api\/v1\/audits\/([\w-]+)$/);
  if (m && req.method === 'PUT') {
    const b = JSON.parse((await body(req)).toString());
    const have = audits.get(m[1]);
    const { revision: _r, ...content } = b;
    if (have?.state === 'submitted') {
      const { revision: _h, ...old } = have.body;
      if (JSON.stringify(old) === JSON.stringify(content)) return json(res, 200, { id: m[1], revision: have.revision, state: have.state, stored: false });
      return err(res, 409, 'audit_frozen', 'This audit was already submitted.');
    }
    if (have && have.revision >= b.revision) return json(res, 200, { id: m[1], revision: have.revision, state: have.state, stored: false });
    audits.set(m[1], { revision: b.revision, state: b.state, body: b });
    return json(res, have ? 200 : 201, { id: m[1], revision: b.revision, state: b.state, stored: true });
  }
  m = path.match(/^\/api\/v1\/photos\/([\w-]+)$/);
  if (m && req.method === 'PUT') {
    const raw = await body(req);
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] } }).formData();
    const file = form.get('file');
    const bytes = Buffer.from(await file.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== form.get('sha256')) return err(res, 400, 'validation_error', 'The file does not match its hash.', { sha256: ['mismatch'] });
    if (!audits.has(String(form.get('audit')))) return err(res, 409, 'audit_not_found', 'Send the audit first.');
    const have = photos.get(m[1]);
    if (have && have.sha256 !== sha) return err(res, 409, 'photo_conflict', 'Another photo has this id.');
    photos.set(m[1], { sha256: sha, audit: form.get('audit'), item: form.get('item'), bytes: bytes.length });
    return json(res, have ? 200 : 201, { id: m[1], sha256: sha, state: 'processing' });
  }
  if (path === '/api/v1/_mock/state') return json(res, 200, { audits: Object.fromEntries(audits), photos: Object.fromEntries(photos) });
  return err(res, 404, 'not_found', 'Not found.');
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  try {
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (url.pathname.startsWith('/api/')) return await api(req, res, url);
    if (url.pathname === '/' || url.pathname === '/app') {
      res.writeHead(302, { Location: '/app/' });
      return res.end();
    }
    if (url.pathname.startsWith('/app/')) {
      const rel = normalize(url.pathname.slice(5)).replace(/^(\.\.[/\\])+/, '');
      let file = join(dist, rel);
      if (!rel || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
      const name = file.split('/').pop();
      const cache = name === 'sw.js' || name === 'index.html' || name.endsWith('.webmanifest') ? 'no-cache' : 'public, max-age=31536000, immutable';
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache, 'Service-Worker-Allowed': '/app/' });
      return res.end(readFileSync(file));
    }
    res.writeHead(404);
    res.end();
  } catch (e) {
    err(res, 500, 'server_error', String(e));
  }
}).listen(port, '127.0.0.1', () => console.log(`mock API and app on http://127.0.0.1:${port}/app/`));
