// Small pieces every console screen uses: the page frame, loading and error states, "Not found", a pager.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { ApiError, isNotFound } from './data';
import { LOCALE_NAMES, LOCALES, setLocale, t, useLocale, type Locale } from './i18n';

export function Page({ title, actions, children, wide }: { title: string; actions?: ComponentChildren; children: ComponentChildren; wide?: boolean }) {
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title]);
  return (
    <section class={wide ? 'page page-wide' : 'page'} aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Loading() {
  return <p class="muted" role="status">{t('app.loading')}</p>;
}

export function NotFound() {
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
      <p><a href="/console/">{t('notFound.home')}</a></p>
    </Page>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.isNetwork ? t('error.network') : e.message;
  return String((e as Error)?.message ?? e);
}

/** A failed read: "Not found" for the API's 404 (another organization's id, another role's screen). */
export function Failed({ error }: { error: unknown }) {
  if (isNotFound(error)) return <NotFound />;
  return <p class="error" role="alert">{errorText(error)}</p>;
}

export function FieldProblems({ fields }: { fields?: Record<string, string[]> | null }) {
  const entries = Object.entries(fields ?? {});
  if (!entries.length) return null;
  return (
    <ul class="problems">
      {entries.map(([k, v]) => <li key={k}><code>{k}</code>: {v.join(' ')}</li>)}
    </ul>
  );
}

export function Pager({ page, count, size, onPage }: { page: number; count: number; size: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(count / size));
  return (
    <nav class="pager" aria-label={t('pager.label')}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('pager.previous')}</button>
      <span>{t('pager.of', { page, pages, count })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('pager.next')}</button>
    </nav>
  );
}

/** A query string from the non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const num = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : null);

export function LanguagePicker() {
  const current = useLocale();
  return (
    <label class="stack">
      <span class="small">{t('nav.language')}</span>
      <select value={current} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}</option>)}
      </select>
    </label>
  );
}

