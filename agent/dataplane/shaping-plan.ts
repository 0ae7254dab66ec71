// What the shaper should look like for a profile, and the `tc`/`ip` commands that take a device
// from what it has to that. Pure: facts in, commands out; applying a plan twice gives no
// commands the second time (idempotent across agent restarts).
//
// One tree per direction: the mobile uplink's egress shapes the upload; the download is
// redirected at the uplink's ingress to an IFB device whose egress shapes it.
//
//   root tbf 1: rate R         the rate; it also cuts TCP super-packets (GSO/GRO) back into
//    └ htb 2:                  wire-sized ones before they are counted, which HTB alone does not
//       └ class 2:1 rate R
//          ├ 2:10 prio 0 → pfifo (short)   interactive: IPv4 packets under 256 bytes (VoIP,
//          │                               DNS, TCP ACKs, SYNs), DSCP EF, and ARP
//          └ 2:20 prio 1 → bfifo (~300 ms) everything else (bulk)
//
// A single FIFO at 128 kbit/s queues seconds of bulk data in front of a VoIP packet; the
// interactive class is served first, so its packets wait for at most the one bulk packet the
// TBF is already sending (about 95 ms at 128 kbit/s).
import type { Rates } from '../../shared/service.js';
import type { ClassFact, FilterFact, LinkFact, QdiscFact } from './tc-state.js';

export const TREE = {
  tbf: '1:',
  tbfChild: '1:1',
  htb: '2:',
  top: '2:1',
  interactive: '2:10',
  bulk: '2:20',
  interactiveLeaf: '10:',
  bulkLeaf: '20:',
  ingress: 'ffff:',
} as const;

/** Packets in the interactive queue: a few hundred ms of VoIP at the lowest rate. */
export const INTERACTIVE_QUEUE_PACKETS = 20;
/** Target queueing delay of the bulk class (TCP keeps its link busy with it, it bounds the delay). */
export const BULK_QUEUE_MS = 300;
/** Fewest full-size packets the bulk queue holds, whatever the rate. */
export const BULK_QUEUE_MIN_PACKETS = 4;

/** Ethernet header: tc counts it on the mobile device and on the IFB. */
const L2_HEADER = 14;

export interface EgressTree {
  readonly qdiscs: readonly QdiscFact[];
  readonly classes: readonly ClassFact[];
  readonly filters: readonly FilterFact[];
}

/** The u32 keys (32-bit words at offset 0 of the IPv4 header), written and read back as-is. */
const SMALL_IPV4: readonly [number, number, number] = [0x00000000, 0x0000ff00, 0]; // total length < 256
const DSCP_EF: readonly [number, number, number] = [0x00b80000, 0x00fc0000, 0]; // TOS 0xb8 under mask 0xfc
const ANY: readonly [number, number, number] = [0, 0, 0];

/** The desired tree for one direction at `kbps`, on a device with this MTU. */
export function egressTree(kbps: number, mtu: number): EgressTree {
  const rate = Math.floor((kbps * 1000) / 8); // bytes per second
  const frame = mtu + L2_HEADER;
  const half = Math.floor(rate / 2);
  const bulkLimit = Math.max(BULK_QUEUE_MIN_PACKETS * frame, Math.round((rate * BULK_QUEUE_MS) / 1000));
  return {
    qdiscs: [
      { kind: 'tbf', handle: TREE.tbf, parent: 'root', options: { rate, burst: tbfBurst(mtu) } },
      { kind: 'htb', handle: TREE.htb, parent: TREE.tbfChild, options: { default: '0x20' } },
      { kind: 'pfifo', handle: TREE.interactiveLeaf, parent: TREE.interactive, options: { limit: INTERACTIVE_QUEUE_PACKETS } },
      { kind: 'bfifo', handle: TREE.bulkLeaf, parent: TREE.bulk, options: { limit: bulkLimit } },
    ],
    classes: [
      { id: TREE.top, parent: 'root', rate, ceil: rate, prio: null },
      { id: TREE.interactive, parent: TREE.top, rate: half, ceil: rate, prio: 0 },
      { id: TREE.bulk, parent: TREE.top, rate: rate - half, ceil: rate, prio: 1 },
    ],
    filters: [
      { protocol: 'ip', pref: 1, flowid: TREE.interactive, match: SMALL_IPV4, redirect: null },
      { protocol: 'ip', pref: 2, flowid: TREE.interactive, match: DSCP_EF, redirect: null },
      { protocol: 'arp', pref: 3, flowid: TREE.interactive, match: ANY, redirect: null },
    ],
  };
}

