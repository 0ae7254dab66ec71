// R11: with the blocking policy on, NNTP (and P2P on its well-known ports) is blocked on the
// mobile path and open on DSL; browsing stays open on mobile; with the policy off nothing is
// blocked. Real TCP connections from the customer's LAN to a server on the internet.
import t from 'tap';
import { createDataPlaneController } from '../../agent/dataplane/index.js';
import { startTool } from '../../firmware-sim/dataplane/index.js';
import { rig, routerConfig, skipUnlessSupported, waitFor } from './helpers.js';

const skip = await skipUnlessSupported();

t.test('NNTP is blocked on mobile when the policy is on, open on DSL', { skip }, async (t) => {
  const { dp, agent } = await rig(t, { dslUp: true, mobileUp: true }, { blocking: { enabled: true } });
  for (const port of [119, 80]) await startTool(dp, 'inet', { kind: 'tcp-bulk', direction: 'receive', listen: { port } });
  await startTool(dp, 'inet', { kind: 'udp-echo', port: 6881 });
  const connect = async (port: number) => {
    const attempt = await startTool(dp, 'lan', { kind: 'tcp-connect', host: dp.addresses.server, port, timeoutMs: 5000 });
    return (await attempt.result()).outcome;
  };

  await agent.applyPath('dsl');
  t.equal(await connect(119), 'connected', 'NNTP works on DSL');

  await agent.applyPath('mobile');
  const nntp = await startTool(dp, 'lan', { kind: 'tcp-connect', host: dp.addresses.server, port: 119, timeoutMs: 3000 });
  const refused = await nntp.result();
  t.not(refused.outcome, 'connected', 'NNTP is blocked on mobile');
  // The router answers with ICMP "administratively prohibited", so the client fails at once
  // (EHOSTUNREACH) instead of waiting; the kernel rate-limits these per client (about 1/s).
  t.comment(`NNTP on mobile: ${refused.code ?? refused.outcome} after ${refused.ms.toFixed(0)} ms`);
  t.equal(await connect(80), 'connected', 'browsing still works on mobile');
  const dht = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 6881, intervalMs: 50, size: 40 });
  await waitFor(async () => (await dht.report()).sent >= 20, 5000, 'DHT packets to be sent on mobile');
  t.equal((await dht.report()).samples.length, 0, 'BitTorrent DHT (UDP 6881) does not pass on mobile');
  await dht.stop();

  await agent.applyPath('dsl');
  t.equal(await connect(119), 'connected', 'NNTP works again after failback');
  const dhtOnDsl = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 6881, intervalMs: 50, size: 40 });
  await waitFor(async () => (await dhtOnDsl.report()).samples.length > 0, 5000, 'DHT packets to pass on DSL');
  await dhtOnDsl.stop();
  t.same((await agent.readState()).blockingRules, 0, 'no blocking rule is left on DSL');

  // The same router with the policy off (a configuration change and an agent restart).
  const unblocked = createDataPlaneController(routerConfig(dp, { blocking: { enabled: false } }));
  await unblocked.applyPath('mobile');
  t.equal(await connect(119), 'connected', 'with the policy off, NNTP works on mobile');
});
