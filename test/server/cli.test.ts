// `serviceplus server` as an operator uses it: token create prints a token that works, a port
// in use stops start-up naming the port and its variable, a bad setting names the key.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import t from 'tap';
import { run, type CliIo } from '../../server/cli.js';
import { serverConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';
import { silentLogger } from '../../shared/log.js';
import { testDatabase } from '../helpers/database.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const cli = new URL('../../bin/serviceplus.js', import.meta.url).pathname;

async function serviceplus(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'server', ...args], {
      timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', SP_LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command in this process, with its own environment and captured output. */
async function inProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env: { SP_LOG_LEVEL: 'silent', ...env }, out: (text) => (stdout += text), err: (text) => (stderr += text) };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

async function busyPort(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as AddressInfo).port;
}

t.test('the server command', async (t) => {
  const database = await testDatabase(t);
  const env: Record<string, string> = {
    SP_DATA_DIR: database.settings.dataDir,
    ...(database.settings.databaseUrl ? { SP_DATABASE_URL: database.settings.databaseUrl } : {}),
  };
  const mqttPort = await busyPort(t);

  // The real command once (bin/serviceplus.js, a new process); the rest in this process.
  const created = await serviceplus(['token', 'create', '--role', 'noc', '--name', 'alice'], env);

  t.test('token create prints the token once, and it works', async (t) => {
    t.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    t.match(token, /^spo_[A-Za-z0-9_-]{40,}$/);
    t.match(created.stderr, /for alice \(noc\); it is shown once/);
    const ts = await startTestServer(t, database);
    t.equal((await ts.call('GET', '/api/v1/devices', { token })).statusCode, 200, 'a noc token reads the fleet');
    t.equal((await ts.call('GET', '/api/v1/audit', { token })).json().code, 'forbidden-role', 'but has only its role');
    const listed = await inProcess(['token', 'list'], env);
    t.match(listed.stdout, /\tnoc\talice\tactive/);
    t.notOk(listed.stdout.includes(token), 'list never shows a token');
  });

  t.test('start prints its URLs and, on the first start, an admin token; SIGTERM stops it', async (t) => {
    const fresh = await testDatabase(t);
    let stdout = '';
    let stderr = '';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = run([], {
      env: {
        SP_LOG_LEVEL: 'silent',
        SP_DATA_DIR: fresh.settings.dataDir,
        ...(fresh.settings.databaseUrl ? { SP_DATABASE_URL: fresh.settings.databaseUrl } : {}),
        SP_HTTP_HOST: '127.0.0.1',
        SP_HTTP_PORT: '0',
        SP_MQTT_HOST: '127.0.0.1',
        SP_MQTT_PORT: '0',
      },
      out: (text) => (stdout += text),
      err: (text) => (stderr += text),
      untilStopped: () => stopped,
    });
    let exited: number | null = null;
    void running.then((code) => (exited = code));
    const token = await waitFor(() => /(spo_\S+)/.exec(stdout)?.[1] ?? (exited === null ? null : `exited ${exited}: ${stderr}`), 'the admin token');
    t.match(token, /^spo_/);
    const url = /HTTP API\s+(http:\/\/\S+)\/api\/v1/.exec(stdout)?.[1];
    t.match(stdout, /MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+\s+\(embedded broker\)/);
    // Real HTTP this time, not inject.
    const response = await fetch(`${url}/api/v1/operator-tokens`, { headers: { authorization: `Bearer ${token}` } });
    t.equal(response.status, 200);
    t.match(await response.json(), { items: [{ name: 'bootstrap', role: 'admin' }] });
    stop();
    t.equal(await running, 0, 'stops cleanly');
  });

  t.test('a port in use stops start-up with a message naming it and its variable', async (t) => {
    const portInUse = await inProcess([], { ...env, SP_HTTP_HOST: '127.0.0.1', SP_HTTP_PORT: '0', SP_MQTT_HOST: '127.0.0.1', SP_MQTT_PORT: String(mqttPort) });
    t.equal(portInUse.code, 1);
    t.match(portInUse.stderr, new RegExp(`MQTT port ${mqttPort} is already in use; set SP_MQTT_PORT`));
    const httpPort = await busyPort(t);
    const config = serverConfig({ ...database.settings, httpHost: '127.0.0.1', httpPort, mqttHost: '127.0.0.1', mqttPort: 0, logLevel: 'silent' });
    await t.rejects(startServer(config, { log: silentLogger() }), { name: 'PortInUseError', message: `HTTP port ${httpPort} is already in use; set SP_HTTP_PORT to a free port` });
  });

  t.test('bad settings and usage', async (t) => {
    const badSetting = await inProcess([], { ...env, SP_HTTP_PORT: 'eighty' });
    t.equal(badSetting.code, 2);
    t.match(badSetting.stderr, /httpPort \(from SP_HTTP_PORT\)/);
    const badRole = await inProcess(['token', 'create', '--role', 'root', '--name', 'mallory'], env);
    t.equal(badRole.code, 2);
    t.match(badRole.stderr, /--role must be one of noc, helpdesk, admin/);
    t.match((await inProcess(['frobnicate'], env)).stderr, /unknown command 'frobnicate'/);
    t.match((await inProcess(['--help'], env)).stdout, /^Usage: serviceplus server/);
  });
});
