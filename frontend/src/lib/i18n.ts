// Tiny i18n: English is built in, Polish, Romanian and Greek load on demand (precached by the
// service worker, so they work offline). Chosen from the phone's languages, switchable in Settings.
import en, { type Dict, type Key } from '../locales/en';

export const LOCALES = ['en', 'pl', 'ro', 'el'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', pl: 'Polski', ro: 'Română', el: 'Ελληνικά' };

export function pickLocale(preferred: readonly string[] | undefined | null): Locale {
  for (const tag of preferred ?? []) {
    const base = String(tag).toLowerCase().split(/[-_]/)[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return 'en';
}

export type Params = Record<string, string | number>;

function interpolate(s: string, params?: Params): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

/** Look a key up in `dict`, falling back to English, then to the key itself. */
export function translate(dict: Partial<Dict>, key: string, params?: Params): string {
  const s = (dict as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  return interpolate(s, params);
}

/** Plural form: key.one / key.few / key.many / key.other by the locale's rules. */
export function translatePlural(dict: Partial<Dict>, locale: Locale, key: string, n: number, params?: Params): string {
  const rule = new Intl.PluralRules(locale).select(n);
  const d = dict as Record<string, string>;
  const e = en as Record<string, string>;
  const k = [`${key}.${rule}`, `${key}.other`].find((x) => x in d || x in e) ?? key;
  return translate(dict, k, { n, ...params });
}

const loaders: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Dict }>> = {
  pl: () => import('../locales/pl'),
  ro: () => import('../locales/ro'),
  el: () => import('../locales/el'),
};

export async function loadDict(locale: Locale): Promise<Dict> {
  if (locale === 'en') return en;
  return (await loaders[locale]()).default;
}

// ---- the current language (module state; the UI re-renders on change) ----------------------

let current: Locale = 'en';
let dict: Dict = en;
const listeners = new Set<() => void>();

export const locale = () => current;

export async function setLocale(l: Locale): Promise<void> {
  const d = await loadDict(l);
  current = l;
  dict = d;
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function onLocaleChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export const t = (key: Key | string, params?: Params) => translate(dict, key, params);
export const tn = (key: string, n: number, params?: Params) => translatePlural(dict, current, key, n, params);

export function formatTime(iso: string | number | Date | null | undefined, withDate = false): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return withDate
    ? d.toLocaleString(current, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleTimeString(current, { hour: '2-digit', minute: '2-digit' });
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
