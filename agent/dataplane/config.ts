// Settings of the agent's data plane: which devices carry DSL and mobile traffic, how our routes
// and rules are tagged, and the R11 blocking policy. One zod schema; the agent's own config
// schema embeds it (e.g. `dataPlane: dataPlaneConfigSchema.nullable().default(null)`, read
// from SP_DATA_PLANE as JSON), so a bad value stops start-up with the key named.
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { DEFAULT_BLOCKED_TRAFFIC, blockRuleSchema } from './blocking.js';

/** A Linux interface name: at most 15 characters, no slash, space or colon, not starting with `-`. */
export const deviceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, 'expected an interface name (letters, digits, _ . -, at most 15)');

export const ipv4Schema = z.string().refine((value) => isIPv4(value), 'expected an IPv4 address');

const uplinkSchema = z.object({
  device: deviceNameSchema,
  /** Next hop; null for a point-to-point device (ppp0), where the route names the device only. */
  gateway: ipv4Schema.nullable().default(null),
});

export const dataPlaneConfigSchema = z.object({
  /**
   * Run every command in this network namespace (`ip -n <ns>`, `tc -n <ns>`): the tests' router
   * namespace. Null (the default) acts on the host itself, as in production.
   */
  netns: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a network namespace name')
    .nullable()
    .default(null),
  dsl: uplinkSchema.extend({
    /**
     * The host's address on the DSL side (the agent sets it from `probeBindAddress`): traffic
     * from it, the connectivity probes above all, leaves over DSL whatever the default route,
     * and never over mobile (see sourceRules in rule-plan.ts). Null: no such rules.
     */
    source: ipv4Schema.nullable().default(null),
  }),
  mobile: uplinkSchema,
  /** The IFB device that carries the mobile download through the download shaper; created and removed by us. */
  ifbDevice: deviceNameSchema.default('spifb0'),
  route: z
    .object({
      /** Routing table of the default route (`main`, or a number). */
      table: z.union([z.literal('main'), z.number().int().min(1).max(0xfffffffe)]).default('main'),
      /** Metric of our default route; other default routes with a lower metric win over it. */
      metric: z.number().int().min(0).max(0xffffffff).default(50),
      /** rtnetlink protocol number that marks our routes and rules as ours (shown by `ip -N`). */
      protocol: z.number().int().min(5).max(255).default(83),
      /** Routing table that holds only the DSL default route, for traffic from `dsl.source`. */
      sourceTable: z.number().int().min(1).max(252).default(83),
      /** First `ip rule` priority of the DSL source rules (three in a row, before the blocking rules). */
      sourcePriority: z.number().int().min(1).max(32000).default(900),
    })
    .prefault({})
    .refine((route) => String(route.table) !== String(route.sourceTable), {
      message: 'sourceTable must differ from the table of the default route',
      path: ['sourceTable'],
    }),
  /** R11: traffic blocked on the mobile path, applied on failover and removed on failback. */
  blocking: z
    .object({
      enabled: z.boolean().default(false),
      /** First `ip rule` priority of ours; each rule takes the next one (before `main` at 32766). */
      firstPriority: z.number().int().min(1).max(32000).default(1000),
      rules: z.array(blockRuleSchema).max(64).default([...DEFAULT_BLOCKED_TRAFFIC]),
    })
    .prefault({}),
});

export type DataPlaneConfig = z.output<typeof dataPlaneConfigSchema>;
export type DataPlaneConfigInput = z.input<typeof dataPlaneConfigSchema>;
