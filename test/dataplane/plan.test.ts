// The data plane's pure parts, on any machine: readers of `ip`/`tc` output (captured from
// iproute2 6.1), the planners that turn state into commands, the config, the blocking rules and
// the traffic statistics.
import t from 'tap';
import { PROFILES } from '../../shared/service.js';
import { DATAPLANE_ERROR_CODES, createCommandRunner, dataPlaneConfigSchema, policyRules } from '../../agent/dataplane/index.js';
import { ARP_RETRANS_MS, parseArpRetrans, parseDefaultRoutes, parseDefaultRoutesByTable, planArpRetrans, planRoute, tableId } from '../../agent/dataplane/route-plan.js';
import { desiredRules, isBlocking, parseOurRules, planRules, sourceRules } from '../../agent/dataplane/rule-plan.js';
import { egressTree, planEgress, planIngress, sameOptions, TREE } from '../../agent/dataplane/shaping-plan.js';
import { parseClasses, parseFilters, parseQdiscs, parseTcRate } from '../../agent/dataplane/tc-state.js';
import { longestGap, percentile } from '../../firmware-sim/dataplane/index.js';

const config = dataPlaneConfigSchema.parse({
  dsl: { device: 'dsl0', gateway: '198.51.100.1' },
  mobile: { device: 'wwan0', gateway: '100.64.0.1' },
  blocking: { enabled: true },
});

t.test('tc rates, qdiscs, classes and filters are read as tc 6.1 prints them', async (t) => {
  t.equal(parseTcRate('64Kbit'), 8000);
  t.equal(parseTcRate('3600Kbit'), 450_000);
  t.equal(parseTcRate('1Mbit'), 125_000);
  t.equal(parseTcRate('512bit'), 64);
  t.equal(parseTcRate('1Kibit'), 128);
  t.throws(() => parseTcRate('fast'), { code: DATAPLANE_ERROR_CODES.UNREADABLE_STATE });

  const qdiscs = parseQdiscs(
    '[{"kind":"tbf","handle":"1:","root":true,"refcnt":3,"options":{"rate":450000,"burst":1599,"lat":10667}},' +
      '{"kind":"htb","handle":"2:","parent":"1:1","options":{"r2q":10,"default":"0x20","direct_packets_stat":0,"direct_qlen":1000}},' +
      '{"kind":"bfifo","handle":"20:","parent":"2:20","options":{"limit":135000}},' +
      '{"kind":"ingress","handle":"ffff:","parent":"ffff:fff1","options":{}}]',
  );
  t.same(qdiscs, [
    { kind: 'tbf', handle: '1:', parent: 'root', options: { rate: 450_000, burst: 1599 } },
    { kind: 'htb', handle: '2:', parent: '1:1', options: { default: '0x20' } },
    { kind: 'bfifo', handle: '20:', parent: '2:20', options: { limit: 135_000 } },
    { kind: 'ingress', handle: 'ffff:', parent: 'ingress', options: {} },
  ]);

  const classes = parseClasses(
    'class tbf 1:1 parent 1: leaf 2: \n' +
      'class htb 2:10 parent 2:1 leaf 10: prio 0 rate 1800Kbit ceil 3600Kbit burst 1599b cburst 1599b \n' +
      'class htb 2:1 root rate 3600Kbit ceil 3600Kbit burst 1599b cburst 1599b \n',
  );
  t.same(classes, [
    { id: '2:10', parent: '2:1', rate: 225_000, ceil: 450_000, prio: 0 },
    { id: '2:1', parent: 'root', rate: 450_000, ceil: 450_000, prio: null },
  ]);
  t.same(parseClasses('[{"class":"htb","handle":"2:1","root":true,"rate":450000,"ceil":450000}]'), [
    { id: '2:1', parent: 'root', rate: 450_000, ceil: 450_000, prio: null },
  ], 'a tc that prints classes as JSON is read too');

  const filters = parseFilters(
    '[{"protocol":"all","pref":1,"kind":"u32","chain":0},{"protocol":"all","pref":1,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},' +
      '{"protocol":"all","pref":1,"kind":"u32","chain":0,"options":{"fh":"800::800","order":2048,"key_ht":"800","bkt":"0","not_in_hw":true,' +
      '"match":{"value":"0","mask":"0","offmask":"","off":0},"actions":[{"order":1,"kind":"mirred","mirred_action":"redirect","direction":"egress","to_dev":"spifb0"}]}},' +
      '{"protocol":"ip","pref":2,"kind":"u32","chain":0,"options":{"fh":"801::800","flowid":"2:10","match":{"value":"b80000","mask":"fc0000","offmask":"","off":0}}}]',
  );
  t.same(filters, [
    { protocol: 'all', pref: 1, flowid: null, match: [0, 0, 0], redirect: 'spifb0' },
    { protocol: 'ip', pref: 2, flowid: '2:10', match: [0xb80000, 0xfc0000, 0], redirect: null },
  ], 'hash-table nodes are skipped, keys read as numbers');
});

