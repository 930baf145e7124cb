// A stopwatch that survives a reload or a closed app: it stores when it was started (a timestamp),
// never a running counter, so the elapsed time is always "now - startedAt" plus what came before.
import type { Timer } from './types';

export function newTimer(audit: string, item: number): Timer {
  return { key: `${audit}:${item}`, audit, item, startedAt: null, elapsedBefore: 0, lapMark: 0, laps: [] };
}

export function elapsedMs(t: Timer, now: number): number {
  return t.elapsedBefore + (t.startedAt !== null ? Math.max(0, now - t.startedAt) : 0);
}

export const isRunning = (t: Timer) => t.startedAt !== null;

export function start(t: Timer, now: number): Timer {
  if (t.startedAt !== null) return t;
  return { ...t, startedAt: now };
}

export function stop(t: Timer, now: number): Timer {
  if (t.startedAt === null) return t;
  return { ...t, elapsedBefore: elapsedMs(t, now), startedAt: null };
}

/** Mark a lap ("time to greet", "queue", "on hold", "transferred"): the time since the last lap. */
export function lap(t: Timer, label: string, now: number): Timer {
  const el = elapsedMs(t, now);
  const seconds = Math.round((el - t.lapMark) / 1000);
  return { ...t, lapMark: el, laps: [...t.laps, { label, seconds }] };
}

export function reset(t: Timer): Timer {
  return { ...t, startedAt: null, elapsedBefore: 0, lapMark: 0, laps: [] };
}

export const seconds = (t: Timer, now: number) => Math.round(elapsedMs(t, now) / 1000);

export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return (h ? `${h}:` : '') + `${mm}:${String(sec).padStart(2, '0')}`;
}
