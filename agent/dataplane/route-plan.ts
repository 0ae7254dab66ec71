// The active path as routes, and the `ip` commands that converge to it (rules: rule-plan.ts).
// Pure. Our default routes carry our rtnetlink protocol number, so they are told apart from
// anyone else's (DHCP's default route) and only ours are changed. Moving the route is one
// `ip route replace` (atomic: no instant without a route).
import type { Path } from '../../shared/contract/messages.js';
import { DATAPLANE_ERROR_CODES, DataPlaneError } from './errors.js';
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

function routeFact(r: Record<string, unknown>): RouteFact {
  return {
    type: r['type'] === undefined ? RTN_UNICAST : String(r['type']),
    gateway: typeof r['gateway'] === 'string' ? r['gateway'] : null,
    dev: typeof r['dev'] === 'string' ? r['dev'] : null,
    protocol: protocolNumber(r['protocol']),
    metric: typeof r['metric'] === 'number' ? r['metric'] : 0,
  };
}

/** `ip -j -N route show table T exact 0.0.0.0/0`. */
export function parseDefaultRoutes(text: string): RouteFact[] {
  return parseArray(text, 'ip routes').map(routeFact);
}

const MAIN_TABLE = '254';
const TABLE_NAMES: Readonly<Record<string, string>> = { main: '254', local: '255', default: '253' };

/** A table as `ip -N` names it: its number (`main` is 254). */
export function tableId(table: string | number): string {
  return TABLE_NAMES[String(table)] ?? String(table);
}

/**
 * `ip -j -N route show table all exact 0.0.0.0/0`, by table (`ip` leaves out `table` for main).
 * One read for every table, and no error for a table that is empty (which `show table T` gives).
 */
export function parseDefaultRoutesByTable(text: string): Map<string, RouteFact[]> {
  const byTable = new Map<string, RouteFact[]>();
  for (const r of parseArray(text, 'ip routes')) {
    const table = r['table'] === undefined ? MAIN_TABLE : tableId(String(r['table']));
    byTable.set(table, [...(byTable.get(table) ?? []), routeFact(r)]);
  }
  return byTable;
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
export function routeCommand(want: RouteFact, config: DataPlaneConfig, inTable = table(config)): Command {
  return {
    tool: 'ip',
    args: ['route', 'replace', 'default', ...(want.gateway ? ['via', want.gateway] : []), 'dev', want.dev ?? '', 'proto', String(want.protocol), 'metric', String(want.metric), 'table', inTable],
  };
}

/** Commands that leave `current` (the default routes of `inTable`) with ours for `path` only. */
export function planRoute(current: readonly RouteFact[], path: Path, config: DataPlaneConfig, inTable = table(config)): Command[] {
  const want = desiredRoute(path, config);
  const ours = current.filter((r) => r.protocol === config.route.protocol);
  const same = (r: RouteFact) => want !== null && r.type === want.type && r.gateway === want.gateway && r.dev === want.dev && r.metric === want.metric;
  const commands: Command[] = [];
  if (want && !ours.some(same)) commands.push(routeCommand(want, config, inTable));
  for (const r of ours) {
    if (same(r) || (want && r.metric === want.metric)) continue; // replaced in place above
    commands.push({ tool: 'ip', args: ['route', 'del', 'default', 'proto', String(r.protocol), 'metric', String(r.metric), 'table', inTable], mayFail: true });
  }
  return commands;
}

/**
 * ARP retry interval on the uplinks (ms). The default route moves to the mobile uplink before
 * the stick's session (and its carrier) is up, so the gateway's ARP entry starts incomplete; the
 * kernel asks again only every `retrans` (1 s by default), which would add up to a second to a
 * failover once the carrier comes. At 100 ms the gateway answers within a tenth of a second of
 * the carrier, whoever notices first. Harmless elsewhere: three quick retries instead of slow ones.
 */
export const ARP_RETRANS_MS = 100;

/** `ip -j ntable show name arp_cache`: the ARP retry interval of each device that has one. */
export function parseArpRetrans(text: string): Map<string, number> {
  const byDevice = new Map<string, number>();
  for (const t of parseArray(text, 'ip ntable')) {
    if (typeof t['dev'] === 'string' && typeof t['retrans'] === 'number') byDevice.set(t['dev'], t['retrans']);
  }
  return byDevice;
}

/** Sets the quick ARP retry on the uplinks that have a gateway and exist now. */
export function planArpRetrans(current: ReadonlyMap<string, number>, config: DataPlaneConfig): Command[] {
  return [config.dsl, config.mobile]
    .filter((uplink) => uplink.gateway !== null && current.has(uplink.device) && current.get(uplink.device) !== ARP_RETRANS_MS)
    .map((uplink) => ({ tool: 'ip', args: ['ntable', 'change', 'name', 'arp_cache', 'dev', uplink.device, 'retrans', String(ARP_RETRANS_MS)] }));
}
