// The simulator's optional data plane (needs root and iproute2; skipped with the reason
// elsewhere): the DSL link carries packets only while the box's line is up, the mobile link
// only while the stick's data session is, however the session ends; a host service can be
// reached from inside a namespace; close() leaves no namespace behind.
import { createServer, type AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { dataPlaneSupport, type Simulator } from '../../firmware-sim/index.js';
import { ownNamespaces, startTool, bridgeIntoNamespace } from '../../firmware-sim/dataplane/index.js';
import { until } from '../agent/helpers/until.js';
import { AtPort } from './helpers/at-port.js';
import { simulator } from './helpers/sim.js';

const support = await dataPlaneSupport();
const skip = support.ok ? false : `needs root and iproute2: ${support.reason}`;

/** Waits until the data plane's links are as expected (they follow asynchronously); fails after a generous deadline. */
async function links(t: Test, sim: Simulator, expected: { dsl: boolean; mobile: boolean }, what: string): Promise<void> {
  await until(what, async () => {
    await sim.dataPlaneSettled();
    const now = sim.dataPlane!.carrier();
    return now.dsl === expected.dsl && now.mobile === expected.mobile;
  });
  t.pass(what);
}

t.test('without the option there is no data plane', async (t) => {
  const sim = await simulator(t, { stick: false });
  t.equal(sim.dataPlane, null);
  await sim.dataPlaneSettled();
});

t.test('the DSL link follows the line: up only in `up`', { skip }, async (t) => {
  const sim = await simulator(t, { stick: false, router: { line: 'training' }, dataPlane: {} });
  t.same(sim.dataPlane!.carrier(), { dsl: false, mobile: false }, 'a line that starts training: no DSL carrier; no session: no mobile carrier');
  const router = sim.router!;
  router.setLine('up');
  await links(t, sim, { dsl: true, mobile: false }, 'DSL up');
  for (const state of ['down', 'no-internet', 'training'] as const) {
    router.setLine(state);
    await links(t, sim, { dsl: false, mobile: false }, `DSL cut while ${state}`);
    router.setLine('up');
    await links(t, sim, { dsl: true, mobile: false }, `DSL back after ${state}`);
  }
  router.flap(40);
  await links(t, sim, { dsl: false, mobile: false }, 'a flapping line cuts the link');
  router.setLine('up');
  await links(t, sim, { dsl: true, mobile: false }, 'and it settles with the line up');
});

t.test('the mobile link follows the data session: hang-up, coverage loss, restart, unplug', { skip }, async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0, resetMode: 'in-place' }, dataPlane: {} });
  const stick = sim.stick!;
  let port = await AtPort.open(stick.devicePath);
  t.teardown(() => port.close());
  await port.command('ATE0');
  const dial = async () => {
    await port.command('AT^NDISDUP=1,1,"internet"');
    await until('the session', () => stick.snapshot().session);
    await links(t, sim, { dsl: true, mobile: true }, 'the mobile link up with the session');
  };
  t.same(sim.dataPlane!.carrier(), { dsl: true, mobile: false }, 'no router: DSL always up; no session yet');

  await dial();
  await port.command('AT^NDISDUP=1,0');
  await links(t, sim, { dsl: true, mobile: false }, 'hung up: the mobile link is down');

  await dial();
  stick.setCoverage(false);
  await links(t, sim, { dsl: true, mobile: false }, 'coverage lost: the session and the link are gone');
  stick.setCoverage(true);
  await until('registered again', () => stick.snapshot().registration === 'home');

  await dial();
  await stick.restart();
  await links(t, sim, { dsl: true, mobile: false }, 'restarted: the link is down');
  await until('the SIM ready again', async () => (await port.command('AT+CPIN?')).final === 'OK');

  await dial();
  await stick.unplug();
  await links(t, sim, { dsl: true, mobile: false }, 'unplugged: the link is down');
  await port.close();
  await stick.replug();
  port = await AtPort.open(stick.devicePath);
  await port.command('ATE0');
  await dial();
});

t.test('a service of this host is reachable inside a namespace through a bridge', { skip }, async (t) => {
  const sim = await simulator(t, { router: false, stick: false, dataPlane: {} });
  const service = createServer((socket) => socket.end('hello'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => service.close(() => resolve())));
  const bridge = await bridgeIntoNamespace(sim.dataPlane!, 'router', { host: '127.0.0.1', port: (service.address() as AddressInfo).port });
  t.teardown(() => bridge.close());
  const attempt = await startTool(sim.dataPlane!, 'router', { kind: 'tcp-connect', host: bridge.host, port: bridge.port, timeoutMs: 5000 });
  t.equal((await attempt.result()).outcome, 'connected', `the router namespace reaches it at ${bridge.host}:${bridge.port}`);
});

t.test('close() removes the namespaces', { skip }, async (t) => {
  const sim = await simulator(t, { router: false, stick: false, dataPlane: { prefix: 'spdpsim' } });
  const names = Object.values(sim.dataPlane!.namespaces);
  t.same((await ownNamespaces('spdpsim')).sort(), [...names].sort(), 'five namespaces while it runs');
  await sim.close();
  t.same(await ownNamespaces('spdpsim'), [], 'none after close');
});
