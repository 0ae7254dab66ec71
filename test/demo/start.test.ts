// `npm start` as a newcomer sees it: the first screen names the pages, the login, the operator
// token, the docs, the simulator and /metrics; what it prints works; the timeline tells what the
// server sees; SIGTERM stops everything with exit 0. Bad usage exits 2.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { CLI, demoDataDir, startDemoProcess } from './helpers.js';

// Real start-up and a failover through a child process; generous on a shared, busy machine.
t.setTimeout(240_000);

t.test('the first screen, driving the demo from it, and a clean stop', async (t) => {
  const demo = startDemoProcess(t, ['--data-dir', demoDataDir(t), '--latency-scale', '0.2']);
  await demo.waitForOutput(/Timeline \(what the server sees\):\n/, 'the first screen');
  const out = demo.stdout();
  const field = (label: string) => {
    const match = new RegExp(`^  ${label}\\s+(\\S+)`, 'm').exec(out);
    if (!match?.[1]) throw new Error(`no ${label} in\n${out}`);
    return match[1];
  };
  const base = field('Customer page').replace(/\/$/, '');
  t.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal(field('NOC dashboard'), `${base}/noc`);
  t.equal(field('API docs'), `${base}/docs`);
  t.equal(field('Metrics'), `${base}/metrics`);
  const [, login, password] = /log in as (\S+) \/ (\S+)/.exec(out) ?? [];
  const token = field('Operator token');
  const simulator = field('Simulator');

  // What it printed works.
  const session = await fetch(`${base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  t.equal(session.status, 201, 'the printed customer login');
  const panel = await fetch(`${base}/api/v1/demo`, { headers: { authorization: `Bearer ${token}` } });
  t.match(await panel.json(), { enabled: true }, 'the printed operator token, and the demo panel is on');
  t.equal((await fetch(`${base}/docs/json`)).status, 200, 'the API docs');
  t.match(await (await fetch(`${base}/metrics`)).text(), /serviceplus_devices\{presence="online"\}/, 'the metrics');

  // Cutting DSL at the printed simulator URL shows in the timeline.
  await demo.waitForOutput(/stick registered/, 'the stick in standby');
  const cut = await fetch(`${simulator}/control`, { method: 'POST', body: JSON.stringify({ action: 'dsl', state: 'down' }) });
  t.equal(cut.status, 200);
  const [failover] = await demo.waitForOutput(/\+\s*\d+\.\ds  failover: dsl → mobile \([^)]*\)/, 'the failover in the timeline');
  t.ok(failover);

  demo.child.kill('SIGTERM');
  t.equal(await demo.exited, 0, 'SIGTERM stops it with exit 0');
  t.match(demo.stdout(), /Stopping…\n$/);
  t.equal(demo.stderr(), '');
});

t.test('help and bad usage', async (t) => {
  const help = spawnSync(process.execPath, [CLI, 'demo', '--help'], { encoding: 'utf8' });
  t.equal(help.status, 0);
  t.match(help.stdout, /--scenario outage/);
  const bad = spawnSync(process.execPath, [CLI, 'demo', '--scenario', 'flood'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /serviceplus demo: --scenario: .*\nRun 'serviceplus demo --help' for usage\./);
});
