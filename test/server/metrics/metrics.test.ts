// GET /metrics after real traffic: a real MQTT client (the router's own credentials) publishing
// valid and broken messages to the server's embedded broker, HTTP requests through inject, and a
// boost that goes out as a desired state and comes back acked. Each metric must move as it should.
import { register as globalRegistry } from 'prom-client';
import t from 'tap';
import { topicFor } from '../../../shared/contract/index.js';
import { failoverEvent, status } from '../../fixtures/messages.js';
import { testDatabase } from '../../helpers/database.js';
import { connectDevice } from '../helpers/device.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { parseExposition, sumOf, valueOf, type Sample } from './exposition.js';

async function scrape(ts: TestServer): Promise<Sample[]> {
  const response = await ts.server.app.inject({ method: 'GET', url: '/metrics' });
  if (response.statusCode !== 200) throw new Error(`GET /metrics: ${response.statusCode} ${response.body}`);
  return parseExposition(response.body);
}

/** Scrapes until `probe` holds (the ingest runs behind the broker), then returns that scrape. */
function scrapeUntil(ts: TestServer, what: string, probe: (samples: Sample[]) => boolean): Promise<Sample[]> {
  return waitFor(async () => {
    const samples = await scrape(ts);
    return probe(samples) ? samples : undefined;
  }, what);
}

const REFUSED = 'serviceplus_ingest_messages_refused_total';
const HTTP_COUNT = 'serviceplus_http_request_duration_seconds_count';
const PUBLISH_COUNT = 'serviceplus_mqtt_desired_publish_duration_seconds_count';

