// Our policy-routing rules as facts, and the `ip rule` commands that converge to them. Pure.
// Two kinds: R11's blocking rules on the mobile path (blocking.ts), and the DSL source rules
// that keep traffic from the DSL-side address (the connectivity probes) on DSL whatever the
// default route says (below). Ours carry our rtnetlink protocol number; nobody else's rule is
// read or touched. A rule is compared as a whole (priority, selectors, action), so a changed
// setting removes the old rule and adds the new one; a rule of ours that this module cannot
// read is removed by its priority.
import type { Path } from '../../shared/contract/messages.js';
import { policyRules } from './blocking.js';
import type { DataPlaneConfig } from './config.js';
import { DATAPLANE_ERROR_CODES, DataPlaneError } from './errors.js';
import type { Command } from './shaping-plan.js';

export type RuleAction =
  | { readonly kind: 'prohibit' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'lookup'; readonly table: number; readonly suppressPrefixLength: number | null };

export interface RuleFact {
  readonly priority: number;
  /** Source selector (`198.51.100.2`, or `a.b.c.d/len`); null for all. */
  readonly src: string | null;
  readonly ipproto: 'tcp' | 'udp' | null;
  readonly dport: readonly [number, number] | null;
  readonly sport: readonly [number, number] | null;
  readonly action: RuleAction;
}

/** A rule of ours as read from the kernel; `fact` is null for one this module cannot read (stale: removed). */
export interface CurrentRule {
  readonly priority: number;
  readonly fact: RuleFact | null;
}

const MAIN_TABLE = 254;
const TABLE_NAMES: Readonly<Record<string, number>> = { main: 254, local: 255, default: 253 };
const IPPROTO: Readonly<Record<string, 'tcp' | 'udp'>> = { tcp: 'tcp', 'ipproto-6': 'tcp', '6': 'tcp', udp: 'udp', 'ipproto-17': 'udp', '17': 'udp' };
const RT_PROTOS: Readonly<Record<string, number>> = { boot: 3, kernel: 2, static: 4, dhcp: 16, ra: 9 };
/** What `ip -j rule show` prints that this module understands; any other key makes a rule unreadable. */
const KNOWN_KEYS = new Set(['priority', 'src', 'srclen', 'protocol', 'ipproto', 'dport', 'dport_start', 'dport_end', 'sport', 'sport_start', 'sport_end', 'table', 'suppress_prefixlen', 'action', 'flags']);

function protocolNumber(value: unknown): number {
  if (value === undefined) return 3; // `ip` leaves out the default, boot
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : (RT_PROTOS[text] ?? -1);
}

function range(rule: Record<string, unknown>, name: 'dport' | 'sport'): readonly [number, number] | null {
  const single = rule[name];
  if (typeof single === 'number') return [single, single];
  const start = rule[`${name}_start`];
  const end = rule[`${name}_end`];
  return typeof start === 'number' && typeof end === 'number' ? [start, end] : null;
}

function tableNumber(value: unknown): number | null {
  const text = String(value);
  if (/^\d+$/.test(text)) return Number(text);
  return TABLE_NAMES[text] ?? null;
}

/** One rule of `ip -j -N rule show` as a fact, or null when it holds anything we never set. */
function ruleFact(r: Record<string, unknown>): RuleFact | null {
  if (Object.keys(r).some((key) => !KNOWN_KEYS.has(key))) return null;
  if (typeof r['priority'] !== 'number') return null;
  let action: RuleAction | null = null;
  const act = r['action'] === undefined ? null : String(r['action']);
  if (act === '8' || act === 'prohibit') action = { kind: 'prohibit' };
  else if (act === '7' || act === 'unreachable') action = { kind: 'unreachable' };
  else if (act === null && r['table'] !== undefined) {
    const table = tableNumber(r['table']);
    const suppress = r['suppress_prefixlen'];
    if (table !== null) action = { kind: 'lookup', table, suppressPrefixLength: typeof suppress === 'number' ? suppress : null };
  }
  if (!action) return null;
  const ipproto = r['ipproto'] === undefined ? null : (IPPROTO[String(r['ipproto'])] ?? undefined);
  if (ipproto === undefined) return null;
  const src = r['src'] === undefined || r['src'] === 'all' ? null : String(r['src']);
  const srclen = typeof r['srclen'] === 'number' && r['srclen'] !== 32 ? `/${r['srclen']}` : '';
  return { priority: r['priority'], src: src === null ? null : `${src}${srclen}`, ipproto, dport: range(r, 'dport'), sport: range(r, 'sport'), action };
}

