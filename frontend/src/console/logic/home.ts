// The home screen's figures, computed from the visits of a wave (GET /api/v1/visits?wave=, every page) until
// the server has an aggregate. Buckets are what a consultant asks: planned, in progress, submitted (waiting
// for review or being reviewed), returned, approved — and overdue (its window has ended, nothing submitted).
import type { components } from '../../lib/api-schema';

export type Visit = components['schemas']['Visit'];
export type VisitStatus = components['schemas']['VisitStatusEnum'];
export const BUCKETS = ['planned', 'in_progress', 'submitted', 'returned', 'approved', 'overdue'] as const;
export type Bucket = (typeof BUCKETS)[number];
export type Counts = Record<Bucket, number> & { total: number };

const STATUS_BUCKET: Record<VisitStatus, Bucket | null> = {
  scheduled: 'planned',
  in_progress: 'in_progress',
  submitted: 'submitted',
  in_review: 'submitted',
  returned: 'returned',
  approved: 'approved',
  cancelled: null,
};

/** Its window has ended and the auditor has not submitted it. */
export function isOverdue(v: Pick<Visit, 'status' | 'window_end'>, now: Date): boolean {
  return (v.status === 'scheduled' || v.status === 'in_progress') && new Date(v.window_end).getTime() < now.getTime();
}

/** Whether a visit belongs in a bucket (the list behind a number on the home screen). */
export function inBucket(v: Pick<Visit, 'status' | 'window_end'>, bucket: Bucket, now: Date): boolean {
  return bucket === 'overdue' ? isOverdue(v, now) : STATUS_BUCKET[v.status] === bucket;
}

/** Counts per bucket; an overdue visit also counts as planned or in progress; cancelled visits count nowhere. */
export function countVisits(visits: readonly Pick<Visit, 'status' | 'window_end'>[], now: Date): Counts {
  const counts: Counts = { planned: 0, in_progress: 0, submitted: 0, returned: 0, approved: 0, overdue: 0, total: 0 };
  for (const v of visits) {
    const bucket = STATUS_BUCKET[v.status];
    if (!bucket) continue;
    counts[bucket]++;
    counts.total++;
    if (isOverdue(v, now)) counts.overdue++;
  }
  return counts;
}
