// The simulator's data plane: namespaces with unique names, the DSL line and the stick's data
// session as link states that really stop packets, and a teardown that leaves nothing behind,
// including what a crashed run left.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { createDataPlaneController } from '../../agent/dataplane/index.js';
import {
  createDataPlane,
  dataPlaneSupport,
  ownNamespaces,
  removeLeftovers,
  SimDataPlaneError,
  startTool,
  type DataPlane,
} from '../../firmware-sim/dataplane/index.js';
import { isProcessAlive } from '../../firmware-sim/dataplane/names.js';
import { routerConfig, skipUnlessNamespaces, waitFor } from './helpers.js';

const skip = await skipUnlessNamespaces();
const run = promisify(execFile);
const netnsList = async () => (await run('ip', ['netns', 'list'])).stdout;

async function carrier(dp: DataPlane, device: string): Promise<boolean> {
  const [link] = JSON.parse((await dp.exec('router', 'ip', ['-j', 'link', 'show', 'dev', device])).stdout) as { flags: string[] }[];
  return !link!.flags.includes('NO-CARRIER');
}

t.test('dataPlaneSupport says yes here, or why not', async (t) => {
  const support = await dataPlaneSupport();
  if (support.ok) t.pass('root and iproute2 are here');
  else t.match(support.reason, /root|iproute2|namespace|veth|Linux/, `a reason is given: ${support.reason}`);
});

t.test('two data planes at once get their own namespaces, and destroy removes them', { skip }, async (t) => {
  const [a, b] = await Promise.all([createDataPlane(), createDataPlane()]);
  t.not(a.namespaces.router, b.namespaces.router, 'distinct router namespaces');
  const names = [...Object.values(a.namespaces), ...Object.values(b.namespaces)];
  t.equal(new Set(names).size, 10, 'ten distinct namespaces');
  const listed = await netnsList();
  for (const name of names) t.ok(listed.includes(name), `${name} exists`);
  const echo = await startTool(a, 'inet', { kind: 'udp-echo', port: 7000 });
  t.ok(echo.port, 'a tool runs inside a namespace');

  await Promise.all([a.destroy(), b.destroy()]);
  const after = await netnsList();
  for (const name of names) t.notOk(after.includes(name), `${name} is gone`);
  t.same(await ownNamespaces(), [], 'none of ours is left');
  await a.destroy();
  t.pass('destroying twice is harmless');
  t.throws(() => a.spawn('lan', 'true', []), SimDataPlaneError, 'a destroyed data plane refuses work');
});

t.test('the DSL line and the mobile session stop and carry packets', { skip }, async (t) => {
  const dp = await createDataPlane({ dslUp: true, mobileUp: false });
  t.teardown(() => dp.destroy());
  t.same(dp.carrier(), { dsl: true, mobile: false });
  t.ok(await carrier(dp, 'dsl0'), 'the router sees the DSL carrier');
  t.notOk(await carrier(dp, 'wwan0'), 'no mobile carrier before the session is up');

  const agent = createDataPlaneController(routerConfig(dp));
  await agent.applyPath('dsl');
  await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const probe = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: 20, size: 72 });
  const echoes = async () => (await probe.report()).samples.length;
  await waitFor(async () => (await echoes()) >= 5, 10_000, 'packets over DSL');

  await dp.setDslCarrier(false);
  t.notOk(await carrier(dp, 'dsl0'), 'sync lost: the router sees NO-CARRIER');
  probe.reset();
  await waitFor(async () => (await probe.report()).sent >= 25, 10_000, 'packets sent while the line is down');
  t.equal(await echoes(), 0, 'nothing gets through while the line is down');

  await dp.setMobileCarrier(true);
  t.ok(await carrier(dp, 'wwan0'), 'the session is up: the router sees the mobile carrier');
  await agent.applyPath('mobile');
  probe.reset();
  await waitFor(async () => (await echoes()) >= 5, 10_000, 'packets over mobile');

  await dp.setDslCarrier(true);
  await agent.applyPath('dsl');
  await dp.setMobileCarrier(false);
  t.same(dp.carrier(), { dsl: true, mobile: false });
  probe.reset();
  await waitFor(async () => (await echoes()) >= 5, 10_000, 'packets over DSL again');
});

t.test('a cut beyond the box keeps the router\'s link up and still stops the traffic', { skip }, async (t) => {
  const dp = await createDataPlane({ dslUp: true, dslCut: 'wan' });
  t.teardown(() => dp.destroy());
  await createDataPlaneController(routerConfig(dp)).applyPath('dsl');
  await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const probe = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: 20, size: 72 });
  await waitFor(async () => (await probe.report()).samples.length >= 5, 10_000, 'packets over DSL');
  await dp.setDslCarrier(false);
  t.ok(await carrier(dp, 'dsl0'), 'the box is still there on the router\'s link');
  probe.reset();
  await waitFor(async () => (await probe.report()).sent >= 25, 10_000, 'packets sent while DSL is down');
  t.equal((await probe.report()).samples.length, 0, 'nothing gets through');
  await dp.setDslCarrier(true);
  await waitFor(async () => (await probe.report()).samples.length >= 5, 10_000, 'packets over DSL again');
});

t.test('leftovers of a crashed run are removed, those of live processes kept', { skip }, async (t) => {
  const prefix = 'spdpt';
  let dead = 4_194_303;
  while (isProcessAlive(dead)) dead -= 1;
  const crashed = `${prefix}-${dead}-1-router`;
  const live = `${prefix}-${process.pid}-99-router`;
  await run('ip', ['netns', 'add', crashed]);
  await run('ip', ['-n', crashed, 'link', 'add', 'name', 'x0', 'type', 'veth', 'peer', 'name', 'x1']);
  await run('ip', ['netns', 'add', live]);
  t.teardown(async () => {
    await run('ip', ['netns', 'del', live]).catch(() => {});
    await run('ip', ['netns', 'del', crashed]).catch(() => {});
  });

  t.same(await removeLeftovers(prefix), [crashed], 'the crashed run is cleaned up');
  const listed = await netnsList();
  t.notOk(listed.includes(crashed), 'its namespace is gone');
  t.ok(listed.includes(live), 'the namespace of a live process stays');
  t.same(await removeLeftovers(prefix), [], 'nothing more to remove');
});