/** Our rules in `ip -j -N rule show` (rules of other protocols are left out). */
export function parseOurRules(text: string, protocol: number): CurrentRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '[]' : text);
    if (!Array.isArray(parsed)) throw new Error('not an array');
  } catch (error) {
    throw new DataPlaneError(DATAPLANE_ERROR_CODES.UNREADABLE_STATE, `cannot read ip rules: ${(error as Error).message}`);
  }
  return (parsed as Record<string, unknown>[])
    .filter((r) => typeof r === 'object' && r !== null && protocolNumber(r['protocol']) === protocol)
    .map((r) => ({ priority: typeof r['priority'] === 'number' ? r['priority'] : 0, fact: ruleFact(r) }));
}

/** R11: a port-blocking rule (what `blockingRules` in the controller's state counts). */
export function isBlocking(rule: RuleFact | null): boolean {
  return rule !== null && rule.action.kind === 'prohibit' && rule.src === null && rule.ipproto !== null && (rule.dport === null) !== (rule.sport === null);
}

/**
 * Traffic from the host's DSL-side address (the connectivity probes bind to it) leaves over DSL
 * whatever the default route: the main table for everything but its default route (the LAN and
 * other connected networks), then our table holding only the DSL default route, and if even that
 * is gone (the DSL device vanished) unreachable, so it never falls through to the mobile default
 * route: probes must judge DSL, and must not cost mobile data.
 */
export function sourceRules(config: DataPlaneConfig): RuleFact[] {
  const src = config.dsl.source;
  if (src === null) return [];
  const first = config.route.sourcePriority;
  const base = { src, ipproto: null, dport: null, sport: null } as const;
  return [
    { priority: first, ...base, action: { kind: 'lookup', table: MAIN_TABLE, suppressPrefixLength: 0 } },
    { priority: first + 1, ...base, action: { kind: 'lookup', table: config.route.sourceTable, suppressPrefixLength: null } },
    { priority: first + 2, ...base, action: { kind: 'unreachable' } },
  ];
}

/**
 * Our rules for a path: the DSL source rules always (while the data plane is ours), R11's
 * blocking rules on mobile only, with the policy on. `null`: none at all (clearing).
 */
export function desiredRules(path: Path | null, config: DataPlaneConfig): RuleFact[] {
  if (path === null) return [];
  const blocking =
    path === 'mobile' && config.blocking.enabled
      ? policyRules(config.blocking.rules, config.blocking.firstPriority).map((r) => ({ ...r, src: null, action: { kind: 'prohibit' } as const }))
      : [];
  return [...sourceRules(config), ...blocking];
}

const ruleKey = (r: RuleFact) =>
  JSON.stringify([r.priority, r.src, r.ipproto, r.dport, r.sport, r.action.kind, r.action.kind === 'lookup' ? [r.action.table, r.action.suppressPrefixLength] : null]);

/** `priority P protocol N [from S] [ipproto X] [dport A-B] [sport A-B] <action>`, for add and del. */
export function ruleArgs(r: RuleFact, protocol: number): string[] {
  const ports = (name: string, p: readonly [number, number] | null) => (p ? [name, p[0] === p[1] ? String(p[0]) : `${p[0]}-${p[1]}`] : []);
  const action =
    r.action.kind === 'lookup'
      ? ['lookup', String(r.action.table), ...(r.action.suppressPrefixLength === null ? [] : ['suppress_prefixlength', String(r.action.suppressPrefixLength)])]
      : [r.action.kind];
  return [
    'priority', String(r.priority), 'protocol', String(protocol),
    ...(r.src === null ? [] : ['from', r.src]),
    ...(r.ipproto === null ? [] : ['ipproto', r.ipproto]),
    ...ports('dport', r.dport), ...ports('sport', r.sport),
    ...action,
  ];
}

/** Removals first (a stale rule may hold a priority a wanted one needs), then what is missing. */
export function planRules(current: readonly CurrentRule[], wanted: readonly RuleFact[], protocol: number): Command[] {
  const want = new Set(wanted.map(ruleKey));
  const kept = new Set<string>();
  const commands: Command[] = [];
  for (const r of current) {
    const key = r.fact ? ruleKey(r.fact) : null;
    if (key !== null && want.has(key) && !kept.has(key)) {
      kept.add(key);
      continue;
    }
    const args = r.fact ? ['rule', 'del', ...ruleArgs(r.fact, protocol)] : ['rule', 'del', 'priority', String(r.priority), 'protocol', String(protocol)];
    commands.push({ tool: 'ip', args, mayFail: true });
  }
  for (const r of wanted) if (!kept.has(ruleKey(r))) commands.push({ tool: 'ip', args: ['rule', 'add', ...ruleArgs(r, protocol)] });
  return commands;
}