t.test('the shaping tree for a profile, and the plan to reach it', async (t) => {
  const tree = egressTree(PROFILES.baseline.downKbps, 1500);
  const [tbf, , , bulk] = tree.qdiscs;
  t.same(tbf, { kind: 'tbf', handle: '1:', parent: 'root', options: { rate: 16_000, burst: 1600 } }, 'TBF at 128 kbit/s');
  t.equal(bulk!.options['limit'], 4 * 1514, 'the bulk queue holds at least four frames');
  t.equal(tree.classes[1]!.rate + tree.classes[2]!.rate, tree.classes[0]!.rate, 'the classes share the rate');
  t.equal(egressTree(3600, 1500).qdiscs[3]!.options['limit'], 135_000, 'about 300 ms of queue at 3.6 Mbit/s');

  const current = { qdiscs: tree.qdiscs, classes: tree.classes, filters: tree.filters };
  t.same(planEgress('wwan0', current, tree), [], 'in place already: nothing to do');
  t.ok(sameOptions({ rate: 450_000, burst: 1599 }, { rate: 450_000, burst: 1600 }), 'the kernel’s rounding of the bucket is no change');

  const boost = egressTree(3600, 1500);
  const change = planEgress('wwan0', current, boost);
  t.ok(change.length > 0 && change.every((c) => c.args[1] === 'replace'), 'a profile change replaces in place, deletes nothing');

  const fresh = planEgress('wwan0', { qdiscs: [{ kind: 'noqueue', handle: '0:', parent: 'root', options: {} }], classes: [], filters: [] }, tree);
  t.same(fresh[0]!.args.slice(0, 6), ['qdisc', 'replace', 'dev', 'wwan0', 'root', 'handle'], 'a device without ours gets a new root');
  t.notOk(fresh.some((c) => c.args[1] === 'del'), 'nothing to delete first');

  const broken = planEgress('wwan0', { qdiscs: [tbf!], classes: [], filters: [] }, tree);
  t.same(broken[0], { tool: 'tc', args: ['qdisc', 'del', 'dev', 'wwan0', 'root'], mayFail: true }, 'a half-made tree of ours is removed first');

  const hook = planIngress('wwan0', [], [], 'spifb0');
  t.same(hook.map((c) => c.args.slice(0, 2)), [['qdisc', 'add'], ['filter', 'add']], 'the ingress hook is added');
  t.match(hook[1]!.args.join(' '), /parent ffff: .* action mirred egress redirect dev spifb0$/);
  t.same(planIngress('wwan0', [{ kind: 'ingress', handle: TREE.ingress, parent: 'ingress', options: {} }], [{ protocol: 'all', pref: 1, flowid: null, match: [0, 0, 0], redirect: 'spifb0' }], 'spifb0'), []);
});

t.test('routes: ours replaced atomically, stale ones removed, others left alone', async (t) => {
  const routes = parseDefaultRoutes(
    '[{"dst":"default","gateway":"198.51.100.1","dev":"dsl0","protocol":"83","metric":50,"flags":[]},' +
      '{"dst":"default","gateway":"100.64.0.1","dev":"wwan0","protocol":"83","metric":99,"flags":[]},' +
      '{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]}]',
  );
  t.same(routes[2], { type: '1', gateway: '192.0.2.1', dev: 'eth0', protocol: 3, metric: 0 }, 'a route without a protocol is boot’s');
  const toMobile = planRoute(routes, 'mobile', config);
  t.same(toMobile[0]!.args, ['route', 'replace', 'default', 'via', '100.64.0.1', 'dev', 'wwan0', 'proto', '83', 'metric', '50', 'table', 'main']);
  t.same(toMobile.slice(1).map((c) => c.args), [['route', 'del', 'default', 'proto', '83', 'metric', '99', 'table', 'main']], 'our stale route goes');
  t.same(planRoute(routes.slice(0, 1), 'dsl', config), [], 'in place: nothing to do');
  t.same(planRoute(routes.slice(0, 1), 'none', config).map((c) => c.args[1]), ['del'], 'none: ours goes');
  const ppp = dataPlaneConfigSchema.parse({ ...config, mobile: { device: 'ppp0', gateway: null } });
  t.same(planRoute([], 'mobile', ppp)[0]!.args.slice(0, 5), ['route', 'replace', 'default', 'dev', 'ppp0'], 'a point-to-point uplink needs no gateway');
});

