// Small shared pieces: top bar, bottom navigation, chips, toasts.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { pendingCount } from './lib/outbox';
import { t } from './lib/i18n';
import { useLive, useSync, useToasts } from './state';

export function TopBar({ title, back, right }: { title: string; back?: string; right?: ComponentChildren }) {
  const sync = useSync();
  return (
    <header class="top">
      {back !== undefined ? (
        <a class="icon-btn" href={back} aria-label={t('app.back')}>
          <span aria-hidden="true">‹</span>
        </a>
      ) : null}
      <h1>{title}</h1>
      {right}
      {!sync.online ? (
        <span class="offline-dot" role="status" title={t('app.offline')} aria-label={t('app.offline')}>
          ●
        </span>
      ) : null}
    </header>
  );
}

export function BottomNav({ active }: { active: 'home' | 'outbox' | 'settings' }) {
  const pending = useLive(pendingCount, []) ?? 0;
  const item = (key: typeof active, href: string, label: string, icon: string, badge?: number) => (
    <a href={href} class={active === key ? 'on' : ''} aria-current={active === key ? 'page' : undefined}>
      <span aria-hidden="true" class="ico">
        {icon}
      </span>
      <span>{label}</span>
      {badge ? (
        <span class="badge" aria-label={`(${badge})`}>
          {badge}
        </span>
      ) : null}
    </a>
  );
  return (
    <nav class="bottom" aria-label="Main">
      {item('home', '#/', t('nav.home'), '⌂')}
      {item('outbox', '#/outbox', t('nav.outbox'), '⇅', pending)}
      {item('settings', '#/settings', t('nav.settings'), '⚙')}
    </nav>
  );
}

export interface ChipOption<V> {
  value: V;
  label: string;
  sub?: string;
  cls?: string;
}

/** A group of large chips; radio-like (one) or checkbox-like (many). */
export function Chips<V>({
  legend,
  options,
  selected,
  onSelect,
  multi = false,
  hint,
  cls = '',
  id,
}: {
  legend: ComponentChildren;
  options: ChipOption<V>[];
  selected: V | V[] | null | undefined;
  onSelect: (v: V) => void;
  multi?: boolean;
  hint?: string;
  cls?: string;
  id?: string;
}) {
  const isOn = (v: V) => (Array.isArray(selected) ? selected.some((s) => JSON.stringify(s) === JSON.stringify(v)) : selected === v);
  return (
    <fieldset class={`chips ${cls}`} id={id}>
      <legend>{legend}</legend>
      {hint ? <p class="hint">{hint}</p> : null}
      <div class="chip-row">
        {options.map((o) => (
          <button
            type="button"
            key={String(o.value)}
            class={`chip ${isOn(o.value) ? 'on' : ''} ${o.cls ?? ''}`}
            aria-pressed={isOn(o.value)}
            data-multi={multi ? '' : undefined}
            onClick={() => onSelect(o.value)}
          >
            <span>{o.label}</span>
            {o.sub ? <small>{o.sub}</small> : null}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

export function Toasts() {
  const list = useToasts();
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((x) => (
        <div key={x.id} class={`toast ${x.kind}`}>
          {x.text}
        </div>
      ))}
    </div>
  );
}

/** Re-render every second while `on` (running stopwatch). */
export function useTick(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, [on]);
  return now;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
