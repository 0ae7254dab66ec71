// The JSON control interface (for the demo and black-box tests): every change shows on the
// protocols the agent uses, and bad commands are refused clearly.
import { existsSync } from 'node:fs';
import t from 'tap';
import { AtPort } from './helpers/at-port.js';
import { simulator } from './helpers/sim.js';
import { field, SERVICES, soap } from './helpers/tr064-client.js';

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

t.test('control over HTTP drives the line, the radio and the traffic', async (t) => {
  const sim = await simulator(t, { control: { port: 0 }, router: { password: 'pw' }, stick: { latencyScale: 0, urcs: false } });
  const control = sim.controlUrl!;
  t.match(control, /^http:\/\/127\.0\.0\.1:\d+$/);
  const port = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => port.close());
  await port.command('ATE0');

  const dsl = await post(control, '/control', { action: 'dsl', state: 'down' });
  t.equal(dsl.status, 200);
  const link = await soap({ baseUrl: sim.router!.url, ...SERVICES.wanCommon, action: 'GetCommonLinkProperties', credentials: { user: 'admin', password: 'pw' } });
  t.equal(field(link.body, 'NewPhysicalLinkStatus'), 'Down');

  t.equal((await post(control, '/control/signal', { dbm: -95 })).status, 200, 'the action may be in the path');
  t.same(await port.info('AT+CSQ'), ['+CSQ: 9,99']);

  const noSession = await post(control, '/control', { action: 'traffic', seconds: 5 });
  t.equal(noSession.status, 409);
  t.equal(noSession.json['title'], 'no-session');

  await port.command('AT+CGEQREQ=1,3,64,128');
  await port.command('AT^NDISDUP=1,1,"internet"');
  await port.expect(/\^NDISSTAT: 1/);
  t.equal((await post(control, '/control', { action: 'traffic', seconds: 10 })).status, 200);
  const [flow] = await port.info('AT^DSFLOWQRY');
  t.match(flow, /^\^DSFLOWQRY:[0-9A-F]{8},0000000000013880,0000000000027100,/);

  const state = (await (await fetch(`${control}/state`)).json()) as { router: { line: { state: string }; username: string }; stick: { devicePath: string; session: unknown } };
  t.equal(state.router.line.state, 'down');
  t.equal(state.stick.devicePath, sim.stick!.devicePath);
  t.ok(state.stick.session);
  t.notMatch(JSON.stringify(state), /"pw"/, 'the router password is not given out');
  const commands = (await (await fetch(`${control}/stick/commands`)).json()) as { commands: string[] };
  t.ok(commands.commands.includes('AT^DSFLOWQRY'));
  const requests = (await (await fetch(`${control}/router/requests`)).json()) as { requests: Array<{ status: number }> };
  t.ok(requests.requests.some((r) => r.status === 200));
});

t.test('faults over HTTP: unplug, replug, scripted URCs', async (t) => {
  const sim = await simulator(t, { control: { port: 0 }, router: false, stick: { latencyScale: 0, urcs: false } });
  const control = sim.controlUrl!;
  t.equal((await post(control, '/control', { action: 'unplug' })).status, 200);
  t.notOk(existsSync(sim.stick!.devicePath));
  t.equal((await post(control, '/control', { action: 'garbage', text: 'x' })).status, 409, 'nothing to write to while unplugged');
  t.equal((await post(control, '/control', { action: 'replug' })).status, 200);
  t.ok(existsSync(sim.stick!.devicePath));
  t.equal((await post(control, '/control', { action: 'replug' })).status, 409, 'already plugged in');
  const port = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => port.close());
  await port.command('ATE0');
  t.equal((await post(control, '/control', { action: 'inject-urcs', lines: ['^RSSI:3'], at: 'after-echo', command: '+CSQ' })).status, 200);
  t.same((await port.command('AT+CSQ')).lines, ['^RSSI:3', '+CSQ: 20,99', 'OK']);
});

t.test('bad commands get a problem+json 400 naming what is wrong; unknown paths 404', async (t) => {
  const sim = await simulator(t, { control: { port: 0 }, router: false, stick: { latencyScale: 0, urcs: false } });
  const control = sim.controlUrl!;
  const unknown = await post(control, '/control', { action: 'explode' });
  t.equal(unknown.status, 400);
  t.equal(unknown.json['title'], 'bad-command');
  const badValue = await post(control, '/control', { action: 'signal', dbm: 'loud' });
  t.equal(badValue.status, 400);
  t.match(badValue.json['detail'], /dbm/);
  const noRouter = await post(control, '/control', { action: 'dsl', state: 'down' });
  t.equal(noRouter.status, 400);
  t.match(noRouter.json['detail'], /no router/);
  const notJson = await fetch(`${control}/control`, { method: 'POST', body: '{nope' });
  t.equal(notJson.status, 400);
  t.match(notJson.headers.get('content-type'), /application\/problem\+json/);
  t.equal((await fetch(`${control}/nothing`)).status, 404);
});
