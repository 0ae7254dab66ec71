// The server's settings: one zod schema, read by shared/config.ts from SP_* variables and the
// JSON file named by SP_CONFIG. Each key `fooBar` is the variable `SP_FOO_BAR`.
import { z } from 'zod';
import { loadConfig, type LoadConfigOptions } from '../shared/config.js';
import { BOOST_DURATION_MS, FAIR_USE_CAP_BYTES, SELF_SERVICE_BOOSTS_PER_MONTH } from '../shared/service.js';
import { BusinessCalendarConfigSchema } from './rules/calendar-config.js';
import { ContractConfigSchema } from './rules/contract-config.js';
import { CoverageConfigSchema } from './rules/coverage.js';
import { EntitlementsConfigSchema } from './rules/entitlements.js';
import { GuaranteeConfigSchema } from './rules/guarantee.js';
import { SwapSlaConfigSchema } from './rules/swap-sla.js';

const port = z.number().int().min(0).max(65_535);
const cron = z.string().min(9, 'expected a cron expression such as "* * * * *"');

export const ServerConfigSchema = z.object({
  /** HTTP API, pages and /docs. */
  httpHost: z.string().min(1).default('0.0.0.0'),
  httpPort: port.default(8080),
  /** HTTPS (issue 11): PEM certificate (chain) and key files, both or neither; unset, plain HTTP (e.g. behind a TLS proxy). */
  httpsCertFile: z.string().min(1).optional(),
  httpsKeyFile: z.string().min(1).optional(),
  /** Embedded Aedes broker; ignored when mqttUrl names an external broker. */
  mqttHost: z.string().min(1).default('0.0.0.0'),
  mqttPort: port.default(1883),
  /** An external broker (mqtt:// or mqtts://) instead of the embedded one. */
  mqttUrl: z
    .string()
    .regex(/^mqtts?:\/\/[^/\s]+/, 'expected mqtt://host:port or mqtts://host:port')
    .optional(),
  /** The URL handed to agents at enrollment; defaults to the embedded broker's or mqttUrl. */
  mqttPublicUrl: z.string().regex(/^mqtts?:\/\//, 'expected mqtt://… or mqtts://…').optional(),
  /** mqtts:// on the embedded broker (issue 11): PEM certificate (chain) and key files, both or neither. */
  mqttTlsCertFile: z.string().min(1).optional(),
  mqttTlsKeyFile: z.string().min(1).optional(),
  /**
   * PEM CA file the server trusts for its own mqtts:// connection (a private CA). Unset: the
   * system's CAs for an external broker; for the embedded broker, its own certificate file.
   */
  mqttCaFile: z.string().min(1).optional(),
  /** The server's own MQTT principal. It may read every device's up topics and publish `desired`. */
  mqttUsername: z.string().min(1).default('serviceplus.server'),
  /** Required by an external broker that authenticates; generated per start for the embedded one. */
  mqttPassword: z.string().min(1).optional(),
  /** Unique per server instance on a shared broker (issue 10). */
  mqttClientId: z.string().min(1).max(128).default('serviceplus.server'),
  /** A persistent session keeps the server's queued messages on the broker while it restarts. */
  mqttPersistentSession: z.boolean().default(true),
  /**
   * Several instances on an MQTT 5 broker (Mosquitto, EMQX): the shared subscription group; each
   * device message then goes to one instance (`$share/<group>/sp/v1/devices/+/…`). Unset (and
   * with MQTT 3.1.1 brokers such as Aedes): every instance receives every message and stores it
   * idempotently. Ignored by the embedded broker. See deploy/README.md.
   */
  mqttSharedGroup: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a group name of letters, digits, _ . -').optional(),
  /** MQTT 5: how long the broker keeps this instance's session and queued messages while it is down. */
  mqttSessionExpirySeconds: z.number().int().min(0).max(604_800).default(3_600),
  /** Bearer token the external broker's HTTP auth/ACL hook must send; the hook is off without it. */
  brokerHookToken: z.string().min(16, 'expected at least 16 characters').optional(),

  /** `postgres://…` for PostgreSQL; unset means a SQLite file in dataDir. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected postgres://user@host:port/database')
    .optional(),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** smtp://user:pass@host:port; unset: mails are logged (nodemailer's JSON transport), not sent. */
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'expected smtp://host:port or smtps://host:port').optional(),
  mailFrom: z.string().min(3).default('ServicePlus <serviceplus@localhost>'),

  /** R5: how long a self-service boost lasts. */
  boostDurationMinutes: z.number().int().positive().default(BOOST_DURATION_MS / 60_000),
  /**
   * R5 for demos and tests only: a self-service boost's length in seconds, overriding
   * boostDurationMinutes when set (the demo uses 15 s). Production keeps minutes; leave unset.
   */
  boostDurationSeconds: z.number().int().positive().optional(),
  /** R7: self-service boosts per calendar month. */
  selfServiceBoostsPerMonth: z.number().int().nonnegative().default(SELF_SERVICE_BOOSTS_PER_MONTH),
  /** R8: the longest boost an operator may grant. */
  operatorBoostMaxHours: z.number().positive().default(30 * 24),
  /**
   * The device status route (GET /api/v1/devices/:id) reuses an answer for at most this long;
   * every change this instance makes drops it at once (server/http/device-view-cache.ts). 0: off.
   */
  statusCacheMs: z.number().int().min(0).max(60_000).default(1_000),
  /** R9: monthly mobile data, up and down together. */
  fairUseCapBytes: z.number().int().positive().default(FAIR_USE_CAP_BYTES),
  fairUseWarnPercent: z.number().int().min(1).max(99).default(80),
  /** R9: at 100 %, `hold-baseline` ends self-service boosts and refuses new ones; `warn-only` only warns. */
  fairUseAtCap: z.enum(['hold-baseline', 'warn-only']).default('hold-baseline'),

  /** Customer sessions of the self-service page. */
  sessionMinutes: z.number().int().positive().default(60),
  loginRateLimitMax: z.number().int().positive().default(10),
  loginRateLimitWindowSeconds: z.number().int().positive().default(900),
  /** log2 of scrypt's N for customer passwords; 15 takes tens of ms. Existing hashes keep theirs. */
  passwordHashCost: z.number().int().min(10).max(20).default(15),

  /**
   * Bearer token a Prometheus scraper sends to GET /metrics. Unset: /metrics answers only callers
   * on the loopback interface (a scraper on the same host, or a proxy that adds its own auth).
   */
  metricsToken: z.string().min(16, 'expected at least 16 characters').optional(),
  /**
   * `serviceplus demo` only: the firmware simulator's HTTP control URL. Set, it enables
   * POST /api/v1/demo/sim (the NOC dashboard's demo panel); unset (the default) there is no such route.
   */
  demoSimControlUrl: z.string().regex(/^https?:\/\/[^/\s]+/, 'expected http://host:port of the simulator control interface').optional(),

  /** node-cron schedules (Europe/Amsterdam); each job also runs once at start to catch up. */
  sweepCron: cron.default('* * * * *'),
  rolloverCron: cron.default('7 0 * * *'),
  outboxCron: cron.default('* * * * *'),

  // R12-R24 (server/rules/): each object as the rules define it, their defaults the source's.
  /** R13/R14: the swap SLA's business hours, Europe/Amsterdam (default every day 08:00-22:00). */
  swapCalendar: BusinessCalendarConfigSchema.prefault({}),
  /** R18: the business helpdesk's opening hours (default every day 08:00-22:00). */
  helpdeskCalendar: BusinessCalendarConfigSchema.prefault({}),
  /** R12: 4 business hours to a technician on site; at risk with 60 minutes left. */
  swapSla: SwapSlaConfigSchema.prefault({}),
  /** R19-R21, R24: minimum term, notice, annulment window, kit-return window, delivery. */
  contract: ContractConfigSchema.prefault({}),
  /** R21: what counts as usable coverage in the first 30 days. */
  coverage: CoverageConfigSchema.prefault({}),
  /** R16: how a silence of the agent counts (`unknown` by default). */
  guarantee: GuaranteeConfigSchema.prefault({}),
  /** R17: licence seats per subscription (10). */
  entitlements: EntitlementsConfigSchema.prefault({}),
  /** R16: a stop of the server longer than this (no heartbeat) is recorded as a gap in what it knows. */
  downtimeGapSeconds: z.number().int().min(60).max(86_400).default(180),
});

export type ServerConfig = z.output<typeof ServerConfigSchema>;

/** R5: how long a self-service boost lasts, in ms (boostDurationSeconds wins when set). */
export function selfServiceBoostMs(config: Pick<ServerConfig, 'boostDurationMinutes' | 'boostDurationSeconds'>): number {
  return config.boostDurationSeconds !== undefined ? config.boostDurationSeconds * 1000 : config.boostDurationMinutes * 60_000;
}

/** Reads the server's settings; throws ConfigError naming every bad key. */
export function loadServerConfig(options: LoadConfigOptions = {}): ServerConfig {
  return loadConfig(ServerConfigSchema, options);
}

/** A config from values alone (no environment, no file): for tests and in-process starts. */
export function serverConfig(values: Partial<z.input<typeof ServerConfigSchema>> = {}): ServerConfig {
  return loadConfig(ServerConfigSchema, { env: {}, overrides: values });
}
