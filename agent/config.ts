// The agent's settings: one zod schema, read by shared/config.ts from a JSON file (SP_CONFIG) and
// SP_* variables (`routerUrl` is SP_ROUTER_URL). Defaults are the decided values; the failover
// timings are the ones the figures in the README were measured with.
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { DeviceIdSchema } from '../shared/contract/topics.js';
import { loadConfig, type LoadConfigOptions } from '../shared/config.js';
import { FAIR_USE_CAP_BYTES } from '../shared/service.js';
import { ProbeTargetSchema } from './dsl/probe.js';
import { dataPlaneConfigSchema } from './dataplane/index.js';
import { ModemOptionsSchema } from './modem/index.js';

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

export const AgentConfigSchema = z.object({
  // --- the router (TR-064)
  routerUrl: z.url({ protocol: /^http$/, message: 'expected the box TR-064 URL, e.g. http://192.168.178.1:49000' }).default('http://192.168.178.1:49000'),
  /** Empty for the legacy login of FRITZ!OS before 7.24. */
  routerUsername: z.string().max(64).default(''),
  routerPassword: z.string().max(128),
  routerTimeoutMs: ms(100, 30_000).default(1_000),
  /** Line poll interval: with confirmDownMs, what bounds the failover decision time. */
  linePollMs: ms(50, 60_000).default(250),
  /** Once the line has been down (or the box silent) for lineSlowAfterMs, it is polled every lineSlowPollMs until it is back. */
  lineSlowPollMs: ms(50, 60_000).default(1_000),
  lineSlowAfterMs: ms(0, 3_600_000).default(10_000),
  dslInfoEveryMs: ms(1_000, 3_600_000).default(10_000),
  // --- the stick
  devicePath: z.string().min(1, 'expected the stick serial device, e.g. /dev/ttyUSB0'),
  simPin: z.string().regex(/^\d{4,8}$/, 'expected 4 to 8 digits').optional(),
  /** Checked as the modem checks it (no line break, `;` or quote: it goes into an AT command). */
  apn: ModemOptionsSchema.shape.apn.default('internet'),
  /** The modem stack's own budgets, timings and recovery ladder (agent/modem/options.ts), as JSON. */
  modemTimeouts: ModemOptionsSchema.shape.timeouts,
  modemTiming: ModemOptionsSchema.shape.timing,
  modemRecovery: ModemOptionsSchema.shape.recovery,
  // --- the control plane
  deviceId: DeviceIdSchema,
  mqttUrl: z.url({ protocol: /^mqtts?$/, message: 'expected mqtt://host:port or mqtts://host:port' }),
  deviceSecret: z.string().min(8, 'expected the device secret issued at enrollment'),
  /** mqtts:// with a private CA (issue 11): the PEM CA file the broker's certificate must chain to; unset, the system's CAs. */
  mqttCaFile: z.string().min(1).optional(),
  mqttKeepaliveS: z.number().int().min(10).max(3_600).default(60),
  mqttConnectTimeoutMs: ms(1_000, 120_000).default(10_000),
  mqttBackoffInitialMs: ms(100, 60_000).default(1_000),
  mqttBackoffMaxMs: ms(1_000, 3_600_000).default(60_000),
  statusIntervalMs: ms(1_000, 86_400_000).default(300_000),
  // --- state on disk
  dataDir: z.string().min(1).default('./data'),
  // --- failover
  confirmDownMs: ms(0, 60_000).default(600),
  confirmUnreachableMs: ms(0, 120_000).default(2_000),
  failbackStableMs: ms(0, 3_600_000).default(30_000),
  flapWindowMs: ms(0, 86_400_000).default(900_000),
  maxHoldOffMs: ms(0, 86_400_000).default(600_000),
  mobileConnectTimeoutMs: ms(1_000, 600_000).default(45_000),
  // --- "line up, no internet"
  probeTargets: z.array(ProbeTargetSchema).min(1).max(16).prefault(['1.1.1.1:443', '8.8.8.8:443', '9.9.9.9:443']),
  /** Targets that must answer for a round to pass; default a majority. */
  probeQuorum: z.number().int().min(1).max(16).optional(),
  probeIntervalMs: ms(200, 600_000).default(2_000),
  probeTimeoutMs: ms(50, 60_000).default(1_500),
  probeFailRounds: z.number().int().min(1).max(100).default(3),
  /** Source address on the DSL side, so probes never go out over mobile. */
  probeBindAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  // --- fair use and metering (R9)
  fairUseCapBytes: z.number().int().positive().default(FAIR_USE_CAP_BYTES),
  fairUseHoldBaseline: z.boolean().default(true),
  meterPersistIntervalMs: ms(1_000, 3_600_000).default(60_000),
  /** The fastest the stick moves data, up and down together (boost 3600 + 1400). */
  meterMaxRateKbps: z.number().int().min(1).max(30_000).default(5_000),
  /** Routes, shaping and R11 blocking on this host (agent/dataplane), as JSON; null leaves them alone. */
  dataPlane: dataPlaneConfigSchema.nullable().default(null),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).refine((c) => c.probeQuorum === undefined || c.probeQuorum <= c.probeTargets.length, {
  message: 'probeQuorum must not exceed the number of probeTargets',
  path: ['probeQuorum'],
}).refine((c) => c.dataPlane === null || c.dataPlane.dsl.source !== null || (c.probeBindAddress !== undefined && isIPv4(c.probeBindAddress)), {
  // Once the default route points at mobile, unbound probes would go out over mobile: judging
  // the wrong line, and costing mobile data.
  message: "with dataPlane set, probeBindAddress must be this host's IPv4 address on the DSL side (the probes bind to it and the data plane keeps it on DSL)",
  path: ['probeBindAddress'],
});
export type AgentConfig = z.output<typeof AgentConfigSchema>;

export function loadAgentConfig(options: LoadConfigOptions = {}): AgentConfig {
  return loadConfig(AgentConfigSchema as unknown as z.ZodObject<Record<string, z.ZodType>>, options) as AgentConfig;
}
