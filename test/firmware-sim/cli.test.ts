// `serviceplus sim` as a process: prints where the router, stick and control are, answers on
// them, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import t from 'tap';
import { AtPort } from './helpers/at-port.js';
import { field, SERVICES, soap } from './helpers/tr064-client.js';

const cli = new URL('../../bin/serviceplus.js', import.meta.url).pathname;

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SP_LOG_LEVEL: 'warn' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const startedAt = Date.now();
  while (!condition()) {
    if (Date.now() - startedAt > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('runs the router and the stick, prints them as JSON, and stops on SIGTERM', async (t) => {
  const sim = start(['--json', '--latency-scale', '0', '--password', 'sekrit', '--model', 'FRITZ!Box 7360', '--firmware', '124.06.85']);
  t.teardown(() => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });
  await until(() => sim.out().includes('\n'), 'the start-up line');
  const info = JSON.parse(sim.out().split('\n')[0]!) as { routerUrl: string; username: string; password: string; devicePath: string; controlUrl: string };
  t.equal(info.username, 'admin');
  t.equal(info.password, 'sekrit');
  t.match(info.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);

  const res = await soap({ baseUrl: info.routerUrl, ...SERVICES.deviceInfo, action: 'GetInfo', credentials: { user: info.username, password: info.password } });
  t.equal(field(res.body, 'NewModelName'), 'FRITZ!Box 7360');
  const port = await AtPort.open(info.devicePath);
  t.equal((await port.command('AT+CGMM')).final, 'OK');
  await port.close();

  sim.child.kill('SIGTERM');
  const [code] = await sim.exited;
  t.equal(code, 0);
  t.notOk(existsSync(info.devicePath), 'the device path is removed');
});

t.test('the text output names the TR-064 URL, the credentials and the tty path', async (t) => {
  const sim = start(['--latency-scale', '0', '--no-control']);
  t.teardown(() => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });
  await until(() => sim.out().includes('Ctrl+C'), 'the start-up text');
  t.match(sim.out(), /TR-064: http:\/\/127\.0\.0\.1:\d+\/tr64desc\.xml/);
  t.match(sim.out(), /user: admin {2}password: \S{16}/);
  t.match(sim.out(), /Huawei stick \(AT over a pty\): \/\S+\/ttyUSB0/);
  t.notMatch(sim.out(), /Control/);
  sim.child.kill('SIGINT');
  const [code] = await sim.exited;
  t.equal(code, 0);
});

t.test('a bad option stops it with exit code 2 and names the option', async (t) => {
  const sim = start(['--line', 'sideways']);
  const [code] = await sim.exited;
  t.equal(code, 2);
  t.match(sim.err(), /--line/);
  const unknown = start(['--frobnicate']);
  const [code2] = await unknown.exited;
  t.equal(code2, 2);
  t.match(unknown.err(), /frobnicate/);
});
