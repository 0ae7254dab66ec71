// The demo's stack in this process: busy default ports give way (and say so), ports asked for
// do not, the data folder is only emptied when a demo made it, and once started everything is
// wired: the agent is online at the server, the printed login works, the panel reaches the
// simulator, /metrics counts the router; close() stops it all.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DataDirError, prepareDataDir } from '../../demo/data-dir.js';
import { Observer } from '../../demo/observer.js';
import type { DemoOptions } from '../../demo/options.js';
import { startDemo } from '../../demo/stack.js';
import { callApi } from '../../demo/http-client.js';
import { until } from '../../demo/scenario.js';

// A whole stack starts here; generous on a shared, busy machine.
t.setTimeout(180_000);

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-demo-stack-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A loopback port held by someone else for the test's duration. */
async function busyPort(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

const options = (dataDir: string, overrides: Partial<DemoOptions> = {}): DemoOptions => ({
  httpPort: null,
  mqttPort: null,
  host: '127.0.0.1',
  dataDir,
  latencyScale: 0,
  boostSeconds: 15,
  failbackSeconds: 1,
  logLevel: 'info',
  ...overrides,
});

t.test('the data folder: emptied only when a demo made it', async (t) => {
  const foreign = tempDir(t);
  writeFileSync(join(foreign, 'thesis.tex'), 'precious');
  await t.rejects(prepareDataDir(foreign), DataDirError);
  t.ok(existsSync(join(foreign, 'thesis.tex')), 'nothing was removed');

  const previous = join(tempDir(t), 'demo');
  const first = await prepareDataDir(previous);
  mkdirSync(first.server);
  writeFileSync(join(first.server, 'demo.sqlite'), 'old run');
  await prepareDataDir(previous);
  t.same(readdirSync(previous).sort(), ['.serviceplus-demo', 'demo.pid'], 'the previous run is gone');

  // A demo that is still running keeps its folder (here: a live process, this test's parent).
  writeFileSync(join(previous, 'demo.pid'), `${process.ppid}\n`);
  await t.rejects(prepareDataDir(previous), new RegExp(`another demo \\(pid ${process.ppid}\\) is using`));
  writeFileSync(join(previous, 'demo.pid'), '999999999\n');
  await prepareDataDir(previous);
  t.pass('a pid file of a process that is gone does not stop the next demo');
});

t.test('a port asked for that is busy stops the demo, naming it', async (t) => {
  const taken = await busyPort(t);
  await t.rejects(startDemo(options(tempDir(t), { httpPort: taken, mqttPort: 0 })), new RegExp(`HTTP port ${taken} is already in use; set SP_HTTP_PORT`));
});

t.test('busy default ports give way; everything is wired and stops', async (t) => {
  const [http, mqtt] = [await busyPort(t), await busyPort(t)];
  const stack = await startDemo(options(tempDir(t)), { ports: { http, mqtt } });
  let closed = false;
  t.teardown(() => (closed ? undefined : stack.close()));
  t.same(stack.notes, [
    `MQTT port ${mqtt} is in use, so the demo took a free one (choose with --mqtt-port).`,
    `HTTP port ${http} is in use, so the demo took a free one (choose with --http-port).`,
  ]);
  t.not(new URL(stack.server.url).port, String(http));
  t.not(new URL(stack.server.mqttUrl).port, String(mqtt));

  const observer = new Observer(stack, 50);
  observer.start();
  t.teardown(() => observer.stop());
  const signal = AbortSignal.timeout(60_000);
  await until(signal, () => {
    const device = observer.view.device;
    return device?.presence?.state === 'online' && device.path === 'dsl';
  });

  const session = await callApi<{ subscriptionId: string }>(stack.server.url, 'POST', '/api/v1/sessions', {
    body: { login: stack.customer.login, password: stack.customer.password },
  });
  t.equal(session.body.subscriptionId, stack.customer.subscriptionId, 'the printed login works');
  const demo = await callApi<{ enabled: boolean; simulator: { dsl: string } }>(stack.server.url, 'GET', '/api/v1/demo', { token: stack.operatorToken });
  t.match(demo.body, { enabled: true, simulator: { dsl: 'up', stick: 'plugged' } });
  const metrics = await fetch(`${stack.server.url}/metrics`).then((r) => r.text());
  t.match(metrics, /serviceplus_devices\{presence="online"\} 1/);
  t.match(metrics, /serviceplus_devices_online_by_path\{path="dsl"\} 1/);

  const devicePath = stack.sim.stick!.devicePath;
  await observer.stop();
  await stack.close();
  closed = true;
  t.notOk(existsSync(devicePath), 'the stick is gone');
  await t.rejects(fetch(`${stack.server.url}/healthz`), 'the HTTP port is closed');
});