t.test('default routes of every table, and the quick ARP retry on the uplinks', async (t) => {
  const byTable = parseDefaultRoutesByTable(
    '[{"dst":"default","gateway":"198.51.100.1","dev":"dsl0","table":"83","protocol":"83","metric":50,"flags":[]},' +
      '{"dst":"default","gateway":"100.64.0.1","dev":"wwan0","protocol":"83","metric":50,"flags":[]}]',
  );
  t.same([...byTable.keys()], ['83', '254'], 'ip leaves out the table of main');
  t.equal(byTable.get(tableId('main'))![0]!.dev, 'wwan0');
  t.equal(tableId(83), '83');

  const arp = parseArpRetrans(
    '[{"family":"inet","name":"arp_cache","retrans":1000},{"family":"inet","name":"arp_cache","dev":"dsl0","retrans":1000},' +
      '{"family":"inet","name":"arp_cache","dev":"wwan0","retrans":100},{"family":"inet","name":"arp_cache","dev":"lo","retrans":1000}]',
  );
  t.same([...arp.keys()], ['dsl0', 'wwan0', 'lo'], 'the default entry has no device');
  t.same(planArpRetrans(arp, config).map((c) => c.args.join(' ')), [`ntable change name arp_cache dev dsl0 retrans ${ARP_RETRANS_MS}`], 'only what differs');
  const ppp = dataPlaneConfigSchema.parse({ ...config, mobile: { device: 'ppp0', gateway: null } });
  t.same(planArpRetrans(new Map([['ppp0', 1000], ['dsl0', 100]]), ppp), [], 'not on a point-to-point uplink (no ARP), nor where it is set');
  t.same(planArpRetrans(new Map(), config), [], 'not on a device that does not exist yet');
});

t.test('R11 rules: on mobile only, with the policy on; converged by difference', async (t) => {
  const rules = policyRules([{ name: 'nntp', protocol: 'tcp', ports: 119, direction: 'remote' }, { name: 'bt', protocol: 'udp', ports: [6881, 6889], direction: 'both' }], 1000);
  t.same(rules, [
    { priority: 1000, ipproto: 'tcp', dport: [119, 119], sport: null },
    { priority: 1001, ipproto: 'udp', dport: [6881, 6889], sport: null },
    { priority: 1002, ipproto: 'udp', dport: null, sport: [6881, 6889] },
  ]);
  t.same(desiredRules('dsl', config), [], 'none on DSL');
  t.same(desiredRules('mobile', dataPlaneConfigSchema.parse({ ...config, blocking: { enabled: false } })), [], 'none with the policy off');
  const wanted = desiredRules('mobile', config);
  t.ok(wanted.some((r) => r.ipproto === 'tcp' && r.dport?.[0] === 119), 'NNTP is in the default policy');

  const current = parseOurRules(
    '[{"priority":0,"src":"all","table":"255"},{"priority":1000,"src":"all","ipproto":"ipproto-6","dport":119,"action":"8","protocol":"83"},' +
      '{"priority":1001,"src":"all","ipproto":"ipproto-17","sport_start":6881,"sport_end":6889,"action":"8","protocol":"83"},' +
      '{"priority":1500,"src":"all","table":"254","protocol":"83"},{"priority":1600,"src":"all","ipproto":"ipproto-6","dport":25,"action":"8","protocol":"4"}]',
    83,
  );
  t.equal(current.length, 3, 'only rules of our protocol are read');
  t.ok(isBlocking(current[0]!.fact) && isBlocking(current[1]!.fact), 'port rules of ours are blocking rules');
  t.notOk(isBlocking(current[2]!.fact), 'a rule of ours that blocks nothing is stale');
  const plan = planRules(current, wanted, 83);
  t.same(plan[0]!.args, ['rule', 'del', 'priority', '1001', 'protocol', '83', 'ipproto', 'udp', 'sport', '6881-6889', 'prohibit'], 'a rule of ours no longer wanted goes');
  t.same(plan[1]!.args, ['rule', 'del', 'priority', '1500', 'protocol', '83', 'lookup', '254'], 'the stale rule goes');
  t.notOk(plan.some((c) => c.args.includes('119') && c.args[1] === 'add'), 'the NNTP rule in place is not added again');
  t.same(planRules(current.slice(0, 1), [], 83).map((c) => c.args[1]), ['del'], 'on failback ours go');
  const odd = parseOurRules('[{"priority":1700,"src":"all","fwmark":"0x1","table":"254","protocol":"83"}]', 83);
  t.same(odd, [{ priority: 1700, fact: null }], 'a rule of ours with selectors we never set is unreadable');
  t.same(planRules(odd, [], 83)[0]!.args, ['rule', 'del', 'priority', '1700', 'protocol', '83'], 'and removed by its priority');
});

