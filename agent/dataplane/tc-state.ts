// Reads what `tc` and `ip` report into small normalized facts, so the planner compares like with
// like: rates in bytes per second, handles as tc prints them, u32 keys as numbers. Pure
// parsers; the controller feeds them the commands' output. (iproute2 6.1 prints HTB classes
// as text even with -j, so classes are parsed from text; JSON is taken where it is given.)
import { DATAPLANE_ERROR_CODES, DataPlaneError } from './errors.js';

export interface QdiscFact {
  readonly kind: string;
  readonly handle: string;
  /** `root`, `ingress` or the parent class id. */
  readonly parent: string;
  /** Only the options this module sets, normalized (rates in bytes/s, sizes in bytes). */
  readonly options: Readonly<Record<string, number | string>>;
}

export interface ClassFact {
  readonly id: string;
  /** `root` for a class at the top of its qdisc. */
  readonly parent: string;
  readonly rate: number;
  readonly ceil: number;
  readonly prio: number | null;
}

export interface FilterFact {
  readonly protocol: string;
  readonly pref: number;
  readonly flowid: string | null;
  /** The u32 key: [value, mask, offset]. */
  readonly match: readonly [number, number, number] | null;
  /** Device a mirred action redirects to. */
  readonly redirect: string | null;
}

export interface LinkFact {
  readonly name: string;
  readonly kind: string | null;
  readonly up: boolean;
  readonly mtu: number;
  readonly gsoMaxSize: number | null;
  readonly gsoMaxSegs: number | null;
  readonly groMaxSize: number | null;
}

function unreadable(what: string, detail: string): DataPlaneError {
  return new DataPlaneError(DATAPLANE_ERROR_CODES.UNREADABLE_STATE, `cannot read ${what}: ${detail}`);
}

function parseJsonArray(text: string, what: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw unreadable(what, (error as Error).message);
  }
  if (!Array.isArray(parsed)) throw unreadable(what, 'expected a JSON array');
  return parsed.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

const QDISC_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  tbf: ['rate', 'burst'],
  htb: ['default'],
  pfifo: ['limit'],
  bfifo: ['limit'],
};

/** `tc -j qdisc show [dev X]`; with no device, every device's (see qdiscsByDevice). */
export function parseQdiscs(text: string): QdiscFact[] {
  return parseJsonArray(text, 'tc qdiscs').map(qdiscFact);
}

/** `tc -j qdisc show` of all devices, grouped by device name. */
export function qdiscsByDevice(text: string): Map<string, QdiscFact[]> {
  const byDevice = new Map<string, QdiscFact[]>();
  for (const q of parseJsonArray(text, 'tc qdiscs')) {
    const dev = str(q['dev']) ?? '?';
    byDevice.set(dev, [...(byDevice.get(dev) ?? []), qdiscFact(q)]);
  }
  return byDevice;
}

function qdiscFact(q: Record<string, unknown>): QdiscFact {
  const kind = str(q['kind']) ?? '?';
  const options = obj(q['options']);
  const kept: Record<string, number | string> = {};
  for (const key of QDISC_OPTIONS[kind] ?? []) {
    const value = options[key];
    if (typeof value === 'number' || typeof value === 'string') kept[key] = value;
  }
  const parent = q['root'] === true ? 'root' : kind === 'ingress' || kind === 'clsact' ? 'ingress' : (str(q['parent']) ?? '?');
  return { kind, handle: str(q['handle']) ?? '?', parent, options: kept };
}

const UNIT: Readonly<Record<string, number>> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const IEC_UNIT: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `64Kbit`, `3600Kbit`, `1Mbit`, `512bit`, `1Kibit` → bytes per second. */
export function parseTcRate(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)(i?)bit$/.exec(text);
  if (!match) throw unreadable('a tc rate', text);
  const [, value, prefix = '', iec] = match;
  const factor = iec ? IEC_UNIT[prefix] : UNIT[prefix];
  if (factor === undefined) throw unreadable('a tc rate', text);
  return Math.round((Number(value) * factor) / 8);
}

