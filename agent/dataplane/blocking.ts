// R11: what the ISP blocks on the mobile path so that mail, browsing and VoIP keep working:
// newsgroups (NNTP) and peer-to-peer. Blocking is by port, with policy-routing rules
// (`ip rule … ipproto tcp dport 119 prohibit`): pure iproute2, in every kernel since 4.17, for
// forwarded and local traffic alike, and a blocked client gets an ICMP "administratively
// prohibited" at once instead of waiting for a timeout.
//
// What port-based blocking cannot catch, honestly: BitTorrent clients that pick a random
// listening port (most do today, and µTP and DHT then run on that UDP port), peers reached on
// port 443 or 80, trackers over HTTPS, NNTP carried over TLS on 443 or through web gateways,
// any VPN or proxy, and non-first IP fragments (they carry no ports). Catching those takes
// flow inspection (DPI) or behavioural heuristics, which iproute2 does not have. What it does
// catch reliably: news readers and P2P clients on their well-known ports, the default of
// Transmission and of classic BitTorrent, eDonkey and Gnutella clients.
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

export const blockRuleSchema = z
  .object({
    /** For logs and the NOC: what this rule is for. */
    name: z.string().min(1).max(40),
    protocol: z.enum(['tcp', 'udp']),
    /** One port or an inclusive range. */
    ports: z.union([port, z.tuple([port, port])]),
    /**
     * `remote`: block traffic to these ports (a server's well-known port, NNTP's 119);
     * `both`: also traffic from them (a peer-to-peer client listening on its default port).
     */
    direction: z.enum(['remote', 'both']).default('remote'),
  })
  .refine((rule) => typeof rule.ports === 'number' || rule.ports[0] <= rule.ports[1], {
    message: 'a port range must not end before it starts',
    path: ['ports'],
  });

export type BlockRule = z.output<typeof blockRuleSchema>;

export const DEFAULT_BLOCKED_TRAFFIC: readonly BlockRule[] = [
  { name: 'nntp', protocol: 'tcp', ports: 119, direction: 'remote' },
  { name: 'nntps', protocol: 'tcp', ports: 563, direction: 'remote' },
  { name: 'bittorrent', protocol: 'tcp', ports: [6881, 6889], direction: 'both' },
  { name: 'bittorrent-dht', protocol: 'udp', ports: [6881, 6889], direction: 'both' },
  { name: 'bittorrent-tracker', protocol: 'tcp', ports: 6969, direction: 'remote' },
  { name: 'transmission', protocol: 'tcp', ports: 51413, direction: 'both' },
  { name: 'transmission-utp', protocol: 'udp', ports: 51413, direction: 'both' },
  { name: 'edonkey', protocol: 'tcp', ports: 4662, direction: 'both' },
  { name: 'edonkey-kad', protocol: 'udp', ports: 4672, direction: 'both' },
  { name: 'gnutella', protocol: 'tcp', ports: [6346, 6347], direction: 'both' },
  { name: 'gnutella-udp', protocol: 'udp', ports: [6346, 6347], direction: 'both' },
];

/** One policy-routing rule as we add it and as we read it back from `ip -j rule show`. */
export interface PolicyRule {
  readonly priority: number;
  readonly ipproto: 'tcp' | 'udp';
  /** Exactly one of these is set. */
  readonly dport: readonly [number, number] | null;
  readonly sport: readonly [number, number] | null;
}

/** The rules that implement a blocking policy, with consecutive priorities from `firstPriority`. */
export function policyRules(rules: readonly BlockRule[], firstPriority: number): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const rule of rules) {
    const range: readonly [number, number] = typeof rule.ports === 'number' ? [rule.ports, rule.ports] : rule.ports;
    out.push({ priority: firstPriority + out.length, ipproto: rule.protocol, dport: range, sport: null });
    if (rule.direction === 'both') out.push({ priority: firstPriority + out.length, ipproto: rule.protocol, dport: null, sport: range });
  }
  return out;
}
