// The tables as Kysely sees them. Instants are integer milliseconds since the epoch (`*_at`),
// flags are 0/1 integers, JSON is text: the same on SQLite and PostgreSQL. Migrations in
// ./migrations create them; this file only describes them.
import type { Kysely, Transaction } from 'kysely';
import type { OperatorRole } from '../auth/roles.js';

export type SubscriptionStatus = 'active' | 'suspended';

export interface SubscriptionsTable {
  id: string;
  /** The ISP's contract or customer number, unique. */
  reference: string;
  status: SubscriptionStatus;
  suspended_reason: string | null;
  suspended_at: number | null;
  created_at: number;
}

export interface CustomersTable {
  id: string;
  subscription_id: string;
  name: string;
  /** Lower-cased login name of the self-service page (R6). */
  login: string;
  /** scrypt, self-describing (`scrypt$N$r$p$salt$hash`). */
  password_hash: string;
  email: string | null;
  phone: string | null;
  created_at: number;
}

export interface DevicesTable {
  /** The MQTT username and topic segment. */
  id: string;
  subscription_id: string;
  /** R1 model number (7340, 7360, 7390, 7490) and the name it was enrolled with. */
  model: string;
  model_name: string;
  serial_number: string | null;
  /** HMAC-SHA256 of the secret under secret_salt (a random secret needs no slow hash). */
  secret_hash: string;
  secret_salt: string;
  enrolled_at: number;
  credentials_at: number;
  revoked_at: number | null;
  presence: 'online' | 'offline' | null;
  presence_at: number | null;
  presence_reason: string | null;
  /** Server time of the last message from the device. */
  last_seen_at: number | null;
  /** The last `status` message as received (JSON), and its `at`. */
  status_json: string | null;
  status_at: number | null;
  active_path: 'dsl' | 'mobile' | 'none' | null;
}

export interface DesiredStatesTable {
  device_id: string;
  /** Monotonic per device; the agent applies only a higher seq. */
  seq: number;
  profile: 'baseline' | 'boost';
  down_kbps: number;
  up_kbps: number;
  until_at: number | null;
  boost_id: string | null;
  suspended: number;
  issued_at: number;
  /** The highest seq the broker confirmed (PUBACK) as published retained. */
  published_seq: number;
  /** The highest seq the agent acknowledged, and how. */
  acked_seq: number;
  ack_outcome: 'applied' | 'rejected' | null;
  ack_reason: string | null;
  ack_at: number | null;
}

export type BoostKind = 'self-service' | 'operator';
export type BoostStatus = 'requested' | 'applied' | 'rejected' | 'ended' | 'cancelled';
export type BoostEndReason = 'expired' | 'cancelled' | 'superseded' | 'suspended' | 'fair-use' | 'rejected';

export interface BoostsTable {
  id: string;
  subscription_id: string;
  kind: BoostKind;
  status: BoostStatus;
  /** Billing period (YYYY-MM, Europe/Amsterdam) the boost was granted in. */
  period: string;
  /** R7: 1..quota for a counted self-service boost; null for operator boosts and freed slots. */
  slot: number | null;
  granted_at: number;
  ends_at: number;
  applied_at: number | null;
  ended_at: number | null;
  end_reason: BoostEndReason | null;
  /** Where the confirmation goes once applied (R6). */
  email: string | null;
  /** `customer:<id>` or `operator:<name>`. */
  requested_by: string;
  reason: string | null;
}

export interface UsageTable {
  device_id: string;
  period: string;
  /** Cumulative per period; the row with the highest seq wins, so repeats change nothing. */
  seq: number;
  up_bytes: number;
  down_bytes: number;
  at: number;
  received_at: number;
}

export interface EventsTable {
  device_id: string;
  event_id: string;
  type: string;
  at: number;
  received_at: number;
  payload: string;
}

export interface AuditLogTable {
  id: string;
  at: number;
  /** `operator`, `customer`, `system` or `device`. */
  actor_kind: string;
  actor_id: string;
  action: string;
  subscription_id: string | null;
  subject_id: string | null;
  details: string;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface MailOutboxTable {
  id: string;
  /** One mail per cause (`boost-applied:<boostId>`): a repeated ack sends nothing twice. */
  dedupe_key: string;
  to_address: string;
  subject: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export type { OperatorRole };

export interface OperatorTokensTable {
  id: string;
  name: string;
  role: OperatorRole;
  /** SHA-256 of the token (a 256-bit random secret needs no slow hash). */
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface CustomerSessionsTable {
  id: string;
  customer_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
}

export interface FairUseNoticesTable {
  subscription_id: string;
  period: string;
  /** Percent of the cap: the warning threshold or 100. */
  threshold: number;
  at: number;
  used_bytes: number;
}

export interface JobRunsTable {
  name: string;
  /** What the job last finished, e.g. the last closed period. */
  last_key: string;
  last_run_at: number;
}

export interface PeriodClosingsTable {
  subscription_id: string;
  period: string;
  used_bytes: number;
  self_service_boosts: number;
  operator_boosts: number;
  closed_at: number;
}

export interface Database {
  subscriptions: SubscriptionsTable;
  customers: CustomersTable;
  devices: DevicesTable;
  desired_states: DesiredStatesTable;
  boosts: BoostsTable;
  usage: UsageTable;
  events: EventsTable;
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
  operator_tokens: OperatorTokensTable;
  customer_sessions: CustomerSessionsTable;
  fair_use_notices: FairUseNoticesTable;
  job_runs: JobRunsTable;
  period_closings: PeriodClosingsTable;
}

/** A query handle: the database itself or an open transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
