// The active path as routes and rules, and the `ip` commands that converge to it. Pure.
// Our default route and our blocking rules carry our rtnetlink protocol number, so they are
// told apart from anyone else's (DHCP's default route, the system's rules) and only ours are
// changed. Moving the route is one `ip route replace` (atomic: no instant without a route).
import type { Path } from '../../shared/contract/messages.js';
import { DATAPLANE_ERROR_CODES, DataPlaneError } from './errors.js';
import { policyRules, type PolicyRule } from './blocking.js';
import type { DataPlaneConfig } from './config.js';
import type { Command } from './shaping-plan.js';

export interface RouteFact {
  readonly type: string;
  readonly gateway: string | null;
  readonly dev: string | null;
  readonly protocol: number;
  readonly metric: number;
}

const RTN_UNICAST = '1';
const FR_ACT_PROHIBIT = '8';
const IPPROTO: Readonly<Record<string, 'tcp' | 'udp'>> = { tcp: 'tcp', 'ipproto-6': 'tcp', '6': 'tcp', udp: 'udp', 'ipproto-17': 'udp', '17': 'udp' };
const RT_PROTOS: Readonly<Record<string, number>> = { boot: 3, kernel: 2, static: 4, dhcp: 16, ra: 9 };

function parseArray(text: string, what: string): Record<string, unknown>[] {
  try {
    const parsed: unknown = JSON.parse(text.trim() === '' ? '[]' : text);
    if (!Array.isArray(parsed)) throw new Error('not an array');
    return parsed as Record<string, unknown>[];
  } catch (error) {
    throw new DataPlaneError(DATAPLANE_ERROR_CODES.UNREADABLE_STATE, `cannot read ${what}: ${(error as Error).message}`);
  }
}

function protocolNumber(value: unknown): number {
  if (value === undefined) return 3; // `ip` leaves out the default, boot
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : (RT_PROTOS[text] ?? -1);
}

/** `ip -j -N route show table T exact 0.0.0.0/0`. */
export function parseDefaultRoutes(text: string): RouteFact[] {
  return parseArray(text, 'ip routes').map((r) => ({
    type: r['type'] === undefined ? RTN_UNICAST : String(r['type']),
    gateway: typeof r['gateway'] === 'string' ? r['gateway'] : null,
    dev: typeof r['dev'] === 'string' ? r['dev'] : null,
    protocol: protocolNumber(r['protocol']),
    metric: typeof r['metric'] === 'number' ? r['metric'] : 0,
  }));
}

function range(rule: Record<string, unknown>, name: 'dport' | 'sport'): readonly [number, number] | null {
  const single = rule[name];
  if (typeof single === 'number') return [single, single];
  const start = rule[`${name}_start`];
  const end = rule[`${name}_end`];
  return typeof start === 'number' && typeof end === 'number' ? [start, end] : null;
}

export interface CurrentRule extends PolicyRule {
  /** False for a rule of ours that is not a port-blocking `prohibit` rule (stale: removed). */
  readonly blocking: boolean;
}

/** Our rules in `ip -j -N rule show` (rules of other protocols are left out). */
export function parseOurRules(text: string, protocol: number): CurrentRule[] {
  return parseArray(text, 'ip rules')
    .filter((r) => protocolNumber(r['protocol']) === protocol)
    .map((r) => {
      const ipproto = IPPROTO[String(r['ipproto'])];
      const dport = range(r, 'dport');
      const sport = range(r, 'sport');
      const prohibit = String(r['action']) === FR_ACT_PROHIBIT || r['action'] === 'prohibit';
      return {
        priority: typeof r['priority'] === 'number' ? r['priority'] : 0,
        ipproto: ipproto ?? 'tcp',
        dport,
        sport,
        blocking: prohibit && ipproto !== undefined && (dport === null) !== (sport === null),
      };
    });
}

/** `ip -j neigh show to GW dev D`: the state flags of each entry (`REACHABLE`, `FAILED`, …). */
export function parseNeighbours(text: string): string[][] {
  return parseArray(text, 'ip neighbours').map((n) => (Array.isArray(n['state']) ? (n['state'] as unknown[]).map(String) : []));
}

const table = (config: DataPlaneConfig) => String(config.route.table);

/** The default route a path needs; null for `none` (no route of ours at all). */
export function desiredRoute(path: Path, config: DataPlaneConfig): RouteFact | null {
  if (path === 'none') return null;
  const uplink = path === 'dsl' ? config.dsl : config.mobile;
  return { type: RTN_UNICAST, gateway: uplink.gateway, dev: uplink.device, protocol: config.route.protocol, metric: config.route.metric };
}

/** `ip route replace` of our default route: atomic, and idempotent on its own. */
export function routeCommand(want: RouteFact, config: DataPlaneConfig): Command {
  return {
    tool: 'ip',
    args: ['route', 'replace', 'default', ...(want.gateway ? ['via', want.gateway] : []), 'dev', want.dev ?? '', 'proto', String(want.protocol), 'metric', String(want.metric), 'table', table(config)],
  };
}

export function planRoute(current: readonly RouteFact[], path: Path, config: DataPlaneConfig): Command[] {
  const want = desiredRoute(path, config);
  const ours = current.filter((r) => r.protocol === config.route.protocol);
  const same = (r: RouteFact) => want !== null && r.type === want.type && r.gateway === want.gateway && r.dev === want.dev && r.metric === want.metric;
  const commands: Command[] = [];
  if (want && !ours.some(same)) commands.push(routeCommand(want, config));
  for (const r of ours) {
    if (same(r) || (want && r.metric === want.metric)) continue; // replaced in place above
    commands.push({ tool: 'ip', args: ['route', 'del', 'default', 'proto', String(r.protocol), 'metric', String(r.metric), 'table', table(config)], mayFail: true });
  }
  return commands;
}

/** R11: the blocking rules for a path (only on mobile, only when the policy is on). */
export function desiredRules(path: Path, config: DataPlaneConfig): PolicyRule[] {
  if (path !== 'mobile' || !config.blocking.enabled) return [];
  return policyRules(config.blocking.rules, config.blocking.firstPriority);
}

const ruleKey = (r: PolicyRule) => JSON.stringify([r.priority, r.ipproto, r.dport, r.sport]);

function ruleArgs(r: PolicyRule, protocol: number): string[] {
  const ports = (name: string, p: readonly [number, number] | null) => (p ? [name, p[0] === p[1] ? String(p[0]) : `${p[0]}-${p[1]}`] : []);
  return ['priority', String(r.priority), 'protocol', String(protocol), 'ipproto', r.ipproto, ...ports('dport', r.dport), ...ports('sport', r.sport), 'prohibit'];
}

export function planRules(current: readonly CurrentRule[], wanted: readonly PolicyRule[], protocol: number): Command[] {
  const have = new Set(current.filter((r) => r.blocking).map(ruleKey));
  const want = new Set(wanted.map(ruleKey));
  const commands: Command[] = [];
  // Removals first: a stale rule may hold a priority a wanted one needs.
  for (const r of current) {
    if (r.blocking && want.has(ruleKey(r))) continue;
    const args = r.blocking ? ['rule', 'del', ...ruleArgs(r, protocol)] : ['rule', 'del', 'priority', String(r.priority), 'protocol', String(protocol)];
    commands.push({ tool: 'ip', args, mayFail: true });
  }
  for (const r of wanted) if (!have.has(ruleKey(r))) commands.push({ tool: 'ip', args: ['rule', 'add', ...ruleArgs(r, protocol)] });
  return commands;
}
