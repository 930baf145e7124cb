// `node scripts/check-lockfile.mjs` (make types-check): package-lock.json carries every platform's optional
// packages (rolldown's, lightningcss's, TypeScript 7's native binaries...), so `npm ci` installs it as it is
// on any machine and `npm install` has nothing to add. A lockfile written by an npm that dropped them
// fails here; rewrite it with `rm -rf node_modules && npm install` and check again.
import { readFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const packages = lock.packages ?? {};

/** Where Node would find `dep` from the package at `path`: its own node_modules, then each parent's. */
function resolves(path, dep) {
  for (let base = path; ; ) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) return true;
    if (!base) return false;
    const up = base.lastIndexOf('/node_modules/');
    base = up >= 0 ? base.slice(0, up) : '';
  }
}

const missing = [];
for (const [path, meta] of Object.entries(packages)) {
  for (const dep of Object.keys(meta.optionalDependencies ?? {})) if (!resolves(path, dep)) missing.push(`${path || '(root)'} -> ${dep}`);
}
if (missing.length) {
  console.error(`package-lock.json lacks ${missing.length} optional package(s) of other platforms:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log('package-lock.json carries every platform\'s optional packages');
