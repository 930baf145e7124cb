// The console's strings, the PWA's way (src/lib/i18n.ts): English is built in and is the reference; Polish,
// Romanian and Greek load on demand. Its own catalogue (locales/), so the phone never carries the console's
// words and the console never carries the phone's.
import { useEffect, useState } from 'preact/hooks';
import en, { type Dict, type Key } from './locales/en';

export const LOCALES = ['en', 'pl', 'ro', 'el'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', pl: 'Polski', ro: 'Română', el: 'Ελληνικά' };
export type Params = Record<string, string | number>;

export function pickLocale(preferred: readonly (string | null | undefined)[]): Locale {
  for (const tag of preferred) {
    const base = String(tag ?? '').toLowerCase().split(/[-_]/)[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return 'en';
}

/** `key` in `dict`, else in English, else the key itself; `{name}` replaced from params. */
export function translate(dict: Partial<Dict>, key: string, params?: Params): string {
  const s = (dict as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : s;
}

const loaders: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Dict }>> = {
  pl: () => import('./locales/pl'),
  ro: () => import('./locales/ro'),
  el: () => import('./locales/el'),
};

let current: Locale = 'en';
let dict: Dict = en;
const listeners = new Set<() => void>();
const STORE = 'touchpoint.console.locale';

export const locale = () => current;

export async function setLocale(l: Locale, remember = true): Promise<void> {
  dict = l === 'en' ? en : (await loaders[l]()).default;
  current = l;
  document.documentElement.lang = l;
  if (remember) localStorage.setItem(STORE, l);
  listeners.forEach((f) => f());
}

/** The language chosen in the console, else the account's, else the browser's. */
export function initialLocale(account?: string | null): Locale {
  return pickLocale([localStorage.getItem(STORE), account, ...(navigator.languages ?? [])]);
}

export const t = (key: Key, params?: Params) => translate(dict, key, params);

/** Re-render the calling component when the language changes. */
export function useLocale(): Locale {
  const [, bump] = useState(0);
  useEffect(() => {
    const f = () => bump((n) => n + 1);
    listeners.add(f);
    return () => void listeners.delete(f);
  }, []);
  return current;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(current, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleDateString(current, { day: 'numeric', month: 'short', year: 'numeric' });
}

export function formatNumber(n: number, digits = 0): string {
  return n.toLocaleString(current, { maximumFractionDigits: digits });
}