/** `tc class show dev X` (text), or `tc -j class show` where the installed tc prints JSON. */
export function parseClasses(text: string): ClassFact[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    return parseJsonArray(trimmed, 'tc classes')
      .filter((c) => str(c['class']) === 'htb')
      .map((c) => ({
        id: str(c['handle']) ?? '?',
        parent: c['root'] === true ? 'root' : (str(c['parent']) ?? '?'),
        rate: num(c['rate']) ?? -1,
        ceil: num(c['ceil']) ?? -1,
        prio: num(c['prio']),
      }));
  }
  const classes: ClassFact[] = [];
  for (const line of trimmed.split('\n')) {
    const head = /^class htb (\S+) (root|parent (\S+))/.exec(line.trim());
    if (!head) continue;
    const rate = /\brate (\S+)/.exec(line)?.[1];
    const ceil = /\bceil (\S+)/.exec(line)?.[1];
    const prio = /\bprio (\d+)/.exec(line)?.[1];
    if (!rate || !ceil) throw unreadable('an htb class', line);
    classes.push({
      id: head[1] ?? '?',
      parent: head[3] ?? 'root',
      rate: parseTcRate(rate),
      ceil: parseTcRate(ceil),
      prio: prio === undefined ? null : Number(prio),
    });
  }
  return classes;
}

/** `tc -j filter show dev X parent P`: one fact per u32 key node (hash-table nodes are skipped). */
export function parseFilters(text: string): FilterFact[] {
  const facts: FilterFact[] = [];
  for (const f of parseJsonArray(text, 'tc filters')) {
    const options = obj(f['options']);
    const match = obj(options['match']);
    if (!('match' in options)) continue;
    const actions = Array.isArray(options['actions']) ? (options['actions'] as unknown[]).map(obj) : [];
    const redirect = actions.find((a) => a['kind'] === 'mirred' && a['mirred_action'] === 'redirect');
    facts.push({
      protocol: str(f['protocol']) ?? '?',
      pref: num(f['pref']) ?? -1,
      flowid: str(options['flowid']),
      match: [hex(match['value']), hex(match['mask']), num(match['off']) ?? 0],
      redirect: redirect ? str(redirect['to_dev']) : null,
    });
  }
  return facts;
}

function hex(value: unknown): number {
  if (typeof value === 'number') return value >>> 0;
  if (typeof value === 'string' && /^(0x)?[0-9a-f]+$/i.test(value)) return Number.parseInt(value.replace(/^0x/i, ''), 16) >>> 0;
  return -1;
}

/** `ip -j -d link show [dev X]`: every device listed, by name. */
export function parseLinks(text: string): Map<string, LinkFact> {
  const links = new Map<string, LinkFact>();
  for (const link of parseJsonArray(text, 'ip links')) {
    const flags = Array.isArray(link['flags']) ? (link['flags'] as unknown[]) : [];
    const name = str(link['ifname']) ?? '?';
    links.set(name, {
      name,
      kind: str(obj(link['linkinfo'])['info_kind']),
      up: flags.includes('UP'),
      mtu: num(link['mtu']) ?? 1500,
      gsoMaxSize: num(link['gso_max_size']),
      gsoMaxSegs: num(link['gso_max_segs']),
      groMaxSize: num(link['gro_max_size']),
    });
  }
  return links;
}

/** `tc -s -j qdisc show`: bytes, packets and drops of each device's root qdisc (its own counters). */
export function rootCounters(text: string): Map<string, { readonly kind: string; readonly bytes: number; readonly packets: number; readonly drops: number }> {
  const counters = new Map<string, { kind: string; bytes: number; packets: number; drops: number }>();
  for (const q of parseJsonArray(text, 'tc qdisc statistics')) {
    if (q['root'] !== true) continue;
    counters.set(str(q['dev']) ?? '?', { kind: str(q['kind']) ?? '?', bytes: num(q['bytes']) ?? 0, packets: num(q['packets']) ?? 0, drops: num(q['drops']) ?? 0 });
  }
  return counters;
}
