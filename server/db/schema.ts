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
  /** R18: the phone number registered at sign-up, E.164 (`+31201234567`). */
  phone: string | null;
  /** R17: licence seats agreed for this subscription; null = the configured default. */
  licence_seats: number | null;
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
export type BoostEndReason = 'expired' | 'cancelled' | 'superseded' | 'suspended' | 'fair-use' | 'rejected' | 'contract-ended';

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

// ---- R12-R24 (migration 0002) ----

/** R19-R21, R24: one per subscription. Instants in ms; the termination as the rules' JSON. */
export interface ContractsTable {
  subscription_id: string;
  ordered_at: number;
  delivered_at: number | null;
  /** The rules' `Termination` as JSON, or null while none is recorded. */
  termination: string | null;
  /** When the service stops (the termination's `endsAt`); the end job's work list. */
  ends_at: number | null;
  /** The end job switched mobile data off, ended boosts and issued the final invoice (R20). */
  ended_at: number | null;
  /** The end job revoked the routers' credentials. */
  credentials_revoked_at: number | null;
  /** R20: the returns department received the kit. */
  kit_returned_at: number | null;
  created_at: number;
}

/** R20: the EUR 0 final invoice, once per subscription. */
export interface FinalInvoicesTable {
  subscription_id: string;
  amount_cents: number;
  issued_on: string;
  period: string;
  termination: string;
  created_at: number;
}

/** R22/R23: each suspension, open until restored (the guarantee's out-of-service spans). */
export interface SuspensionsTable {
  id: string;
  subscription_id: string;
  reason: string;
  note: string | null;
  since: number;
  by_role: string;
  by_id: string;
  restored_at: number | null;
  restored_by_role: string | null;
  restored_by_id: string | null;
  restore_note: string | null;
}

/** R12/R15: a swap ticket; the rules' `SwapTicket` as JSON plus the columns lists filter on. */
export interface SwapTicketsTable {
  id: string;
  subscription_id: string;
  equipment: 'router' | 'stick';
  defective_device_id: string;
  status: 'reported' | 'dispatched' | 'on-site' | 'replaced' | 'closed' | 'cancelled';
  reported_at: number;
  deadline: number;
  at_risk_from: number;
  /** The SLA state the watch last recorded: ok, at-risk or breached. */
  sla_state: 'ok' | 'at-risk' | 'breached';
  /** R15: the defect was the customer's fault: a one-off charge applies. */
  one_off_charge: number;
  return_status: 'not-due' | 'due' | 'posted' | 'received';
  ticket: string;
  updated_at: number;
}

export type ClaimStatus = 'pending' | 'decided';
export type ClaimVerdict = 'eligible' | 'not-eligible' | 'undecidable' | 'already-refunded';

/** R16: a claim for a subscription and month, with the latest assessment as JSON. */
export interface GuaranteeClaimsTable {
  id: string;
  subscription_id: string;
  period: string;
  statement: string | null;
  claimed_at: number;
  claimed_by_role: string;
  claimed_by_id: string;
  status: ClaimStatus;
  verdict: ClaimVerdict;
  reason: string;
  assessment: string;
  decided_at: number | null;
  decided_by_role: string | null;
  decided_by_id: string | null;
  note: string | null;
}

/** R16/R19: at most one refund of the month's fee per subscription and month (the primary key). */
export interface GuaranteeRefundsTable {
  subscription_id: string;
  period: string;
  amount_cents: number;
  claim_id: string;
  outage_start: number | null;
  outage_end: number | null;
  decided_at: number;
}

/** R16: every presence message, for the timeline. `at`: the record's instant (an offline one when received). */
export interface PresenceLogTable {
  device_id: string;
  at: number;
  /** The message's own `at`. */
  sent_at: number;
  received_at: number;
  state: 'online' | 'offline';
  reason: string | null;
}

/** R16: the active path as each status reported it, once per change (`at` = its pathSince). */
export interface PathChangesTable {
  device_id: string;
  at: number;
  path: 'dsl' | 'mobile' | 'none';
  received_at: number;
}

/** R21: the stick's registration and signal from status messages, while the coverage window may need them. */
export interface CoverageReportsTable {
  device_id: string;
  subscription_id: string;
  at: number;
  modem_state: string;
  registration: string | null;
  signal_dbm: number | null;
  received_at: number;
}

/** R16: stretches in which the server recorded nothing (it was down). */
export interface IngestGapsTable {
  from_at: number;
  to_at: number;
  recorded_at: number;
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
  contracts: ContractsTable;
  final_invoices: FinalInvoicesTable;
  suspensions: SuspensionsTable;
  swap_tickets: SwapTicketsTable;
  guarantee_claims: GuaranteeClaimsTable;
  guarantee_refunds: GuaranteeRefundsTable;
  presence_log: PresenceLogTable;
  path_changes: PathChangesTable;
  coverage_reports: CoverageReportsTable;
  ingest_gaps: IngestGapsTable;
}

/** A query handle: the database itself or an open transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
