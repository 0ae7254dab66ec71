// The NOC dashboard's demo panel on the server side: GET /api/v1/demo says whether it is on;
// POST /api/v1/demo/sim exists only when the demo configured the simulator's control URL, and
// drives a real simulator over its HTTP control interface.
import { createServer } from 'node:net';
import t from 'tap';
import { startSimulator } from '../../firmware-sim/index.js';
import { testDatabase } from '../helpers/database.js';
import { login, seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';

t.test('off by default: the panel says so, and there is no simulator route', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t));
  const info = await ts.call('GET', '/api/v1/demo', { token: ts.tokens.noc });
  t.equal(info.statusCode, 200);
  t.same(info.json(), { enabled: false, simulator: null });
  const post = await ts.call('POST', '/api/v1/demo/sim', { token: ts.tokens.admin, body: { action: 'dsl', state: 'down' } });
  t.equal(post.statusCode, 404);
  t.match(post.json(), { code: 'not-found' });
  const doc = (await ts.call('GET', '/docs/json')).json() as { paths: Record<string, unknown> };
  t.ok(doc.paths['/api/v1/demo'], 'GET /api/v1/demo is documented');
  t.notOk(doc.paths['/api/v1/demo/sim'], 'no simulator route in the document either');
});

t.test('with the demo simulator configured', async (t) => {
  const sim = await startSimulator({ stick: { latencyScale: 0 }, control: { port: 0 } });
  t.teardown(() => sim.close());
  const ts = await startTestServer(t, await testDatabase(t), { config: { demoSimControlUrl: sim.controlUrl! } });
  const noc = ts.tokens.noc;

  t.test('the panel is on and shows the simulator', async (t) => {
    const info = await ts.call('GET', '/api/v1/demo', { token: noc });
    t.same(info.json(), { enabled: true, simulator: { dsl: 'up', signalDbm: -73, stick: 'plugged', mobileSession: false } });
    const doc = (await ts.call('GET', '/docs/json')).json() as { paths: Record<string, { post?: { requestBody?: unknown } }> };
    t.ok(doc.paths['/api/v1/demo/sim']?.post?.requestBody, 'POST /api/v1/demo/sim is documented with its body');
  });

  t.test('each action reaches the simulator', async (t) => {
    const call = (body: unknown) => ts.call('POST', '/api/v1/demo/sim', { token: noc, body });
    let answer = await call({ action: 'dsl', state: 'down' });
    t.equal(answer.statusCode, 200, answer.body);
    t.match(answer.json(), { ok: true, simulator: { dsl: 'down' } });
    t.equal(sim.router!.line().state, 'down', 'the simulated line is down');

    answer = await call({ action: 'signal', dbm: -101 });
    t.match(answer.json(), { simulator: { signalDbm: -101 } });
    t.equal(sim.stick!.snapshot().signalDbm, -101);
    answer = await call({ action: 'signal', dbm: null });
    t.equal(sim.stick!.snapshot().signalDbm, null, 'no coverage');

    answer = await call({ action: 'stick', state: 'unplugged' });
    t.match(answer.json(), { simulator: { stick: 'unplugged' } });
    t.equal(sim.stick!.snapshot().plugged, false);
    answer = await call({ action: 'stick', state: 'plugged' });
    t.equal(sim.stick!.snapshot().plugged, true);

    answer = await ts.call('POST', '/api/v1/demo/sim', { token: ts.tokens.admin, body: { action: 'dsl', state: 'up' } });
    t.equal(answer.statusCode, 200, 'admins may too');
    t.equal(sim.router!.line().state, 'up');
  });

  t.test('only the panel’s actions, validated', async (t) => {
    for (const body of [
      { action: 'dsl', state: 'training' },
      { action: 'signal', dbm: -20 },
      { action: 'signal', dbm: 'weak' },
      { action: 'hang' },
      { action: 'garbage', text: 'x' },
      {},
    ]) {
      const answer = await ts.call('POST', '/api/v1/demo/sim', { token: noc, body });
      t.equal(answer.statusCode, 400, JSON.stringify(body));
      t.match(answer.json(), { code: 'validation-failed' });
    }
    t.equal(sim.router!.line().state, 'up', 'nothing reached the simulator');
  });

  t.test('operators of the noc or admin role only', async (t) => {
    const body = { action: 'dsl', state: 'down' };
    t.equal((await ts.call('POST', '/api/v1/demo/sim', { body })).statusCode, 401);
    const helpdesk = await ts.call('POST', '/api/v1/demo/sim', { token: ts.tokens.helpdesk, body });
    t.equal(helpdesk.statusCode, 403);
    t.match(helpdesk.json(), { code: 'forbidden-role' });
    const seeded = await seed(ts, { routerModel: null });
    const customer = await ts.call('POST', '/api/v1/demo/sim', { token: await login(ts, seeded.login), body });
    t.equal(customer.statusCode, 403);
    t.equal((await ts.call('GET', '/api/v1/demo', {})).statusCode, 401, 'the panel state needs an operator too');
    t.equal(sim.router!.line().state, 'up', 'nothing reached the simulator');
  });
});

t.test('a simulator that does not answer is a 502 problem, and the panel shows no state', async (t) => {
  // A port that was free a moment ago: connection refused.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const ts = await startTestServer(t, await testDatabase(t), { config: { demoSimControlUrl: `http://127.0.0.1:${port}` } });
  const answer = await ts.call('POST', '/api/v1/demo/sim', { token: ts.tokens.noc, body: { action: 'dsl', state: 'down' } });
  t.equal(answer.statusCode, 502);
  t.match(answer.headers['content-type'], /^application\/problem\+json/);
  t.match(answer.json(), { code: 'simulator-unavailable', detail: /did not answer/ });
  t.same((await ts.call('GET', '/api/v1/demo', { token: ts.tokens.noc })).json(), { enabled: true, simulator: null });
});

t.test('a simulator that refuses is a 502 problem with its reason', async (t) => {
  const sim = await startSimulator({ stick: false, control: { port: 0 } });
  t.teardown(() => sim.close());
  const ts = await startTestServer(t, await testDatabase(t), { config: { demoSimControlUrl: sim.controlUrl! } });
  const answer = await ts.call('POST', '/api/v1/demo/sim', { token: ts.tokens.noc, body: { action: 'stick', state: 'unplugged' } });
  t.equal(answer.statusCode, 502);
  t.match(answer.json(), { code: 'simulator-unavailable', detail: /refused: this simulator has no stick/, simulatorStatus: 400 });
});
