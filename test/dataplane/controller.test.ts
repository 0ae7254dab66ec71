// The agent's data plane against a real kernel (the router namespace): applying twice, or again
// after a restart, leaves identical `ip`/`tc` state and runs no command; a profile change is made
// in place; clearing restores the device; foreign and stale state is converged; bad input and a
// missing device are refused with typed errors.
import t from 'tap';
import { PROFILES } from '../../shared/service.js';
import { createDataPlaneController, DataPlaneError, DATAPLANE_ERROR_CODES } from '../../agent/dataplane/index.js';
import { ADDRESSES, startTool, type DataPlane } from '../../firmware-sim/dataplane/index.js';
import { rig, routerConfig, routerState, skipUnlessSupported, waitFor } from './helpers.js';

const skip = await skipUnlessSupported();
/** The DSL uplink with the host's DSL-side address: what the agent derives from probeBindAddress. */
const dslSource = { dsl: { device: 'dsl0', gateway: ADDRESSES.dslGateway, source: ADDRESSES.routerDsl } };
const blocking = { blocking: { enabled: true }, ...dslSource };

async function txPackets(dp: DataPlane, device: string): Promise<number> {
  const [link] = JSON.parse((await dp.exec('router', 'ip', ['-j', '-s', 'link', 'show', 'dev', device])).stdout) as { stats64: { tx: { packets: number } } }[];
  return link!.stats64.tx.packets;
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

t.test('applying twice, or after a restart, changes nothing and duplicates nothing', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: false, mobileUp: true }, blocking);
  t.ok((await agent.applyPath('mobile')).commands > 0, 'the first failover does something');
  t.ok((await agent.applyShaping(PROFILES.baseline)).commands > 0, 'so does the first profile');
  const applied = await routerState(dp);

  t.equal((await agent.applyPath('mobile')).commands, 0, 'the same path again: no command');
  t.equal((await agent.applyShaping(PROFILES.baseline)).commands, 0, 'the same profile again: no command');
  t.equal(await routerState(dp), applied, 'identical ip and tc state');

  const restarted = createDataPlaneController(routerConfig(dp, blocking));
  t.equal((await restarted.applyPath('mobile')).commands, 0, 'after a restart: no command for the path');
  t.equal((await restarted.applyShaping(PROFILES.baseline)).commands, 0, 'after a restart: no command for the profile');
  t.equal(await routerState(dp), applied, 'identical ip and tc state after the restart');

  t.equal(count(applied, /^default (?!.*\btable\b)/gm), 1, 'one default route in the main table');
  t.equal(count(applied, /qdisc tbf 1: dev wwan0 root/g), 1, 'one upload shaper');
  t.equal(count(applied, /qdisc tbf 1: dev spifb0 root/g), 1, 'one download shaper');
  t.equal(count(applied, /qdisc ingress ffff: dev wwan0/g), 1, 'one ingress hook');
  t.equal(count(applied, /action order 1: mirred \(Egress Redirect to device spifb0\)/g), 1, 'one redirect to the IFB');
  t.equal(count(applied, /ipproto tcp dport 119 prohibit/g), 1, 'one NNTP rule');
  t.equal(count(applied, /from 198\.51\.100\.2 /g), 3, 'three DSL source rules');
  const arp = (await dp.exec('router', 'ip', ['ntable', 'show', 'name', 'arp_cache', 'dev', 'wwan0'])).stdout;
  t.match(arp, /retrans 100 /, 'a quick ARP retry on the mobile uplink (its carrier comes after the route)');
  t.equal(count(applied, /^default via 198\.51\.100\.1 dev dsl0 table 83 proto 83/gm), 1, 'one DSL route in the source table');
  t.same(await restarted.readState(), { path: 'mobile', rates: PROFILES.baseline, blockingRules: 19 });
});

t.test('a profile change is made in place; null and clear remove everything of ours', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: false, mobileUp: true }, dslSource);
  const pristine = await routerState(dp);
  await agent.applyPath('mobile');
  await agent.applyShaping(PROFILES.baseline);
  await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const probe = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: 20, size: 72 });
  await waitFor(async () => (await probe.report()).samples.length >= 5, 10_000, 'traffic through the shaper');
  const before = await agent.counters();

  await agent.applyShaping(PROFILES.boost);
  t.same((await agent.readState()).rates, PROFILES.boost, 'the boost rates are in the kernel');
  const after = await agent.counters();
  t.ok(after.upload!.bytes >= before.upload!.bytes && after.download!.bytes >= before.download!.bytes, 'same qdiscs: their counters went on');
  t.equal((await agent.applyShaping(PROFILES.boost)).commands, 0, 'the boost again: no command');
  await probe.stop();

  await agent.applyShaping(null);
  t.same((await agent.readState()).rates, null, 'not shaped');
  t.equal((await agent.applyShaping(null)).commands, 0, 'clearing again: no command');
  await agent.clear();
  t.same(await agent.readState(), { path: 'none', rates: null, blockingRules: 0 });
  t.equal(await routerState(dp), pristine, 'the router is as it was before the agent');
});