t.test('metrics follow real MQTT and HTTP traffic', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t));

  const first = await ts.server.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(first.statusCode, 200);
  t.match(first.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(first.body, /# TYPE serviceplus_devices gauge/);
  t.match(first.body, /# TYPE serviceplus_ingest_messages_refused_total counter/);
  t.match(first.body, /# TYPE serviceplus_mqtt_desired_publish_duration_seconds histogram/);
  t.match(first.body, /process_resident_memory_bytes/, 'process metrics too');
  let samples = parseExposition(first.body);
  t.equal(valueOf(samples, 'serviceplus_devices', { presence: 'online' }), 0);
  t.equal(valueOf(samples, REFUSED, { reason: 'not-json' }), 0, 'every refusal reason is there from the start, at 0');
  t.equal(valueOf(samples, 'serviceplus_boosts_active', { kind: 'self-service', status: 'applied' }), 0);

  const a = await seed(ts);
  const b = await seed(ts);
  samples = await scrape(ts);
  t.equal(valueOf(samples, 'serviceplus_devices', { presence: 'unknown' }), 2, 'two enrolled routers that never reported');

  // Router A on mobile, router B on DSL: presence and status through the real broker.
  const deviceA = await connectedRouter(t, ts, a, 'mobile');
  const deviceB = await connectedRouter(t, ts, b, 'dsl');
  samples = await scrape(ts);
  t.equal(valueOf(samples, 'serviceplus_devices', { presence: 'online' }), 2);
  t.equal(valueOf(samples, 'serviceplus_devices', { presence: 'unknown' }), 0);
  t.equal(valueOf(samples, 'serviceplus_devices_online_by_path', { path: 'mobile' }), 1);
  t.equal(valueOf(samples, 'serviceplus_devices_online_by_path', { path: 'dsl' }), 1);
  t.equal(valueOf(samples, 'serviceplus_ingest_messages_stored_total', { kind: 'status' }), 2);
  t.equal(valueOf(samples, 'serviceplus_ingest_messages_stored_total', { kind: 'presence' }), 2);
  const receivedBefore = valueOf(samples, 'serviceplus_ingest_messages_received_total')!;

  // Broken messages and a duplicate event, from a router with valid credentials.
  await deviceB.publishRaw(topicFor('status', deviceB.deviceId), 'this is not JSON');
  await deviceB.publishRaw(topicFor('status', deviceB.deviceId), JSON.stringify({ ...status(), activePath: 'satellite' }));
  await deviceB.publishRaw(topicFor('usage', deviceB.deviceId), JSON.stringify({ v: 1, period: 'March' }));
  await deviceA.publish('events', failoverEvent({ id: 'evt-metrics-1' }));
  await deviceA.publish('events', failoverEvent({ id: 'evt-metrics-1' }));
  // Received is counted as a message arrives, the outcome once it is handled: wait for the outcomes.
  const handled = (s: Sample[]) => sumOf(s, REFUSED) + sumOf(s, 'serviceplus_ingest_messages_ignored_total') + sumOf(s, 'serviceplus_ingest_messages_stored_total');
  const handledBefore = handled(samples);
  samples = await scrapeUntil(ts, 'five more messages handled', (s) => handled(s) >= handledBefore + 5);
  t.equal(valueOf(samples, REFUSED, { reason: 'not-json' }), 1);
  t.equal(valueOf(samples, REFUSED, { reason: 'invalid' }), 2);
  t.equal(valueOf(samples, 'serviceplus_ingest_messages_ignored_total', { reason: 'duplicate' }), 1);
  t.equal(valueOf(samples, 'serviceplus_ingest_messages_stored_total', { kind: 'events' }), 1);
  t.equal(valueOf(samples, 'serviceplus_ingest_messages_received_total'), receivedBefore + 5);
  samples = await scrape(ts);
  t.equal(valueOf(samples, REFUSED, { reason: 'not-json' }), 1, 'a second scrape does not count anything twice');

  // A self-service boost: requested, published (timed to the PUBACK), then acked by the router.
  const publishesBefore = valueOf(samples, PUBLISH_COUNT)!;
  const token = await login(ts, a.login);
  const boost = await ts.call('POST', `/api/v1/subscriptions/${a.subscriptionId}/boosts`, { token, body: { email: 'a@example.com' } });
  t.equal(boost.statusCode, 201, boost.body);
  await ts.server.desiredPublished();
  samples = await scrape(ts);
  t.equal(valueOf(samples, 'serviceplus_boosts_active', { kind: 'self-service', status: 'requested' }), 1);
  t.equal(valueOf(samples, 'serviceplus_boosts_active', { kind: 'self-service', status: 'applied' }), 0);
  t.ok(valueOf(samples, PUBLISH_COUNT)! > publishesBefore, 'the boost desired state was published and timed');
  t.ok(valueOf(samples, 'serviceplus_mqtt_desired_publish_duration_seconds_sum')! > 0, 'publish to PUBACK takes some time');
  t.equal(valueOf(samples, 'serviceplus_mqtt_desired_publish_failures_total'), 0);

  await ackDesired(deviceA, (d) => d.profile === 'boost');
  samples = await scrapeUntil(ts, 'the boost applied', (s) => valueOf(s, 'serviceplus_boosts_active', { kind: 'self-service', status: 'applied' }) === 1);
  t.equal(valueOf(samples, 'serviceplus_boosts_active', { kind: 'self-service', status: 'requested' }), 0);

  // R5: the boost's time is up; the sweep ends it.
  (ts.clock as unknown as { advance(ms: number): void }).advance(25 * 3_600_000);
  await ts.server.jobs.sweep();
  samples = await scrape(ts);
  t.equal(sumOf(samples, 'serviceplus_boosts_active'), 0, 'no boost in force after its end');

  // HTTP latency by route pattern and status, never by raw URL.
  for (const id of [a.device!.deviceId, b.device!.deviceId]) {
    const view = await ts.call('GET', `/api/v1/devices/${id}`, { token: ts.tokens.noc });
    t.equal(view.statusCode, 200);
  }
  await ts.call('GET', `/api/v1/devices/${a.device!.deviceId}`, { token: null });
  await ts.call('GET', '/no/such/page/42');
  samples = await scrape(ts);
  t.ok(valueOf(samples, HTTP_COUNT, { method: 'GET', route: '/api/v1/devices/:deviceId', status_code: '200' })! >= 2);
  t.equal(valueOf(samples, HTTP_COUNT, { method: 'GET', route: '/api/v1/devices/:deviceId', status_code: '401' }), 1);
  t.equal(valueOf(samples, HTTP_COUNT, { method: 'POST', route: '/api/v1/subscriptions/:subscriptionId/boosts', status_code: '201' }), 1);
  t.equal(valueOf(samples, HTTP_COUNT, { method: 'POST', route: '/api/v1/sessions', status_code: '201' }), 1);
  t.equal(valueOf(samples, HTTP_COUNT, { method: 'GET', route: '(unmatched)', status_code: '404' }), 1);
  const routes = new Set(samples.filter((s) => s.name === HTTP_COUNT).map((s) => s.labels['route']));
  t.notOk([...routes].some((route) => route?.includes(a.device!.deviceId) || route?.includes('42')), `only route patterns: ${[...routes].join(', ')}`);

  // Router B goes away: its Last Will (here an explicit offline presence) moves the gauges.
  await deviceB.publish('presence', { v: 1, state: 'offline', at: new Date(ts.clock.now()).toISOString(), reason: 'shutdown' }, { retain: true });
  samples = await scrapeUntil(ts, 'router B offline', (s) => valueOf(s, 'serviceplus_devices', { presence: 'offline' }) === 1);
  t.equal(valueOf(samples, 'serviceplus_devices', { presence: 'online' }), 1);
  t.equal(valueOf(samples, 'serviceplus_devices_online_by_path', { path: 'dsl' }), 0, 'an offline router counts on no path');
});

t.test('each server has its own registry; the global one stays empty', async (t) => {
  const one = await startTestServer(t, await testDatabase(t));
  const two = await startTestServer(t, await testDatabase(t));
  for (let i = 0; i < 3; i++) await one.call('GET', '/healthz');
  await seed(two);
  const fromOne = await scrape(one);
  const fromTwo = await scrape(two);
  t.equal(valueOf(fromOne, HTTP_COUNT, { route: '/healthz', status_code: '200' }), 3);
  t.equal(valueOf(fromTwo, HTTP_COUNT, { route: '/healthz', status_code: '200' }), undefined);
  t.equal(valueOf(fromOne, 'serviceplus_devices', { presence: 'unknown' }), 0);
  t.equal(valueOf(fromTwo, 'serviceplus_devices', { presence: 'unknown' }), 1);
  t.notMatch(await globalRegistry.metrics(), /serviceplus_/, 'nothing on prom-client’s global registry');
});

t.test('who may scrape', async (t) => {
  t.test('no metricsToken: loopback callers only', async (t) => {
    const ts = await startTestServer(t, await testDatabase(t));
    const local = await ts.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::ffff:127.0.0.1' });
    t.equal(local.statusCode, 200);
    const remote = await ts.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    t.equal(remote.statusCode, 401);
    t.match(remote.headers['content-type'], /^application\/problem\+json/);
    t.match(remote.json(), { code: 'unauthenticated', detail: /metricsToken/ });
    t.notMatch(remote.body, /serviceplus_/);
  });

  t.test('with metricsToken: the bearer token, from anywhere', async (t) => {
    const ts = await startTestServer(t, await testDatabase(t), { config: { metricsToken: 'scrape-me-please-0123' } });
    const remote = { method: 'GET' as const, url: '/metrics', remoteAddress: '203.0.113.9' };
    t.equal((await ts.server.app.inject(remote)).statusCode, 401);
    t.equal((await ts.server.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401, 'loopback needs it too');
    t.equal((await ts.server.app.inject({ ...remote, headers: { authorization: 'Bearer scrape-me-please-0124' } })).statusCode, 401);
    t.equal((await ts.server.app.inject({ ...remote, headers: { authorization: `Bearer ${ts.tokens.admin}` } })).statusCode, 401, 'an operator token is not the metrics token');
    const ok = await ts.server.app.inject({ ...remote, headers: { authorization: 'Bearer scrape-me-please-0123' } });
    t.equal(ok.statusCode, 200);
    t.match(ok.body, /serviceplus_devices\{presence="online"\} 0/);
  });

  t.test('/metrics is in the OpenAPI document', async (t) => {
    const ts = await startTestServer(t, await testDatabase(t));
    const doc = (await ts.call('GET', '/docs/json')).json() as { paths: Record<string, unknown> };
    t.ok(doc.paths['/metrics'], 'documented');
  });
});