/** The TBF bucket: one full frame and some slack; anything larger is cut into frames first. */
export function tbfBurst(mtu: number): number {
  return Math.max(1600, mtu + L2_HEADER + 86);
}

export type Command = { readonly tool: 'ip' | 'tc'; readonly args: readonly string[]; readonly mayFail?: boolean };

const tc = (...args: string[]): Command => ({ tool: 'tc', args });
const bits = (bytesPerSecond: number) => `${bytesPerSecond * 8}bit`;
const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function qdiscArgs(q: QdiscFact): string[] {
  const where = q.parent === 'root' ? ['root'] : ['parent', q.parent];
  const o = q.options;
  switch (q.kind) {
    case 'tbf':
      // `limit` only sizes TBF's default child, which the HTB replaces.
      return [...where, 'handle', q.handle, 'tbf', 'rate', bits(Number(o['rate'])), 'burst', String(o['burst']), 'limit', String(Number(o['burst']) * 4)];
    case 'htb':
      return [...where, 'handle', q.handle, 'htb', 'default', String(o['default']).replace(/^0x/, '')];
    default:
      return [...where, 'handle', q.handle, q.kind, 'limit', String(o['limit'])];
  }
}

function classArgs(device: string, c: ClassFact, verb: 'add' | 'replace'): string[] {
  const parent = c.parent === 'root' ? TREE.htb : c.parent;
  const args = ['class', verb, 'dev', device, 'parent', parent, 'classid', c.id, 'htb', 'rate', bits(c.rate), 'ceil', bits(c.ceil)];
  if (c.prio !== null) args.push('prio', String(c.prio));
  // A quantum of one frame keeps HTB from warning about tiny quanta at 64 kbit/s.
  return [...args, 'quantum', '1514'];
}

function filterArgs(device: string, parent: string, f: FilterFact): string[] {
  const [value, mask, off] = f.match ?? ANY;
  const args = ['filter', 'add', 'dev', device, 'parent', parent, 'protocol', f.protocol, 'prio', String(f.pref), 'u32', 'match', 'u32', hex32(value), hex32(mask), 'at', String(off)];
  if (f.redirect) return [...args, 'action', 'mirred', 'egress', 'redirect', 'dev', f.redirect];
  return [...args, 'flowid', f.flowid ?? TREE.bulk];
}

const key = (value: unknown) => JSON.stringify(value);
const structure = (q: QdiscFact) => key([q.kind, q.handle, q.parent]);
const sortBy = <T>(items: readonly T[], by: (item: T) => string) => [...items].sort((a, b) => by(a).localeCompare(by(b)));

export interface DeviceTc {
  readonly qdiscs: readonly QdiscFact[];
  readonly classes: readonly ClassFact[];
  /** Filters of the HTB (`parent 2:`). */
  readonly filters: readonly FilterFact[];
}

/**
 * Commands that turn `current` into `desired` on one device's egress. Same structure with other
 * numbers (a profile change): changed in place, nothing dropped. Anything else: rebuilt.
 */
