// The shapes the PWA uses. What crosses the wire is named here from the types generated from the
// server's OpenAPI schema (api-schema.d.ts, `npm run types`): never written by hand. What the phone
// alone keeps (IndexedDB records: audits being captured, photos, timers) is written here.
import type { components } from './api-schema';

type Schemas = components['schemas'];
/** `T` with the fields `K` always there: an answer carries fields that a request may leave out. */
type Present<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

// ---- the wire -------------------------------------------------------------------------------

export type Me = Schemas['Me'];
export type Membership = Me['memberships'][number];
export type Role = Membership['role'];
export type ApiErrorBody = Schemas['ErrorBody'];
/** Every problem of a refused request, by the dotted path of the field it concerns. */
export type FieldErrors = ApiErrorBody['error']['fields'];

/** GET /api/v1/sync */
export type SyncPayload = Schemas['SyncFeed'];
export type Visit = SyncPayload['visits'][number];
export type VisitStatus = Visit['status'];
// The journey document's serializer also accepts new stages and steps, without ids (and stages
// without steps); in an answer both are always there.
type WireJourney = SyncPayload['journeys'][number];
type WireStage = WireJourney['stages'][number];
export type Step = Present<NonNullable<WireStage['steps']>[number], 'id'>;
export type Stage = Omit<Present<WireStage, 'id'>, 'steps'> & { steps: Step[] };
export type Journey = Omit<WireJourney, 'stages'> & { stages: Stage[] };
export type Channel = Step['channel'];
export type Scenario = SyncPayload['scenarios'][number];
export type Location = SyncPayload['locations'][number];
export type Persona = SyncPayload['personas'][number];
export type FrictionTag = SyncPayload['friction_tags'][number];

/** PUT /api/v1/audits/{id}: the body, and its parts the phone keeps as they are sent. */
export type AuditBody = Schemas['AuditBodyRequest'];
export type Checkin = NonNullable<AuditBody['checkin']>;
type WireResponse = AuditBody['responses'][number];
export type ResponseValue = WireResponse & Required<Pick<WireResponse, 'value' | 'detail' | 'note'>>;
export type Expectation = Required<NonNullable<AuditBody['expectations']>[number]>;

/** `Item.options` by kind and `Item.shown_when`, as the server's draft schema (audits/checklists/draft.py)
 * writes them: the API describes both as free JSON, so the PWA names what it reads. */
export interface ItemOptions {
  min?: number;
  max?: number;
  labels?: Record<string, string>;
  choices?: { value: string; label: string }[];
  unit?: string;
  min_count?: number;
}
export interface ShownWhen {
  item: string;
  equals: unknown;
}
type WireVersion = SyncPayload['checklist_versions'][number];
type WireSection = WireVersion['sections'][number];
export type ItemKind = WireSection['items'][number]['kind'];
export type Item = Omit<WireSection['items'][number], 'options' | 'shown_when'> & { options: ItemOptions; shown_when: ShownWhen | null };
export type Section = Omit<WireSection, 'items'> & { items: Item[] };
export type Version = Omit<WireVersion, 'sections'> & { sections: Section[] };

// ---- the phone's own records (IndexedDB) -----------------------------------------------------

/** Where a capture is on its way to the server, in the words the outbox screen uses. */
export type SyncStatus = 'saved' | 'sending' | 'stored' | 'attention';

export interface SyncInfo {
  /** revision the server has confirmed it holds (or a newer one) */
  confirmedRevision: number;
  /** revision of the body that was last handed to fetch (a crash may leave it unconfirmed) */
  sentRevision: number;
  sending: boolean;
  attempts: number;
  nextAttemptAt: number;
  /** a problem the person must act on; retrying alone will not help */
  attention: null | { code: string; message: string; fields?: FieldErrors };
  /** the last transient failure, shown while retrying */
  lastError: string | null;
}

export interface LocalAudit {
  id: string; // client UUID
  organization: number;
  visit: number | null;
  journey: number;
  checklist_version: number;
  persona: number | null;
  kind: 'visit' | 'self';
  revision: number;
  state: 'draft' | 'submitted';
  started_at: string;
  submitted_at: string | null;
  checkin: Checkin | null;
  /** keyed by item id */
  responses: Record<string, ResponseValue>;
  /** keyed by step id */
  expectations: Record<string, Expectation>;
  /** expectations given and the walk started (self-audits) */
  walking: boolean;
  updated_at: number;
  sync: SyncInfo;
}

export interface LocalPhoto {
  id: string; // client UUID
  audit: string;
  item: number | null;
  step: number | null;
  taken_at: string;
  latitude: number | null;
  longitude: number | null;
  /** bytes as an ArrayBuffer plus type: Safari has failed to store Blobs in IndexedDB */
  data: ArrayBuffer;
  type: string;
  width: number;
  height: number;
  sha256: string | null;
  /** 'stored' once the server confirmed it */
  stored: boolean;
  serverState: string | null;
  sync: Omit<SyncInfo, 'confirmedRevision' | 'sentRevision'>;
}

export interface Timer {
  key: string; // `${audit}:${item}`
  audit: string;
  item: number;
  /** epoch ms when it was last started, null while stopped: a timestamp, never a running counter */
  startedAt: number | null;
  /** ms accumulated before startedAt */
  elapsedBefore: number;
  /** elapsed ms at the last lap */
  lapMark: number;
  laps: { label: string; seconds: number }[];
}
