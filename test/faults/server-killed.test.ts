// Fault: the server is killed (SIGKILL) after it accepted a boost and before it published the
// desired state. The boost and the new desired state are committed in one transaction before the
// API answers 201, and the store remembers what the broker confirmed (published_seq), so the
// next server publishes it when it connects: the router gets the boost once, and the quota
// counts it once (R7). The broker is external here (a restart of the server must not be a
// restart of the broker, or an embedded broker's fresh start would republish everything anyway),
// and the server reaches it through a proxy the test cuts, so that "before it published" is a
// certainty, not a race. The killed server runs as a process of its own (bench/lib/server-child.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { systemClock } from '../../shared/clock.js';
import { envName } from '../../shared/config.js';
import { startTestBroker } from '../helpers/broker.js';
import { testDatabase } from '../helpers/database.js';
import { startCuttableProxy } from '../agent/helpers/cuttable-proxy.js';
import { connectDevice } from '../server/helpers/device.js';
import { PASSWORD, seed } from '../server/helpers/fixtures.js';
import { startTestServer, testServerConfig } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';
import { status as statusMessage } from '../fixtures/messages.js';
import type { ServerReady } from '../../bench/lib/server-child.js';

const serverChild = new URL('../../bench/lib/server-child.ts', import.meta.url).pathname;

t.test('killed between accepting a boost and publishing it: published by the next server, counted once', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const proxy = await startCuttableProxy(broker.url);
  t.teardown(() => proxy.close());
  const database = await testDatabase(t);
  // The system clock throughout: the killed server runs on it.
  const options = { broker: 'embedded' as const, clock: systemClock, config: { mqttUrl: proxy.url, mqttPublicUrl: broker.url } };

  // A subscription with its router, set up by a first server that then stops cleanly.
  const first = await startTestServer(t, database, options);
  const seeded = await seed(first);
  const credentials = seeded.device!;
  await first.server.desiredPublished();
  await first.close({ keepRetained: true });

  // The server under test, in a process of its own, configured as `serviceplus server` is.
  const config = testServerConfig(database, options);
  const env: Record<string, string> = { ...process.env } as Record<string, string>;
  for (const key of ['httpHost', 'httpPort', 'mqttUrl', 'mqttPublicUrl', 'mqttClientId', 'mqttPersistentSession', 'dataDir', 'databaseUrl', 'logLevel', 'passwordHashCost'] as const) {
    const value = config[key];
    if (value !== undefined) env[envName(key)] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const child: ChildProcess = fork(serverChild, [], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const [ready] = (await once(child, 'message')) as [ServerReady];
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    fetch(ready.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  // The router, on the broker itself (not behind the proxy), reports that it is on mobile.
  const router = await connectDevice(t, { ...credentials, mqttUrl: broker.url });
  const at = new Date().toISOString();
  await router.publish('status', statusMessage({ at, activePath: 'mobile', pathSince: at }), { retain: true });
  const token = ((await (await call('POST', '/api/v1/sessions', { login: seeded.login, password: PASSWORD })).json()) as { token: string }).token;
  await waitFor(async () => {
    const overview = (await (await call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, undefined, token)).json()) as { connection?: { path?: string } };
    return overview.connection?.path === 'mobile';
  }, 'the server to know the router is on mobile');
  const seqBefore = Math.max(0, ...router.desired.map((d) => d.seq));

  // The server loses the broker; it still takes the boost (the store holds it), then dies.
  proxy.cut();
  await waitFor(async () => (await call('GET', '/readyz')).status === 503, 'the server to notice the broker is gone');
  const accepted = await call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { email: 'customer@example.nl' }, token);
  t.equal(accepted.status, 201, 'the boost is accepted');
  const { boost, quota } = (await accepted.json()) as { boost: { id: string }; quota: { used: number } };
  t.equal(quota.used, 1);
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.notOk(router.desired.some((d) => d.boostId === boost.id), 'nothing was published before the kill');

  // The next server starts on the same store; the broker is reachable again.
  proxy.restore();
  const next = await startTestServer(t, database, options);
  const desired = await router.nextDesired((d) => d.boostId === boost.id, 'the boost, published by the next server');
  t.match(desired, { profile: 'boost', downKbps: 3600, upKbps: 1400 }, 'R4: the boost rates');
  t.ok(desired.seq > seqBefore, `a seq above what the router had (${desired.seq} > ${seqBefore})`);
  await next.server.desiredPublished();
  t.equal(router.desired.filter((d) => d.boostId === boost.id && d.seq === desired.seq).length, 1, 'published once');
  const view = await next.server.services.boosts.get(boost.id);
  t.match(view, { status: 'requested' }, 'the boost waits for the router, as before the kill');
  t.match(await next.server.services.boosts.quota(seeded.subscriptionId), { used: 1, remaining: 1 }, 'R7: counted once');
});