t.test('foreign and stale state is converged; other programs’ routes and rules are left alone', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: true, mobileUp: true }, blocking);
  const ip = (...args: string[]) => dp.exec('router', 'ip', args);
  await dp.exec('router', 'tc', ['qdisc', 'replace', 'dev', 'wwan0', 'root', 'pfifo', 'limit', '5']);
  await ip('route', 'add', 'default', 'via', dp.addresses.mobileGateway, 'proto', '83', 'metric', '99'); // ours, stale
  await ip('route', 'add', 'default', 'via', dp.addresses.dslGateway, 'proto', 'static', 'metric', '500'); // someone else's
  await ip('rule', 'add', 'priority', '1500', 'ipproto', 'tcp', 'dport', '25', 'protocol', '83', 'prohibit'); // ours, stale
  await ip('rule', 'add', 'priority', '1600', 'ipproto', 'tcp', 'dport', '25', 'protocol', 'static', 'prohibit'); // someone else's

  await agent.applyPath('mobile');
  await agent.applyShaping(PROFILES.baseline);
  const state = await routerState(dp);
  t.match(state, /qdisc tbf 1: dev wwan0 root/, 'the foreign root qdisc was replaced');
  t.notMatch(state, /pfifo .*dev wwan0 root/, 'no trace of it');
  t.equal(count(state, /^default (?!.*\btable\b).*proto 83/gm), 1, 'one default route of ours in the main table');
  t.match(state, /default via 198\.51\.100\.1 dev dsl0 proto static metric 500/, 'the other default route stays');
  t.notMatch(state, /1500:.*dport 25/, 'our stale rule is gone');
  t.match(state, /1600:.*dport 25 prohibit proto static/, 'the other program’s rule stays');
  t.equal((await agent.applyPath('mobile')).commands, 0, 'converged: nothing left to do');
});

t.test('bad rates and a missing device are refused with typed errors', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: false, mobileUp: true });
  const pristine = await routerState(dp);
  await t.rejects(agent.applyShaping({ downKbps: 0, upKbps: 64 }), { code: DATAPLANE_ERROR_CODES.BAD_INPUT });
  await t.rejects(agent.applyShaping({ downKbps: 128.5, upKbps: 64 }), { code: DATAPLANE_ERROR_CODES.BAD_INPUT });
  t.equal(await routerState(dp), pristine, 'nothing changed');

  const absent = createDataPlaneController(routerConfig(dp, { mobile: { device: 'ppp0', gateway: null } }));
  const error = await absent.applyShaping(PROFILES.baseline).catch((e: unknown) => e);
  t.ok(error instanceof DataPlaneError && error.code === DATAPLANE_ERROR_CODES.DEVICE_MISSING, 'a stick not yet connected: DEVICE_MISSING');
  await t.rejects(absent.applyPath('mobile'), { code: DATAPLANE_ERROR_CODES.DEVICE_MISSING });
  t.equal(await routerState(dp), pristine, 'nothing changed');
});

t.test('traffic from the DSL-side address (the probes) stays on DSL while on mobile, and never leaves over mobile', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: true, mobileUp: true }, dslSource);
  await startTool(dp, 'inet', { kind: 'tcp-bulk', direction: 'receive', listen: { port: 7001 } });
  // Nothing else sends on the mobile link here, so its packet counter shows any probe that leaks.
  const connect = async (localAddress: string) =>
    (await (await startTool(dp, 'router', { kind: 'tcp-connect', host: dp.addresses.server, port: 7001, timeoutMs: 2000, localAddress })).result()).outcome;
  const routeGet = async (...from: string[]) =>
    (await dp.exec('router', 'ip', ['-j', 'route', 'get', dp.addresses.server, ...from]).catch((e: Error) => ({ stdout: `[{"error":${JSON.stringify(e.message)}}]` }))).stdout;
  await agent.applyPath('mobile');
  t.match(await routeGet(), /"dev":"wwan0"/, 'the host routes to the internet over mobile');
  t.match(await routeGet('from', dp.addresses.routerDsl), /"dev":"dsl0"/, 'but from its DSL-side address over DSL');
  let mobile = await txPackets(dp, 'wwan0');
  const dsl = await txPackets(dp, 'dsl0');
  t.equal(await connect(dp.addresses.routerDsl), 'connected', 'a probe bound to the DSL-side address gets through');
  t.equal(await txPackets(dp, 'wwan0'), mobile, 'not one packet of it over mobile');
  t.ok((await txPackets(dp, 'dsl0')) > dsl, 'it went over DSL');

  await dp.setDslCarrier(false);
  mobile = await txPackets(dp, 'wwan0');
  t.not(await connect(dp.addresses.routerDsl), 'connected', 'with DSL cut, the probe fails: it judges DSL');
  t.equal(await txPackets(dp, 'wwan0'), mobile, 'and costs no mobile data');

  await dp.exec('router', 'ip', ['route', 'flush', 'table', '83']);
  t.match(await routeGet('from', dp.addresses.routerDsl), /unreachable/i, 'with the DSL route gone altogether, the kernel says unreachable');
  t.not(await connect(dp.addresses.routerDsl), 'connected', 'so the probe fails');
  t.equal(await txPackets(dp, 'wwan0'), mobile, 'still not over mobile (the final unreachable rule)');
  t.ok((await agent.applyPath('mobile')).commands > 0, 'applyPath puts the DSL route back');
  t.equal((await agent.applyPath('mobile')).commands, 0, 'and then has nothing to do');
});
