// Exponential back-off with "full jitter": attempt n waits a random time in
// [base * 2^(n-1) / 2, base * 2^(n-1)], never more than `max`.
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 2_000;
  const max = opts.maxMs ?? 5 * 60_000;
  const random = opts.random ?? Math.random;
  if (attempt <= 0) return 0;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** When to try again after the given number of failed attempts. */
export function nextAttemptAt(attempts: number, now: number, opts?: BackoffOptions): number {
  return now + backoffDelay(attempts, opts);
}