export function planEgress(device: string, current: DeviceTc, desired: EgressTree): Command[] {
  const ours = current.qdiscs.filter((q) => q.parent !== 'ingress');
  const sameStructure =
    key(sortBy(ours, structure).map(structure)) === key(sortBy(desired.qdiscs, structure).map(structure)) &&
    key(sortBy(current.classes, (c) => c.id).map((c) => [c.id, c.parent])) ===
      key(sortBy(desired.classes, (c) => c.id).map((c) => [c.id, c.parent])) &&
    key(sortBy(current.filters, (f) => String(f.pref))) === key(sortBy(desired.filters, (f) => String(f.pref)));

  if (!sameStructure) {
    const rebuild: Command[] = [];
    // Replacing the root drops whatever tree hangs under it (ours from an older version, or the
    // device's default), in one step.
    rebuild.push(tc('qdisc', 'replace', 'dev', device, ...qdiscArgs(desired.qdiscs[0]!)));
    for (const q of desired.qdiscs.slice(1, 2)) rebuild.push(tc('qdisc', 'replace', 'dev', device, ...qdiscArgs(q)));
    for (const c of desired.classes) rebuild.push(tc(...classArgs(device, c, 'add')));
    for (const q of desired.qdiscs.slice(2)) rebuild.push(tc('qdisc', 'add', 'dev', device, ...qdiscArgs(q)));
    for (const f of desired.filters) rebuild.push(tc(...filterArgs(device, TREE.htb, f)));
    // A TBF root already in place keeps its old child on replace: start from nothing instead.
    if (ours.some((q) => q.parent === 'root' && q.kind === 'tbf' && q.handle === TREE.tbf)) {
      return [{ tool: 'tc', args: ['qdisc', 'del', 'dev', device, 'root'], mayFail: true }, ...rebuild];
    }
    return rebuild;
  }

  const commands: Command[] = [];
  for (const want of desired.qdiscs) {
    const have = ours.find((q) => structure(q) === structure(want));
    if (have && !sameOptions(have.options, want.options)) commands.push(tc('qdisc', 'replace', 'dev', device, ...qdiscArgs(want)));
  }
  for (const want of desired.classes) {
    const have = current.classes.find((c) => c.id === want.id);
    if (!have || have.rate !== want.rate || have.ceil !== want.ceil || have.prio !== want.prio) {
      commands.push(tc(...classArgs(device, want, 'replace')));
    }
  }
  return commands;
}

/**
 * The kernel keeps TBF's bucket as time and prints it back as bytes, rounded (1600 comes back as
 * 1599 at 3.6 Mbit/s): sizes match within 1 %, everything else exactly.
 */
export function sameOptions(have: QdiscFact['options'], want: QdiscFact['options']): boolean {
  const keys = new Set([...Object.keys(have), ...Object.keys(want)]);
  for (const k of keys) {
    const a = have[k];
    const b = want[k];
    if (k === 'burst' && typeof a === 'number' && typeof b === 'number') {
      if (Math.abs(a - b) > Math.max(8, b * 0.01)) return false;
    } else if (a !== b) return false;
  }
  return true;
}

/** The ingress hook on the uplink that hands every received packet to the IFB. */
export function ingressFilter(ifb: string): FilterFact {
  return { protocol: 'all', pref: 1, flowid: null, match: ANY, redirect: ifb };
}

export function planIngress(device: string, qdiscs: readonly QdiscFact[], filters: readonly FilterFact[], ifb: string): Command[] {
  const hasIngress = qdiscs.some((q) => q.kind === 'ingress' && q.handle === TREE.ingress);
  const want = ingressFilter(ifb);
  if (hasIngress && filters.length === 1 && key(filters[0]) === key(want)) return [];
  return [
    ...(hasIngress || qdiscs.some((q) => q.parent === 'ingress') ? [{ tool: 'tc', args: ['qdisc', 'del', 'dev', device, 'ingress'], mayFail: true } as Command] : []),
    tc('qdisc', 'add', 'dev', device, 'handle', TREE.ingress, 'ingress'),
    tc(...filterArgs(device, TREE.ingress, want)),
  ];
}

/**
 * Link settings: segmentation offload limited on the shaped devices (the host's own TCP then
 * sends wire-sized packets; with GSO/TSO on, rates are off by 16 % or collapse, HARDWARE.md),
 * receive aggregation (GRO) limited on the uplink, the IFB created and up.
 */
export function planLink(device: string, link: LinkFact, options: { readonly ifb: boolean }): Command[] {
  const commands: Command[] = [];
  const settings: string[] = [];
  if (link.gsoMaxSegs !== null && link.gsoMaxSegs !== 1) settings.push('gso_max_segs', '1');
  if (link.gsoMaxSize !== null && link.gsoMaxSize !== link.mtu) settings.push('gso_max_size', String(link.mtu));
  if (!options.ifb && link.groMaxSize !== null && link.groMaxSize !== link.mtu) settings.push('gro_max_size', String(link.mtu));
  if (settings.length > 0) commands.push({ tool: 'ip', args: ['link', 'set', 'dev', device, ...settings] });
  if (options.ifb && !link.up) commands.push({ tool: 'ip', args: ['link', 'set', 'dev', device, 'up'] });
  return commands;
}

/** Desired profile as a pair of trees; null clears shaping. */
export function shapingTrees(rates: Rates, mtu: number): { readonly upload: EgressTree; readonly download: EgressTree } {
  return { upload: egressTree(rates.upKbps, mtu), download: egressTree(rates.downKbps, mtu) };
}
