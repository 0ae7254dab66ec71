// R2 on real packets: a VoIP-like stream from the customer's LAN through the agent's router
// namespace to a server, while the DSL line is cut and the agent moves the default route to the
// mobile uplink, and back on failback. Reports the interruption the way the industry measures
// a failover: the longest gap between delivered packets. (Figures over many cuts: bench.)
import t from 'tap';
import { longestGap, startTool } from '../../firmware-sim/dataplane/index.js';
import { elapse, rig, skipUnlessSupported, waitFor } from './helpers.js';

const skip = await skipUnlessSupported();
const INTERVAL_MS = 10;
/** Stands in for the agent's decision time (TR-064 poll, debounce); the bench varies it. */
const DECISION_MS = 300;
const now = () => performance.timeOrigin + performance.now();

t.test('a DSL cut interrupts the stream until applyPath(mobile), failback to DSL keeps it flowing', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: true, mobileUp: true });
  await agent.applyPath('dsl');
  const echo = await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const probe = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: INTERVAL_MS, size: 72 });
  const receivedAfter = async (at: number) => (await probe.report()).samples.filter((s) => s[2] > at).length;
  const txPackets = async (device: string) => {
    const [link] = JSON.parse((await dp.exec('router', 'ip', ['-j', '-s', 'link', 'show', 'dev', device])).stdout) as { stats64: { tx: { packets: number } } }[];
    return link!.stats64.tx.packets;
  };
  await waitFor(async () => (await receivedAfter(0)) >= 20, 10_000, 'the stream to flow over DSL');

  // Failover: the line drops; the agent decides after DECISION_MS and moves the route.
  const mobileBefore = await txPackets('wwan0');
  const cutAt = now();
  await dp.setDslCarrier(false);
  const cutDoneAt = now();
  await elapse(DECISION_MS);
  const switchAt = now();
  await agent.applyPath('mobile');
  await waitFor(async () => (await receivedAfter(switchAt)) >= 50, 10_000, 'the stream to come back over mobile');
  const failover = longestGap((await probe.report()).samples.map((s) => s[2]), cutAt);
  t.ok(failover, 'a gap was found');
  t.ok(failover!.from <= switchAt && failover!.to >= cutAt, 'the longest gap spans the cut');
  t.ok(failover!.ms >= switchAt - cutDoneAt - 2 * INTERVAL_MS, 'no packet got through while the route pointed at the dead line');
  t.ok((await txPackets('wwan0')) - mobileBefore >= 40, 'the stream now leaves through the mobile uplink');
  t.same((await agent.readState()).path, 'mobile');
  t.comment(`failover interruption (cut → route moved after ${DECISION_MS} ms): ${failover!.ms.toFixed(0)} ms`);

  // Failback: the line is back; the agent moves the route back, then the stick hangs up.
  await dp.setDslCarrier(true);
  await elapse(DECISION_MS);
  const dslBefore = await txPackets('dsl0');
  const backAt = now();
  await agent.applyPath('dsl');
  await dp.setMobileCarrier(false);
  await waitFor(async () => (await receivedAfter(backAt)) >= 50, 10_000, 'the stream to flow over DSL again');
  const failback = longestGap((await probe.report()).samples.map((s) => s[2]), backAt - DECISION_MS);
  t.ok(failback, 'the stream was measured across the failback');
  t.ok((await txPackets('dsl0')) - dslBefore >= 40, 'the stream leaves through DSL again');
  t.same((await agent.readState()).path, 'dsl');
  t.comment(`failback interruption (route moved back, session hung up): ${failback!.ms.toFixed(0)} ms`);

  await probe.stop();
  await echo.stop();
});