t.test('DSL source rules: traffic from the DSL-side address stays on DSL, never falls through to mobile', async (t) => {
  const withSource = dataPlaneConfigSchema.parse({ ...config, dsl: { ...config.dsl, source: '198.51.100.2' } });
  const rules = sourceRules(withSource);
  t.same(rules.map((r) => [r.priority, r.src, r.action]), [
    [900, '198.51.100.2', { kind: 'lookup', table: 254, suppressPrefixLength: 0 }],
    [901, '198.51.100.2', { kind: 'lookup', table: 83, suppressPrefixLength: null }],
    [902, '198.51.100.2', { kind: 'unreachable' }],
  ]);
  t.same(sourceRules(config), [], 'none without a source address');
  t.same(desiredRules('dsl', withSource), rules, 'on DSL: the source rules');
  t.equal(desiredRules('mobile', withSource).length, rules.length + desiredRules('mobile', config).length, 'on mobile: the source rules and the blocking rules');
  t.same(desiredRules(null, withSource), [], 'clearing: none');
  const plan = planRules([], rules, 83);
  t.same(plan.map((c) => c.args.join(' ')), [
    'rule add priority 900 protocol 83 from 198.51.100.2 lookup 254 suppress_prefixlength 0',
    'rule add priority 901 protocol 83 from 198.51.100.2 lookup 83',
    'rule add priority 902 protocol 83 from 198.51.100.2 unreachable',
  ]);
  // As iproute2 6.1 prints them back (-j -N): read as the same rules, so nothing is done.
  const current = parseOurRules(
    '[{"priority":0,"src":"all","table":"255"},{"priority":900,"src":"198.51.100.2","table":"254","suppress_prefixlen":0,"protocol":"83"},' +
      '{"priority":901,"src":"198.51.100.2","table":"83","protocol":"83"},{"priority":902,"src":"198.51.100.2","action":"7","protocol":"83"},' +
      '{"priority":32766,"src":"all","table":"254"}]',
    83,
  );
  t.same(planRules(current, rules, 83), [], 'in place: nothing to do');
  const moved = sourceRules(dataPlaneConfigSchema.parse({ ...config, dsl: { ...config.dsl, source: '198.51.100.6' } }));
  const change = planRules(current, moved, 83);
  t.same(change.map((c) => c.args[1]), ['del', 'del', 'del', 'add', 'add', 'add'], 'a new address: the old rules go, the new ones come');
});

t.test('config is validated; commands with unsafe arguments are refused before running', async (t) => {
  t.equal(config.ifbDevice, 'spifb0');
  t.same(config.route, { table: 'main', metric: 50, protocol: 83, sourceTable: 83, sourcePriority: 900 });
  t.equal(config.dsl.source, null, 'no DSL source rules unless an address is given');
  t.notOk(dataPlaneConfigSchema.safeParse({ ...config, route: { table: 83 } }).success, 'refuses a source table that is the default route\'s table');
  t.equal(config.netns, null, 'on the host by default');
  for (const device of ['-x', 'a b', 'sixteen-chars-xx', 'a/b', '']) {
    t.notOk(dataPlaneConfigSchema.safeParse({ ...config, mobile: { device, gateway: null } }).success, `refuses device ${JSON.stringify(device)}`);
  }
  t.notOk(dataPlaneConfigSchema.safeParse({ ...config, dsl: { device: 'dsl0', gateway: '300.1.1.1' } }).success, 'refuses a bad gateway');
  t.notOk(dataPlaneConfigSchema.safeParse({ ...config, blocking: { rules: [{ name: 'x', protocol: 'tcp', ports: [10, 5] }] } }).success, 'refuses a backwards port range');
  const runner = createCommandRunner();
  await t.rejects(runner.run('ip', ['link', 'show', 'dev', 'x; reboot']), { code: DATAPLANE_ERROR_CODES.BAD_INPUT });
  await t.rejects(runner.runBatch('tc', [['qdisc', 'show', '$(id)']]), { code: DATAPLANE_ERROR_CODES.BAD_INPUT });
});

t.test('traffic statistics: the longest gap and percentiles', async (t) => {
  t.same(longestGap([0, 10, 20, 500, 510]), { ms: 480, from: 20, to: 500 });
  t.same(longestGap([0, 400, 410, 420, 900], 405), { ms: 480, from: 420, to: 900 }, 'only gaps ending after the mark');
  t.equal(longestGap([5]), null);
  t.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  t.equal(percentile([], 95), null);
});
