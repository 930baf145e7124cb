// Shapes of the API (see the contract in the issue) and of what the phone keeps in IndexedDB.

export type Role = 'owner' | 'manager' | 'auditor' | 'executive' | 'client_viewer';

export interface Membership {
  organization: { id: number; name: string; slug: string };
  role: Role;
  client: null | { id: number; name: string };
}

export interface Me {
  id: number;
  email: string;
  name: string;
  memberships: Membership[];
}

export type VisitStatus =
  | 'scheduled'
  | 'in_progress'
  | 'submitted'
  | 'in_review'
  | 'returned'
  | 'approved'
  | 'cancelled';

export interface Visit {
  id: number;
  wave: number | null;
  location: number | null;
  scenario: number | null;
  journey: number;
  checklist_version: number;
  persona: number | null;
  window_start: string | null;
  window_end: string | null;
  status: VisitStatus;
  review_comment: string | null;
}

export type Channel = 'in_store' | 'web' | 'app' | 'phone' | 'chat' | 'email' | 'sms' | 'kiosk' | 'other';

export interface Step {
  id: number;
  name: string;
  touchpoint: string;
  channel: Channel;
  promise_level: number;
  promise_text: string;
  reach: number;
  expected_seconds: number | null;
  moment_of_truth: boolean;
  position: number;
}

export interface Stage {
  id: number;
  name: string;
  position: number;
  steps: Step[];
}

export interface Journey {
  id: number;
  client: number | null;
  name: string;
  description: string;
  checklist_version: number | null;
  stages: Stage[];
}

export type ItemKind =
  | 'score'
  | 'yes_no'
  | 'single_choice'
  | 'multi_choice'
  | 'number'
  | 'duration'
  | 'text'
  | 'photo'
  | 'signature'
  | 'effort'
  | 'delivered_level'
  | 'outcome'
  | 'friction';

export interface Item {
  id: number;
  name: string;
  label: string;
  help: string;
  kind: ItemKind;
  required: boolean;
  critical: boolean;
  weight: number;
  step: number | null;
  options: Record<string, any>;
  shown_when: null | { item: string; equals: unknown };
  position: number;
}

export interface Section {
  id: number;
  title: string;
  step: number | null;
  position: number;
  items: Item[];
}

export interface Version {
  id: number;
  template: number;
  number: number;
  title: string;
  journey: number | null;
  sections: Section[];
}

export interface Scenario {
  id: number;
  title: string;
  brief: string;
}

export interface Location {
  id: number;
  name: string;
  address: string;
  latitude: number | null;
  longitude: number | null;
  timezone: string;
}

export interface Persona {
  id: number;
  name: string;
  tier: string;
  is_ordinary: boolean;
}

export interface FrictionTag {
  code: string;
  label: string;
  description: string;
  retired: boolean;
}

export interface SyncPayload {
  cursor: string;
  visits: Visit[];
  journeys: Journey[];
  checklist_versions: Version[];
  scenarios: Scenario[];
  locations: Location[];
  personas: Persona[];
  friction_tags: FrictionTag[];
  audits: { id: string; revision: number; state: string }[];
  photos: { id: string; sha256: string; state: string }[];
}

export interface Checkin {
  at: string;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  position_status: 'ok' | 'denied' | 'unavailable';
}

export interface ResponseValue {
  id: string; // client UUID
  item: number;
  value: any;
  detail: Record<string, any> | null;
  note: string;
}

export interface Expectation {
  step: number;
  level: number | null;
  effort: number | null;
}

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
  attention: null | { code: string; message: string; fields?: Record<string, string[]> };
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

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string[]> };
}
