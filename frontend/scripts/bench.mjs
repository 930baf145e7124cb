// `npm run bench`: the app shell's JavaScript and CSS in gzip bytes (run `npm run build` first).
// The shell is everything the first screen loads: the entry script, the CSS, and the chunks it
// loads at start (workbox-window for the service worker registration). The Polish, Romanian and
// Greek dictionaries load only when chosen and are listed apart. Budget: 40 KB gzip.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const BUDGET = 40 * 1024;
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const assets = readdirSync(join(dist, 'assets')).filter((f) => /\.(js|css)$/.test(f));
const lazy = (f) => /^(pl|ro|el)-/.test(f);
const gz = (f) => gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length;
const raw = (f) => readFileSync(join(dist, 'assets', f)).length;

let shell = 0;
const rows = [];
for (const f of assets.sort()) {
  const size = gz(f);
  if (!lazy(f)) shell += size;
  rows.push([f, raw(f), size, lazy(f) ? 'on demand' : 'shell']);
}
const sw = gzipSync(readFileSync(join(dist, 'sw.js')), { level: 9 }).length;
const html = gzipSync(readFileSync(join(dist, 'index.html')), { level: 9 }).length;
for (const [f, r, g, kind] of rows) console.log(`${f.padEnd(44)} ${String(r).padStart(7)} B  ${String(g).padStart(6)} B gzip  ${kind}`);
console.log(`${'index.html'.padEnd(44)} ${''.padStart(7)}    ${String(html).padStart(6)} B gzip`);
console.log(`${'sw.js (service worker, not in the shell)'.padEnd(44)} ${''.padStart(7)}    ${String(sw).padStart(6)} B gzip`);
console.log(`shell JS+CSS gzip: ${shell} bytes (${(shell / 1024).toFixed(1)} KB) — budget ${BUDGET / 1024} KB: ${shell <= BUDGET ? 'OK' : 'OVER'}`);
process.exit(shell <= BUDGET ? 0 : 1);
